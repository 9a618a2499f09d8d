/**
 * Authentication and authorisation. `POST /api/auth/login` trades a staff username and password
 * for a bearer token (stored hashed, expiring).
 *
 * Every route says who may call it in its config, `config: {access}`: `'public'`, `'staff'` (any
 * logged-in user) or a list of roles (admin always passes). One hook checks it on the *routed*
 * path (`request.routeOptions`), after the router has decoded the URL: issue 14 found that
 * `/%61pi/…` reached the handlers of `/api/…` while a check on the raw URL let it through. Deny by
 * default: a route that declares no access answers 403 to everyone, and the app refuses to start
 * with one. Handlers then filter by `request.canSee(gridNodeId)`: a grid worker sees only their
 * own grid subtree, enforced here and not merely hidden in the UI.
 *
 * Logins are throttled per address and locked per account after repeated wrong passwords
 * (`LoginGuard`, 429 with Retry-After); an unknown username costs the same password check as a
 * known one, so neither the answer nor its timing tells whether an account exists.
 */
import fp from 'fastify-plugin';
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { AuthUser } from '../../contracts/auth.ts';
import type { Role, StaffMember } from '../../contracts/site.ts';
import { Errors } from '../../core/errors.ts';
import { LoginGuard } from '../../core/login-guard.ts';
import { migrate } from '../../store/database.ts';
import { errorEnvelope } from './errors.ts';
import type { GatewayContext } from '../../context.ts';

/** Who may call a route: anyone, any logged-in staff member, or holders of one of the roles. */
export type RouteAccess = 'public' | 'staff' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
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

/** Marks every route registered in `scope` (by a third-party plugin: docs, static files) public. */
export function markRoutesPublic(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'public' };
  });
}

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

/**
 * The request decorators every Weige API shares (gateway and street hub): `user`, `requireUser`,
 * `requireRole` (admin passes every role check) and `canSee`, whose scope rule each app gives.
 */
export function decorateUserRequests(
  app: FastifyInstance,
  canSee: (user: AuthUser, scopeId: string | null) => boolean,
): void {
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
  app.decorateRequest('canSee', function (this: FastifyRequest, scopeId: string | null) {
    return canSee(this.requireUser(), scopeId);
  });
}

const bearerToken = (request: FastifyRequest): string | null => {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || null;
  // Browsers cannot set headers on a WebSocket: its upgrade request may carry ?token= instead.
  const isUpgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
  const queryToken = isUpgrade ? (request.query as { token?: unknown } | undefined)?.token : undefined;
  return typeof queryToken === 'string' && queryToken ? queryToken : null;
};

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

/** `POST /api/auth/login`'s body, on the gateway and the street hub alike. */
export const loginBodySchema = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 128 },
    password: { type: 'string', minLength: 1, maxLength: 256 },
  },
} as const;

type AuthDeps = { ctx: GatewayContext; logins: LoginGuard };

/** The app refuses to start with a route that declares no access (deny by default). */
function refuseUndeclaredRoutes(app: FastifyInstance): void {
  // Routes are checked once the app is ready: by then scopes such as markRoutesPublic's have
  // had their say (their onRoute hooks run after this one).
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  app.addHook('onReady', async () => {
    const undeclared = routes
      .filter((r) => r.config?.access === undefined)
      .map((r) => `${String(r.method)} ${r.url}`);
    if (undeclared.length)
      throw new Error(
        `routes without config.access (deny by default): ${[...new Set(undeclared)].join(', ')}`,
      );
  });
}

/** The one hook that checks every routed request against its route's `config.access`. */
function checkAccess(app: FastifyInstance, ctx: GatewayContext): void {
  const findSession = ctx.stores.db.prepare('SELECT staff_id, expires_at FROM sessions WHERE token_hash = ?');
  app.addHook('onRequest', async (request) => {
    if (request.is404) return; // nothing routed, nothing to protect
    const access = request.routeOptions.config.access;
    if (access === 'public') return;
    const token = bearerToken(request);
    if (!token) throw Errors.authRequired('missing bearer token');
    const session = findSession.get(tokenHash(token)) as { staff_id: string; expires_at: number } | undefined;
    if (!session || session.expires_at < ctx.clock.now())
      throw Errors.authRequired('token unknown or expired; log in again');
    const staff = ctx.site.staffMember(session.staff_id);
    if (!staff) throw Errors.authRequired('this account no longer exists');
    request.user = toAuthUser(staff);
    if (access === undefined) throw Errors.authForbidden('this route declares no access');
    if (access !== 'staff') request.requireRole(...access);
  });
}

