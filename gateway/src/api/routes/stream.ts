/**
 * `GET /api/stream`: the pages' WebSocket (protocol: docs/api-stream.md). The channels stage
 * pushes alerts, incidents, device health and site mode to it, scoped to the user's grid.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ChannelsFacade } from '../../channels/facade.ts';

export function streamRoutes(channels: () => ChannelsFacade): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { token?: string; lang?: 'zh-CN' | 'en' } }>(
      '/api/stream',
      {
        config: { access: 'staff' },
        websocket: true,
        schema: {
          tags: ['stream'],
          summary: 'WebSocket push of alerts, incidents, device health and site mode (docs/api-stream.md)',
          querystring: {
            type: 'object',
            properties: {
              token: {
                type: 'string',
                description: 'bearer token (browsers cannot set headers on a WebSocket)',
              },
              lang: { type: 'string', enum: ['zh-CN', 'en'] },
            },
          },
        },
      },
      (socket, request) => {
        channels().addStreamClient(socket, request.requireUser(), request.query.lang ?? 'zh-CN');
      },
    );
  };
}
