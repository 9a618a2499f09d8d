/**
 * Numbers for dashboards and tuning: GET /api/stats/response-times, /api/stats/false-alarms,
 * /api/stats/alerts (counts per time bucket and kind) and /api/stats/incidents (by state/kind).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../../context.ts';
import { parseTimeParam, timeParam } from '../schemas.ts';
import type { AlertingFacade } from '../../alerting/facade.ts';
import type { AlertingDeps } from '../alerting-deps.ts';
import {
  falseAlarms,
  inactivityFollowUp,
  incidentSummary,
  responseTimes,
  type GroupBy,
} from '../../alerting/stats.ts';

const GROUPS = ['kind', 'severity', 'grid', 'rule', 'model', 'device', 'household'];
const DAY_MS = 86400_000;

const range = {
  from: { ...timeParam, description: 'incidents created at or after (default: 30 days ago)' },
  to: { ...timeParam, description: 'and before (default: now)' },
};

/** The stats window (`from`, `to`) and, where given, the one parameter that groups or buckets it. */
function windowQuery(name?: string, values?: readonly string[], fallback?: string): Record<string, unknown> {
  const properties = name ? { ...range, [name]: { type: 'string', enum: values, default: fallback } } : range;
  return { type: 'object', additionalProperties: false, properties };
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

type StatsQuery = { from?: string; to?: string };

/** The requested window, by default the 30 days up to now. */
function statsWindow(service: () => AlertingFacade, q: StatsQuery) {
  const now = service().now();
  const to = parseTimeParam(q.to, 'to') ?? now + 1;
  return { since: parseTimeParam(q.from, 'from') ?? to - 30 * DAY_MS, until: to };
}

/** Incidents in the requested window that the caller's grid covers. */
function visibleIncidents(
  { ctx, service }: AlertingDeps,
  request: FastifyRequest<{ Querystring: StatsQuery }>,
) {
  request.requireUser();
  return service()
    .store.listIncidents({ ...statsWindow(service, request.query), limit: 100_000 })
    .filter((i) => request.canSee(i.gridNode ?? ctx.site.site.grid.id));
}

function responseTimeStats(app: FastifyInstance, { ctx, service }: AlertingDeps): void {
  app.get<{ Querystring: { from?: string; to?: string; by: GroupBy } }>(
    '/api/stats/response-times',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['stats'],
        summary: 'Seconds from dispatch to accept, on site and resolved (p50, p90, mean, max), grouped',
        querystring: windowQuery('by', GROUPS, 'kind'),
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

function falseAlarmStats(app: FastifyInstance, { ctx, service }: AlertingDeps): void {
  app.get<{ Querystring: { from?: string; to?: string; by: GroupBy } }>(
    '/api/stats/false-alarms',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['stats'],
        summary:
          'Resolved incidents and false alarms (false_alarm, resident_away, device_fault) per rule, model, device or household',
        querystring: windowQuery('by', GROUPS, 'rule'),
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

function inactivityStats(app: FastifyInstance, { ctx, service }: AlertingDeps): void {
  app.get<{ Querystring: { from?: string; to?: string; by: 'household' | 'month' } }>(
    '/api/stats/inactivity',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['stats'],
        summary:
          'Elderly inactivity, call first: alerts, calls answered fine, visits, alerts per visit and time to confirmed safe, per household or per month',
        querystring: windowQuery('by', ['household', 'month'], 'month'),
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

function alertStats(app: FastifyInstance, { ctx, service }: AlertingDeps): void {
  app.get<{ Querystring: { from?: string; to?: string; bucket: 'hour' | 'day' } }>(
    '/api/stats/alerts',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['stats'],
        summary: 'Alert counts per time bucket and kind (charts)',
        querystring: windowQuery('bucket', ['hour', 'day'], 'hour'),
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

function incidentStats(app: FastifyInstance, { ctx, service }: AlertingDeps): void {
  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/api/stats/incidents',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['stats'],
        summary: 'Incident counts by state, kind and severity',
        querystring: windowQuery(),
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

export function statsRoutes(service: () => AlertingFacade): FastifyPluginAsync<{ ctx: GatewayContext }> {
  return async (app, { ctx }) => {
    const deps = { ctx, service };
    responseTimeStats(app, deps);
    falseAlarmStats(app, deps);
    inactivityStats(app, deps);
    alertStats(app, deps);
    incidentStats(app, deps);
  };
}
