/**
 * The street console's API: the communities on one page, incidents by community with their
 * history, and the street's actions — accept and hand back (street duty), street-wide emergency
 * mode and street silences (street admin). A street account sees every community of its street;
 * a community account only its own (others answer 404, so ids do not leak).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { FALSE_ALARM_DISPOSITIONS } from '../../alerting/model.ts';
import type { Clock } from '../../core/clock.ts';
import { modeBodySchema, silenceMatchersSchema } from '../schemas.ts';
import { Errors } from '../../core/errors.ts';
import { inTransaction, type Pool } from '../../hub/database.ts';
import type { StreetDesk, StreetIncidentAction } from '../../hub/street-desk.ts';
import type { Street } from '../../hub/street-file.ts';
import { ACTIVE_STATES, nextState } from '../../contracts/incidents.ts';

export interface StreetRoutesOptions {
  street: Street;
  pool: Pool;
  clock: Clock;
  desk: StreetDesk;
}

/** Response times and false-alarm rates cover this window (milliseconds). */
const STATS_WINDOW_MS = 30 * 86400_000;
const note = {
  type: 'object',
  additionalProperties: false,
  properties: { note: { type: 'string', maxLength: 500 } },
} as const;

type Params = { siteId: string; incidentId: string };

const visibleSites = (street: Street, request: FastifyRequest): string[] =>
  street.communities.map((c) => c.siteId).filter((s) => request.canSee(s));

/** The incident's row if the caller sees its community; 404 either way, so ids do not leak. */
async function incidentOf(pool: Pool, request: FastifyRequest, { siteId, incidentId }: Params) {
  const row = request.canSee(siteId)
    ? (
        await pool.query('SELECT * FROM hub_incidents WHERE site_id = $1 AND incident_id = $2', [
          siteId,
          incidentId,
        ])
      ).rows[0]
    : undefined;
  if (!row) throw Errors.notFound(`no incident '${incidentId}' in '${siteId}'`);
  return row;
}

function streetOverview(app: FastifyInstance, { street, pool, clock }: StreetRoutesOptions): void {
  app.get(
    '/api/street',
    { schema: { tags: ['street'], summary: 'The street and the communities the caller sees' } },
    async (request) => {
      const sites = visibleSites(street, request);
      const since = clock.now() - STATS_WINDOW_MS;
      const q = async (sql: string, args: unknown[] = []) => (await pool.query(sql, [sites, ...args])).rows;
      const open = await q(
        `SELECT site_id, severity, COUNT(*)::int AS n, COUNT(street_since)::int AS at_street FROM hub_incidents
       WHERE site_id = ANY($1) AND state = ANY($2) GROUP BY site_id, severity`,
        [ACTIVE_STATES],
      );
      const stats = await q(
        `SELECT site_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY accepted_at - created_at) / 1000 AS median_accept_s,
              COUNT(*) FILTER (WHERE disposition = ANY($3))::int AS false_alarms, COUNT(disposition)::int AS closed
       FROM hub_incidents WHERE site_id = ANY($1) AND created_at >= $2 GROUP BY site_id`,
        [since, FALSE_ALARM_DISPOSITIONS],
      );
      const offline = await q(
        `SELECT site_id, COUNT(*)::int AS n FROM hub_devices WHERE site_id = ANY($1) AND status = 'offline' GROUP BY site_id`,
      );
      const gateways = await q(
        'SELECT site_id, last_seen_at, mode, last_seq FROM hub_communities WHERE site_id = ANY($1)',
      );
      return {
        id: street.id,
        name: street.name,
        communities: sites.map((siteId) => {
          const gw = gateways.find((g) => g.site_id === siteId);
          const st = stats.find((s) => s.site_id === siteId);
          const mine = open.filter((o) => o.site_id === siteId);
          return {
            siteId,
            name: street.communities.find((c) => c.siteId === siteId)!.name,
            lastSeenAt: gw?.last_seen_at ? new Date(gw.last_seen_at).toISOString() : null,
            mode: gw?.mode ?? 'normal',
            open: Object.fromEntries(mine.map((o) => [o.severity, o.n])),
            atStreet: mine.reduce((sum, o) => sum + Number(o.at_street), 0),
            medianAcceptS:
              st?.median_accept_s === null || st === undefined ? null : Number(st.median_accept_s),
            falseAlarmRate: st && st.closed ? st.false_alarms / st.closed : null,
            devicesOffline: offline.find((o) => o.site_id === siteId)?.n ?? 0,
          };
        }),
      };
    },
  );
}

