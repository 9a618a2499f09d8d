/** Unauthenticated operational endpoints: /healthz and /metrics (Prometheus text), plus codecs. */
import type { FastifyPluginAsync } from 'fastify';
import type { GatewayContext } from '../../context.ts';

const route: FastifyPluginAsync<{ ctx: GatewayContext; ready: () => boolean }> = async (
  app,
  { ctx, ready },
) => {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Liveness and readiness',
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              site: { type: 'string' },
              transport: { type: 'object', additionalProperties: true },
            },
          },
          503: { type: 'object', properties: { status: { type: 'string' } } },
        },
      },
    },
    async (_request, reply) => {
      if (!ready()) return reply.status(503).send({ status: 'starting' });
      return { status: 'ok', site: ctx.site.siteId, transport: ctx.transport.describe() };
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
