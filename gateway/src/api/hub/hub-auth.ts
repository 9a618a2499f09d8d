/**
 * Who is calling the street hub. People log in at `POST /api/auth/login` like at a gateway and
 * get the same request decorators (`user`, `requireUser`, `requireRole`, `canSee`, from the
 * gateway's auth plugin types); sessions live in PostgreSQL so any replica knows them. A street
 * account (`street_duty`, `street_admin`) sees every community of its street, a community
 * account only its own: `canSee(siteId)`. Gateways call with `Authorization: Gateway
 * <siteId>:<key>`; `request.gateway` is then that site id. Unknown gateways are refused and the
 * refusal kept in `hub_refusals`.
 */
import fp from 'fastify-plugin';
import { createHash, randomBytes } from 'node:crypto';
import type { AuthUser } from '../../contracts/auth.ts';
import { decorateUserRequests, loginBodySchema } from '../plugins/auth.ts';
import type { Clock } from '../../core/clock.ts';
import { Errors } from '../../core/errors.ts';
import { PasswordChecker } from '../../core/passwords.ts';
import { sameSecret } from '../../core/uplink-signature.ts';
import type { Pool } from '../../hub/database.ts';
import type { Street, StreetAccount } from '../../hub/street-file.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The calling gateway's site id, on gateway routes. */
    gateway: string | null;
  }
}

export interface HubAuthOptions {
  street: Street;
  pool: Pool;
  clock: Clock;
  tokenTtlH: number;
}

const PUBLIC_ROUTES = new Set(['/api/auth/login']);
const GATEWAY_ROUTES = new Set(['/api/hub/uplink', '/api/hub/downlink']);
const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export function hubUser(street: Street, a: StreetAccount): AuthUser {
  // `grid` is the street for street accounts and the site for community accounts.
  return {
    id: a.username,
    name: a.name,
    username: a.username,
    roles: a.roles,
    grid: a.site ?? street.id,
    onCall: null,
  };
}

export default fp<HubAuthOptions>(
  async (app, { street, pool, clock, tokenTtlH }) => {
    const accounts = new Map(street.staff.map((s) => [s.username, s]));
    const keys = new Map(street.communities.map((c) => [c.siteId, c.key]));

    // A street account sees every community of its street; a community account only its own.
    decorateUserRequests(
      app,
      (user, siteId) => user.grid === street.id || (siteId !== null && user.grid === siteId),
    );
    app.decorateRequest('gateway', null);

    const refuseGateway = async (siteId: string | null, message: string): Promise<never> => {
      await pool.query(
        `INSERT INTO hub_refusals (at, site_id, seq, reason, message) VALUES ($1, $2, NULL, 'unknown_gateway', $3)`,
        [clock.now(), siteId, message],
      );
      throw Errors.authRequired(message, { reason: 'unknown_gateway' });
    };

    // Off the event loop, one check at a time, and as slow for an unknown name as for a known one.
    const passwords = new PasswordChecker(1);
    app.addHook('onClose', () => passwords.close());

    app.addHook('onRequest', async (request) => {
      // The routed path, never the raw URL: `/%61pi/...` routes to `/api/...` too.
      const path = request.routeOptions.url ?? '';
      if (!path.startsWith('/api/') || PUBLIC_ROUTES.has(path)) return;
      const header = request.headers.authorization ?? '';
      if (GATEWAY_ROUTES.has(path)) {
        const m = /^Gateway ([^:\s]+):(\S+)$/.exec(header);
        if (!m) return refuseGateway(null, 'gateway routes need Authorization: Gateway <siteId>:<key>');
        const key = keys.get(m[1]!);
        if (!key || !sameSecret(key, m[2]!))
          return refuseGateway(m[1]!, `no gateway '${m[1]}' with that key in street '${street.id}'`);
        request.gateway = m[1]!;
        return;
      }
      if (!header.startsWith('Bearer ')) throw Errors.authRequired('missing bearer token');
      const row = (
        await pool.query('SELECT username, expires_at FROM hub_sessions WHERE token_hash = $1', [
          tokenHash(header.slice(7).trim()),
        ])
      ).rows[0] as { username: string; expires_at: number } | undefined;
      // On the hub's clock, as at the gateway (a page on the same clock judges the same expiry).
      const account = row && row.expires_at > clock.now() ? accounts.get(row.username) : undefined;
      if (!account) throw Errors.authRequired('token unknown or expired; log in again');
      request.user = hubUser(street, account);
    });

    app.post<{ Body: { username: string; password: string } }>(
      '/api/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Log in with a street or community account; returns a bearer token',
          body: loginBodySchema,
        },
      },
      async (request) => {
        const account = accounts.get(request.body.username);
        if (!(await passwords.verify(request.body.password, account?.passwordHash ?? null)) || !account)
          throw Errors.authBadCredentials('wrong username or password');
        const token = randomBytes(32).toString('base64url');
        const expiresAt = clock.now() + tokenTtlH * 3600_000;
        await pool.query('INSERT INTO hub_sessions (token_hash, username, expires_at) VALUES ($1, $2, $3)', [
          tokenHash(token),
          account.username,
          expiresAt,
        ]);
        return { token, expiresAt: new Date(expiresAt).toISOString(), user: hubUser(street, account) };
      },
    );

    app.get(
      '/api/auth/me',
      { schema: { tags: ['auth'], summary: 'Who the token belongs to' } },
      async (request) => request.requireUser(),
    );
  },
  { name: 'weige-hub-auth', fastify: '5.x' },
);