function listStreetIncidents(app: FastifyInstance, { street, pool }: StreetRoutesOptions): void {
  app.get<{ Querystring: { siteId?: string; scope: 'active' | 'street' | 'all'; limit: number } }>(
    '/api/street/incidents',
    {
      schema: {
        tags: ['street'],
        summary: 'Incidents of the communities the caller sees, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            siteId: { type: 'string' },
            scope: { type: 'string', enum: ['active', 'street', 'all'], default: 'active' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          },
        },
      },
    },
    async (request) => {
      const { siteId, scope, limit } = request.query;
      const sites = visibleSites(street, request).filter((s) => !siteId || s === siteId);
      const where =
        scope === 'street' ? 'AND street_since IS NOT NULL' : scope === 'active' ? 'AND state = ANY($3)' : '';
      const rows = (
        await pool.query(
          `SELECT site_id, street_since, doc FROM hub_incidents WHERE site_id = ANY($1) ${where}
           ORDER BY updated_at DESC LIMIT $2`,
          scope === 'active' ? [sites, limit, ACTIVE_STATES] : [sites, limit],
        )
      ).rows;
      return rows.map((r) => ({
        ...r.doc,
        atStreetSince: r.street_since ? new Date(r.street_since).toISOString() : null,
      }));
    },
  );
}

function getStreetIncident(app: FastifyInstance, { pool }: StreetRoutesOptions): void {
  app.get<{ Params: Params }>(
    '/api/street/incidents/:siteId/:incidentId',
    {
      schema: {
        tags: ['street'],
        summary: 'One incident: its latest state, every change its community sent, and what the street did',
      },
    },
    async (request) => {
      const row = await incidentOf(pool, request, request.params);
      const { siteId, incidentId } = request.params;
      const changes = (
        await pool.query(
          `SELECT seq, at, received_at, body->'lastChange' AS change, body->>'state' AS state FROM hub_records
           WHERE site_id = $1 AND ref_id = $2 AND kind = 'incident' ORDER BY seq`,
          [siteId, incidentId],
        )
      ).rows.map((r) => ({
        seq: r.seq,
        state: r.state,
        ...r.change,
        receivedAt: new Date(r.received_at).toISOString(),
      }));
      const street = (
        await pool.query(
          'SELECT id, at, type, by, data FROM hub_street_events WHERE site_id = $1 AND incident_id = $2 ORDER BY id',
          [siteId, incidentId],
        )
      ).rows.map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
      return {
        ...row.doc,
        atStreetSince: row.street_since ? new Date(row.street_since).toISOString() : null,
        changes,
        street,
      };
    },
  );
}

/** Street duty's accept and hand back. */
function actOnIncident(
  app: FastifyInstance,
  { pool, clock, desk }: StreetRoutesOptions,
  path: string,
  kind: StreetIncidentAction,
): void {
  app.post<{ Params: Params; Body: { note?: string } }>(
    path,
    {
      schema: {
        tags: ['street'],
        summary: `Street duty: ${kind === 'accept' ? 'accept' : 'hand back to the community'}`,
        body: note,
      },
    },
    async (request, reply) => {
      const user = request.requireRole('street_duty', 'street_admin');
      const row = await incidentOf(pool, request, request.params);
      if (nextState(row.state, kind === 'accept' ? 'accept' : 'hand_back') === null)
        throw Errors.incidentTransitionRefused(
          `cannot ${kind === 'accept' ? 'accept' : 'hand back'} an incident that is ${row.state}`,
        );
      const { siteId, incidentId } = request.params;
      const seq = await inTransaction(pool, (db) =>
        desk.incidentAction(
          db,
          kind,
          user.username,
          siteId,
          incidentId,
          request.body?.note ?? null,
          clock.now(),
        ),
      );
      return reply.status(202).send({ siteId, incidentId, downlinkSeq: seq });
    },
  );
}

