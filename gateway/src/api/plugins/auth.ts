/**
 * Authentication and scope. `POST /api/auth/login` trades a staff username and password for a
 * bearer token (stored hashed, expiring). Every other /api route needs the token; routes then
 * ask `request.requireRole(...)` and filter by `request.canSee(gridNodeId)`: a grid worker sees
 * only their own grid subtree, enforced here and not merely hidden in the UI.
 */
import fp from 'fastify-plugin';
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Role, StaffMember } from '../../contracts/site.ts';
import { Errors } from '../../core/errors.ts';
import { verifyPassword } from '../../core/passwords.ts';
import { migrate } from '../../store/database.ts';
import type { GatewayContext } from '../../context.ts';

export interface AuthUser {
  id: string;
  name: string;
  username: string;
  roles: Role[];
  grid: string;
  onCall: 'A' | 'B' | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
    /** The caller, or 401. */
    requireUser(): AuthUser;
    /** The caller if they hold one of `roles` (admin always passes), else 403. */
    requireRole(...roles: Role[]): AuthUser;
    /** True when the grid node lies within the caller's grid. */
    canSee(gridNodeId: string | null): boolean;
  }
}

const PUBLIC_ROUTES = new Set(['/api/auth/login']);

export function toAuthUser(s: StaffMember): AuthUser {
  return {
    id: s.id,
    name: s.name,
    username: s.username,
    roles: s.roles,
    grid: s.grid,
    onCall: s.onCall ?? null,
  };
}

const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export default fp<{ ctx: GatewayContext }>(
  async (app, { ctx }) => {
    const { db } = ctx.stores;
    migrate(db, 'sessions', [
      'CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, staff_id TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)',
    ]);
    const findSession = db.prepare('SELECT staff_id, expires_at FROM sessions WHERE token_hash = ?');

    app.decorateRequest('user', null);
    app.decorateRequest('requireUser', function (this: FastifyRequest) {
      if (!this.user)
        throw Errors.authRequired('log in first: Authorization: Bearer <token> from POST /api/auth/login');
      return this.user;
    });
    app.decorateRequest('requireRole', function (this: FastifyRequest, ...roles: Role[]) {
      const user = this.requireUser();
      if (user.roles.includes('admin') || user.roles.some((r) => roles.includes(r))) return user;
      throw Errors.authForbidden(`this needs one of the roles: ${roles.join(', ')}`);
    });
    app.decorateRequest('canSee', function (this: FastifyRequest, gridNodeId: string | null) {
      const user = this.requireUser();
      if (user.roles.includes('admin')) return true;
      return gridNodeId !== null && ctx.site.isWithin(gridNodeId, user.grid);
    });

    app.addHook('onRequest', async (request) => {
      const path = request.url.split('?')[0]!;
      if (!path.startsWith('/api/') || PUBLIC_ROUTES.has(path)) return;
      const header = request.headers.authorization;
      // Browsers cannot set headers on a WebSocket: its upgrade request may carry ?token= instead.
      const isUpgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
      const queryToken = isUpgrade ? (request.query as { token?: unknown } | undefined)?.token : undefined;
      const token = header?.startsWith('Bearer ')
        ? header.slice(7).trim()
        : typeof queryToken === 'string' && queryToken
          ? queryToken
          : null;
      if (!token) throw Errors.authRequired('missing bearer token');
      const session = findSession.get(tokenHash(token)) as
        { staff_id: string; expires_at: number } | undefined;
      if (!session || session.expires_at < ctx.clock.now())
        throw Errors.authRequired('token unknown or expired; log in again');
      const staff = ctx.site.staffMember(session.staff_id);
      if (!staff) throw Errors.authRequired('this account no longer exists');
      request.user = toAuthUser(staff);
    });

    const userSchema = {
      type: 'object',
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        username: { type: 'string' },
        roles: { type: 'array', items: { type: 'string' } },
        grid: { type: 'string' },
        onCall: { type: ['string', 'null'] },
      },
    };

    app.post<{ Body: { username: string; password: string } }>(
      '/api/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Log in with a staff username and password; returns a bearer token',
          body: {
            type: 'object',
            required: ['username', 'password'],
            additionalProperties: false,
            properties: {
              username: { type: 'string', minLength: 1, maxLength: 128 },
              password: { type: 'string', minLength: 1, maxLength: 256 },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: { token: { type: 'string' }, expiresAt: { type: 'string' }, user: userSchema },
            },
          },
        },
      },
      async (request) => {
        const { username, password } = request.body;
        const staff = ctx.site.site.staff.find((s) => s.username === username);
        if (!staff || !verifyPassword(password, staff.passwordHash))
          throw Errors.authBadCredentials('wrong username or password');
        const token = randomBytes(32).toString('base64url');
        const expiresAt = ctx.clock.now() + ctx.settings.tokenTtlH * 3600_000;
        db.prepare(
          'INSERT INTO sessions (token_hash, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
        ).run(tokenHash(token), staff.id, ctx.clock.now(), expiresAt);
        db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(ctx.clock.now());
        request.log.info({ user: staff.id }, 'login');
        return { token, expiresAt: new Date(expiresAt).toISOString(), user: toAuthUser(staff) };
      },
    );

    app.post(
      '/api/auth/logout',
      {
        schema: { tags: ['auth'], summary: 'Revoke the current token', response: { 204: { type: 'null' } } },
      },
      async (request, reply) => {
        const token = request.headers.authorization!.slice(7).trim();
        db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash(token));
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/auth/me',
      { schema: { tags: ['auth'], summary: 'Who the token belongs to', response: { 200: userSchema } } },
      async (request) => request.requireUser(),
    );
  },
  { name: 'weige-auth', fastify: '5.x' },
);
