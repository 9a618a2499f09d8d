/**
 * `GET /api/stream`: the pages' WebSocket (protocol: docs/api-stream.md). The channels stage
 * pushes alerts, incidents, device health and site mode to it, scoped to the user's grid.
 */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ChannelsFacade } from '../../channels/facade.ts';
import { StringEnum } from '../schemas.ts';

export function streamRoutes(channels: () => ChannelsFacade): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/stream',
      {
        config: { access: 'staff' },
        websocket: true,
        schema: {
          tags: ['stream'],
          summary: 'WebSocket push of alerts, incidents, device health and site mode (docs/api-stream.md)',
          querystring: Type.Object({
            token: Type.Optional(
              Type.String({ description: 'bearer token (browsers cannot set headers on a WebSocket)' }),
            ),
            lang: Type.Optional(StringEnum(['zh-CN', 'en'])),
          }),
        },
      },
      (socket, request) => {
        channels().addStreamClient(socket, request.requireUser(), request.query.lang ?? 'zh-CN');
      },
    );
  };
}
