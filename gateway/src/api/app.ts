/**
 * The fastify app factory (no listen): plugins (errors, auth, OpenAPI, WebSocket), the core
 * routes, MQTT over WebSocket at /mqtt when the broker is embedded, and whatever route plugins
 * later stages (alerting, rules, dashboards) contribute.
 */
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
} from 'fastify';
import compress from '@fastify/compress';
import websocket from '@fastify/websocket';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createWebSocketStream } from 'ws';
import type { GatewayContext } from '../context.ts';
import { EmbeddedBroker } from '../transport/embedded-broker.ts';
import authPlugin from './plugins/auth.ts';
import errorsPlugin from './plugins/errors.ts';
import deadLetterRoutes from './routes/dead-letters.ts';
import deviceRoutes from './routes/devices.ts';
import siteRoutes from './routes/site.ts';
import systemRoutes from './routes/system.ts';

/** A route plugin contributed by another stage; it receives the same context. */
export type ApiExtension = FastifyPluginAsync<{ ctx: GatewayContext }>;

export async function createApi(
  ctx: GatewayContext,
  options: { ready: () => boolean; extensions?: ApiExtension[] },
): Promise<FastifyInstance> {
  const app = Fastify({
    // Typed as fastify's base logger so routes and plugins see the default FastifyInstance type.
    loggerInstance: ctx.log.child({ ns: 'weige:http' }) as FastifyBaseLogger,
    // Per-request access logs would drown the gateway's own logs; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false },
    },
  });
  // Grid workers are often on a weak mobile network: compress API responses (site, devices, readings).
  await app.register(compress, { threshold: 1024, encodings: ['br', 'gzip', 'deflate'] });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Weige gateway API',
        description: 'Sensing and alerting gateway for residential communities (微格)',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(websocket, {
    options: {
      maxPayload: 1024 * 1024,
      // MQTT clients ask for the 'mqtt' subprotocol (MQTT 3.1.1 §6); answer it.
      handleProtocols: (protocols: Set<string>) =>
        protocols.has('mqtt') ? 'mqtt' : (protocols.values().next().value ?? false),
    },
  });
  await app.register(errorsPlugin);
  await app.register(authPlugin, { ctx });
  await app.register(systemRoutes, { ctx, ready: options.ready });
  await app.register(siteRoutes, { ctx });
  await app.register(deviceRoutes, { ctx });
  await app.register(deadLetterRoutes, { ctx });
  for (const extension of options.extensions ?? []) await app.register(extension, { ctx });

  const transport = ctx.transport;
  if (transport instanceof EmbeddedBroker) {
    app.get('/mqtt', { websocket: true, schema: { hide: true } }, (socket, request) => {
      transport.handleStream(createWebSocketStream(socket), request.raw);
    });
  }
  return app;
}
