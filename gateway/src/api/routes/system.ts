/** Unauthenticated operational endpoints: /healthz and /metrics (Prometheus text), plus codecs. */
import type { FastifyPluginAsync } from 'fastify';
import type { GatewayContext } from '../../context.ts';
import type { GatewayHealth } from '../../contracts/health.ts';

const healthSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded'] },
    site: { type: 'string' },
    transport: { type: 'object', additionalProperties: true },
    problems: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          component: { type: 'string' },
          reason: { type: 'string' },
          detail: { type: ['string', 'null'] },
          since: { type: 'string', format: 'date-time' },
        },
      },
    },
    store: {
      type: 'object',
      properties: {
        writable: { type: 'boolean' },
        freeBytes: { type: ['integer', 'null'] },
        minFreeBytes: { type: 'integer' },
      },
    },
  },
} as const;

const route: FastifyPluginAsync<{
  ctx: GatewayContext;
  ready: () => boolean;
  health: () => GatewayHealth;
}> = async (app, { ctx, ready, health }) => {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Liveness, readiness, and what degrades the gateway',
        description:
          '200 while the process serves, with status "ok" or "degraded" (then `problems` says why: the store refuses device messages, InfluxDB is unreachable). 503 while starting.',
        response: {
          200: healthSchema,
          503: { type: 'object', properties: { status: { type: 'string' } } },
        },
      },
    },
    async (_request, reply) => {
      if (!ready()) return reply.status(503).send({ status: 'starting' });
      const { problems, store } = health();
      return {
        // Degraded, not 503: a restart would not free the disk or bring InfluxDB back.
        status: problems.length ? 'degraded' : 'ok',
        site: ctx.site.siteId,
        transport: ctx.transport.describe(),
        problems: problems.map((p) => ({ ...p, since: new Date(p.since).toISOString() })),
        store,
      };
    },
  );

  app.get(
    '/metrics',
    {
      config: { access: 'public' },
      schema: { tags: ['system'], summary: 'Prometheus metrics', hide: false },
    },
    async (_request, reply) => {
      reply.header('content-type', ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    },
  );

  app.get(
    '/api/codecs',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['ingest'],
        summary: 'Codecs this gateway decodes',
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                description: { type: 'string' },
                kinds: { type: 'array', items: { type: 'string' } },
                streams: { type: 'array', items: { type: 'string' } },
                vendorTopic: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
    },
    async (request) => {
      request.requireUser();
      return ctx.codecs.list().map((c) => ({
        id: c.id,
        description: c.description,
        kinds: c.kinds,
        streams: c.streams,
        vendorTopic: c.vendorTopic?.filter ?? null,
      }));
    },
  );
};

export default route;
