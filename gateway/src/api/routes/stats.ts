/**
 * Numbers for dashboards and tuning: GET /api/stats/response-times, /api/stats/false-alarms,
 * /api/stats/alerts (counts per time bucket and kind) and /api/stats/incidents (by state/kind).
 */
import type { FastifyRequest } from 'fastify';
import {
  Type,
  type FastifyPluginAsyncTypebox,
  type Static,
  type TProperties,
} from '@fastify/type-provider-typebox';
import type { GatewayContext } from '../../context.ts';
import { parseTimeParam, StringEnum, timeParam, WithDefault, type TypedApp } from '../schemas.ts';
import type { AlertingFacade } from '../../alerting/facade.ts';
import type { AlertingDeps } from '../alerting-deps.ts';
import {
  falseAlarms,
  inactivityFollowUp,
  incidentSummary,
  responseTimes,
  type GroupBy,
} from '../../alerting/stats.ts';

const GROUPS = [
  'kind',
  'severity',
  'grid',
  'rule',
  'model',
  'device',
  'household',
] as const satisfies readonly GroupBy[];
const DAY_MS = 86400_000;

const range = {
  from: Type.Optional(
    Type.String({ ...timeParam, description: 'incidents created at or after (default: 30 days ago)' }),
  ),
  to: Type.Optional(Type.String({ ...timeParam, description: 'and before (default: now)' })),
};

/** The stats window (`from`, `to`) and, where given, the one parameter that groups or buckets it. */
function windowQuery<P extends TProperties>(grouping: P) {
  return Type.Object({ ...range, ...grouping }, { additionalProperties: false });
}

/** A grouping or bucketing parameter: one of `values`, `fallback` when not given. */
function oneOf<const V extends readonly string[]>(values: V, fallback: V[number]) {
  return WithDefault(StringEnum(values, { default: fallback }));
}

const summary = {
  type: 'object',
  properties: {
    n: { type: 'integer' },
    p50S: { type: ['number', 'null'] },
    p90S: { type: ['number', 'null'] },
    meanS: { type: ['number', 'null'] },
    maxS: { type: ['number', 'null'] },
  },
} as const;

/** The window alone, for the routes that neither group nor bucket. */
const windowOnly = windowQuery({});
type StatsQuery = Static<typeof windowOnly>;

/** The requested window, by default the 30 days up to now. */
function statsWindow(service: () => AlertingFacade, q: StatsQuery) {
  const now = service().now();
  const to = parseTimeParam(q.to, 'to') ?? now + 1;
  return { since: parseTimeParam(q.from, 'from') ?? to - 30 * DAY_MS, until: to };
}

/** Incidents in the requested window that the caller's grid covers. */
function visibleIncidents(
  { ctx, service }: AlertingDeps,
  request: Pick<FastifyRequest, 'requireUser' | 'canSee'> & { query: StatsQuery },
) {
  request.requireUser();
  return service()
    .store.listIncidents({ ...statsWindow(service, request.query), limit: 100_000 })
    .filter((i) => request.canSee(i.gridNode ?? ctx.site.site.grid.id));
}

function responseTimeStats(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.get(
    '/api/stats/response-times',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['stats'],
        summary: 'Seconds from dispatch to accept, on site and resolved (p50, p90, mean, max), grouped',
        querystring: windowQuery({ by: oneOf(GROUPS, 'kind') }),
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                key: { type: 'string' },
                incidents: { type: 'integer' },
                accept: summary,
                arrive: summary,
                resolve: summary,
              },
            },
          },
        },
      },
    },
    async (request) => {
      const incidents = visibleIncidents({ ctx, service }, request);
      return responseTimes(incidents, request.query.by);
    },
  );
}

function falseAlarmStats(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.get(
    '/api/stats/false-alarms',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['stats'],
        summary:
          'Resolved incidents and false alarms (false_alarm, resident_away, device_fault) per rule, model, device or household',
        querystring: windowQuery({ by: oneOf(GROUPS, 'rule') }),
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                key: { type: 'string' },
                resolved: { type: 'integer' },
                falseAlarms: { type: 'integer' },
                falseAlarmRate: { type: 'number' },
                byDisposition: { type: 'object', additionalProperties: { type: 'integer' } },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const incidents = visibleIncidents({ ctx, service }, request);
      return falseAlarms(incidents, request.query.by);
    },
  );
}

function inactivityStats(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.get(
    '/api/stats/inactivity',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['stats'],
        summary:
          'Elderly inactivity, call first: alerts, calls answered fine, visits, alerts per visit and time to confirmed safe, per household or per month',
        querystring: windowQuery({ by: oneOf(['household', 'month'], 'month') }),
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                key: { type: 'string' },
                alerts: { type: 'integer' },
                answeredFine: { type: 'integer' },
                visits: { type: 'integer' },
                alertsPerVisit: { type: ['number', 'null'] },
                timeToSafe: summary,
              },
            },
          },
        },
      },
    },
    async (request) =>
      inactivityFollowUp(
        visibleIncidents({ ctx, service }, request),
        (id) => service().store.history(id),
        request.query.by,
        ctx.site.site.timezone,
      ),
  );
}

function alertStats(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.get(
    '/api/stats/alerts',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['stats'],
        summary: 'Alert counts per time bucket and kind (charts)',
        querystring: windowQuery({ bucket: oneOf(['hour', 'day'], 'hour') }),
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                bucket: { type: 'string' },
                kind: { type: 'string' },
                count: { type: 'integer' },
                muted: { type: 'integer' },
              },
            },
          },
        },
      },
    },
    async (request) => {
      request.requireUser();
      const { since, until } = statsWindow(service, request.query);
      const size = request.query.bucket === 'day' ? DAY_MS : 3600_000;
      const counts = new Map<string, { bucket: string; kind: string; count: number; muted: number }>();
      for (const f of service().store.alertFacts(since, until)) {
        if (!request.canSee(f.gridNode ?? ctx.site.site.grid.id)) continue;
        const bucket = new Date(Math.floor(f.at / size) * size).toISOString();
        const key = `${bucket}|${f.kind}`;
        const c = counts.get(key) ?? { bucket, kind: f.kind, count: 0, muted: 0 };
        c.count += 1;
        if (f.status === 'silenced' || f.status === 'inhibited') c.muted += 1;
        counts.set(key, c);
      }
      return [...counts.values()].sort(
        (a, b) => a.bucket.localeCompare(b.bucket) || a.kind.localeCompare(b.kind),
      );
    },
  );
}

function incidentStats(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.get(
    '/api/stats/incidents',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['stats'],
        summary: 'Incident counts by state, kind and severity',
        querystring: windowOnly,
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              byState: { type: 'object', additionalProperties: { type: 'integer' } },
              byKind: { type: 'object', additionalProperties: { type: 'integer' } },
              bySeverity: { type: 'object', additionalProperties: { type: 'integer' } },
            },
          },
        },
      },
    },
    async (request) => {
      const incidents = visibleIncidents({ ctx, service }, request);
      return incidentSummary(incidents);
    },
  );
}

export function statsRoutes(
  service: () => AlertingFacade,
): FastifyPluginAsyncTypebox<{ ctx: GatewayContext }> {
  return async (app, { ctx }) => {
    const deps = { ctx, service };
    responseTimeStats(app, deps);
    falseAlarmStats(app, deps);
    inactivityStats(app, deps);
    alertStats(app, deps);
    incidentStats(app, deps);
  };
}