/** The staff member whose password this is, or 401/429 (throttled, locked, wrong). */
async function checkCredentials(
  { ctx, logins }: AuthDeps,
  request: FastifyRequest,
  username: string,
  password: string,
): Promise<StaffMember> {
  const refused = logins.admit(request.ip, username);
  if (refused) {
    ctx.metrics.loginsRefused.inc({ channel: 'http', reason: refused.reason });
    throw Errors.tooManyAttempts(
      refused.reason === 'account_locked'
        ? `too many wrong passwords for this account; try again in ${refused.retryAfterS} s`
        : `too many login attempts from this address; try again in ${refused.retryAfterS} s`,
      { retryAfterS: refused.retryAfterS },
    );
  }
  const staff = ctx.site.site.staff.find((s) => s.username === username);
  let ok: boolean;
  try {
    ok = await ctx.passwords.verify(password, staff?.passwordHash ?? null);
  } catch (err) {
    logins.succeeded(request.ip); // busy is not the caller's fault: give the attempt back
    throw err;
  }
  if (!ok || !staff) {
    ctx.metrics.loginsRefused.inc({ channel: 'http', reason: 'bad_credentials' });
    const lockedS = logins.failed(username);
    if (lockedS !== null) {
      ctx.metrics.accountLockouts.inc({ channel: 'http' });
      request.log.warn(
        { username, address: request.ip, lockedS },
        'account locked after repeated wrong passwords',
      );
    }
    throw Errors.authBadCredentials('wrong username or password');
  }
  logins.succeeded(request.ip, username);
  return staff;
}

function logIn(app: FastifyInstance, deps: AuthDeps): void {
  const { ctx } = deps;
  const { db } = ctx.stores;
  app.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Log in with a staff username and password; returns a bearer token',
        body: loginBodySchema,
        response: {
          200: {
            type: 'object',
            properties: { token: { type: 'string' }, expiresAt: { type: 'string' }, user: userSchema },
          },
          429: { description: 'too many attempts (Retry-After says when to try again)', ...errorEnvelope },
        },
      },
    },
    async (request) => {
      const { username, password } = request.body;
      const staff = await checkCredentials(deps, request, username, password);
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
}

function logOut(app: FastifyInstance, ctx: GatewayContext): void {
  app.post(
    '/api/auth/logout',
    {
      config: { access: 'staff' },
      schema: { tags: ['auth'], summary: 'Revoke the current token', response: { 204: { type: 'null' } } },
    },
    async (request, reply) => {
      // The hook has checked the token, so it is there.
      ctx.stores.db
        .prepare('DELETE FROM sessions WHERE token_hash = ?')
        .run(tokenHash(bearerToken(request)!));
      return reply.status(204).send();
    },
  );
}

function whoAmI(app: FastifyInstance): void {
  app.get(
    '/api/auth/me',
    {
      config: { access: 'staff' },
      schema: { tags: ['auth'], summary: 'Who the token belongs to', response: { 200: userSchema } },
    },
    async (request) => request.requireUser(),
  );
}

export default fp<{ ctx: GatewayContext }>(
  async (app, { ctx }) => {
    migrate(ctx.stores.db, 'sessions', [
      'CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, staff_id TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)',
    ]);
    const logins = new LoginGuard(
      {
        attemptsPerMin: ctx.settings.loginFailuresPerIpPerMin,
        lockoutAfterFailures: ctx.settings.lockoutAfterFailures,
        lockoutBaseS: ctx.settings.lockoutBaseS,
      },
      ctx.clock,
    );
    decorateUserRequests(app, (user, gridNodeId) =>
      user.roles.includes('admin') ? true : gridNodeId !== null && ctx.site.isWithin(gridNodeId, user.grid),
    );
    refuseUndeclaredRoutes(app);
    checkAccess(app, ctx);
    logIn(app, { ctx, logins });
    logOut(app, ctx);
    whoAmI(app);
  },
  { name: 'weige-auth', fastify: '5.x' },
);