function setStreetMode(app: FastifyInstance, { street, pool, clock, desk }: StreetRoutesOptions): void {
  app.put<{ Body: { mode: 'normal' | 'emergency'; reason?: string } }>(
    '/api/street/mode',
    {
      schema: {
        tags: ['street'],
        summary:
          'Street-wide emergency mode 平战结合: sent to every community gateway of the street (street admin)',
        body: modeBodySchema,
      },
    },
    async (request, reply) => {
      const user = request.requireRole('street_admin');
      if (request.user!.grid !== street.id)
        throw Errors.authForbidden('only a street account may switch the whole street');
      await inTransaction(pool, (db) =>
        desk.setMode(db, user.username, request.body.mode, request.body.reason ?? null, clock.now()),
      );
      return reply.status(202).send({ mode: request.body.mode, communities: street.communities.length });
    },
  );
}

function silenceStreet(app: FastifyInstance, { street, pool, clock, desk }: StreetRoutesOptions): void {
  app.post<{
    Body: {
      matchers: Record<string, string>;
      startsAt: string;
      endsAt: string;
      reason: string;
      siteIds?: string[];
    };
  }>(
    '/api/street/silences',
    {
      schema: {
        tags: ['street'],
        summary: 'A street-level silence, sent to the chosen communities (all by default) and recorded there',
        body: {
          type: 'object',
          required: ['matchers', 'startsAt', 'endsAt', 'reason'],
          additionalProperties: false,
          properties: {
            matchers: silenceMatchersSchema,
            startsAt: { type: 'string', format: 'date-time' },
            endsAt: { type: 'string', format: 'date-time' },
            reason: { type: 'string', minLength: 1, maxLength: 500 },
            siteIds: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    async (request, reply) => {
      const user = request.requireRole('street_admin', 'street_duty');
      const { siteIds, ...body } = request.body;
      const sites = siteIds ?? visibleSites(street, request);
      const unknown = sites.filter((s) => !visibleSites(street, request).includes(s));
      if (unknown.length)
        throw Errors.badRequest(`body/siteIds: not communities you see: ${unknown.join(', ')}`);
      if (Date.parse(body.endsAt) <= Date.parse(body.startsAt))
        throw Errors.badRequest('body/endsAt must be after body/startsAt');
      await inTransaction(pool, (db) => desk.silence(db, user.username, sites, body, clock.now()));
      return reply.status(202).send({ communities: sites });
    },
  );
}

function listRefusals(app: FastifyInstance, { pool }: StreetRoutesOptions): void {
  app.get<{ Querystring: { limit: number } }>(
    '/api/hub/refusals',
    {
      schema: {
        tags: ['hub'],
        summary: 'Refused uplink requests and records, newest first, with the reason (street admin)',
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        },
      },
    },
    async (request) => {
      request.requireRole('street_admin');
      const rows = (
        await pool.query('SELECT * FROM hub_refusals ORDER BY id DESC LIMIT $1', [request.query.limit])
      ).rows;
      return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
    },
  );
}

export const streetRoutes: FastifyPluginAsync<StreetRoutesOptions> = async (app, options) => {
  streetOverview(app, options);
  listStreetIncidents(app, options);
  getStreetIncident(app, options);
  actOnIncident(app, options, '/api/street/incidents/:siteId/:incidentId/accept', 'accept');
  actOnIncident(app, options, '/api/street/incidents/:siteId/:incidentId/hand-back', 'handBack');
  setStreetMode(app, options);
  silenceStreet(app, options);
  listRefusals(app, options);
};
