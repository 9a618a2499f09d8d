/** GET /api/dead-letters: rejected messages with their reason, newest first (engineers, admins). */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GatewayContext } from '../../context.ts';
import { parseTimeParam, timeParam } from '../schemas.ts';

const route: FastifyPluginAsyncTypebox<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  app.get(
    '/api/dead-letters',
    {
      config: { access: ['engineer', 'property_manager'] },
      schema: {
        tags: ['ingest'],
        summary: 'Rejected messages with the reason and the payload as received',
        querystring: Type.Object(
          {
            reason: Type.Optional(Type.String({ maxLength: 64 })),
            deviceId: Type.Optional(Type.String({ maxLength: 64 })),
            since: Type.Optional(timeParam),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            type: 'object',
            properties: {
              counts: { type: 'object', additionalProperties: { type: 'integer' } },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    receivedAt: { type: 'string' },
                    topic: { type: 'string' },
                    deviceId: { type: ['string', 'null'] },
                    reason: { type: 'string' },
                    detail: { type: 'string' },
                    payload: { type: 'string' },
                    payloadEncoding: { type: 'string' },
                    payloadBytes: { type: 'integer' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      request.requireRole('engineer', 'property_manager');
      const q = request.query;
      const items = ctx.stores.deadLetters.query({
        siteId: ctx.site.siteId,
        ...(q.reason ? { reason: q.reason } : {}),
        ...(q.deviceId ? { deviceId: q.deviceId } : {}),
        since: parseTimeParam(q.since, 'since') ?? 0,
        limit: q.limit ?? 100,
      });
      return {
        counts: ctx.stores.deadLetters.countByReason(ctx.site.siteId),
        items: items.map((d) => ({ ...d, receivedAt: new Date(d.receivedAt).toISOString() })),
      };
    },
  );
};

export default route;
