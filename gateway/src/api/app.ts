/**
 * The fastify app factory (no listen): plugins (errors, auth, OpenAPI, WebSocket), the core
 * routes, the routes of each stage the gateway runs (over its facade, `stages.ts`), and MQTT over
 * WebSocket at /mqtt when the broker is embedded.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import compress from '@fastify/compress';
import websocket from '@fastify/websocket';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import http from 'node:http';
import type { Socket } from 'node:net';
import { createWebSocketStream } from 'ws';
import type { GatewayContext } from '../context.ts';
import type { GatewayHealth } from '../contracts/health.ts';
import { EmbeddedBroker } from '../transport/embedded-broker.ts';
import { ConnectionGuard } from '../transport/connection-guard.ts';
import authPlugin, { markRoutesPublic } from './plugins/auth.ts';
import errorsPlugin from './plugins/errors.ts';
import { alertRoutes } from './routes/alerts.ts';
import awayRoutes from './routes/away.ts';
import { channelRoutes } from './routes/channels.ts';
import { dashboardRoutes } from './routes/dashboards.ts';
import deadLetterRoutes from './routes/dead-letters.ts';
import deviceRoutes from './routes/devices.ts';
import { householdRoutes } from './routes/households.ts';
import { incidentStepRoutes } from './routes/incident-steps.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { modelRoutes } from './routes/models.ts';
import { monitoredHouseholdRoutes } from './routes/monitored-households.ts';
import { privacyRoutes } from './routes/privacy.ts';
import { ruleRoutes } from './routes/rules.ts';
import { silenceRoutes } from './routes/silences.ts';
import siteRoutes from './routes/site.ts';
import { siteModeRoutes } from './routes/site-mode.ts';
import { statsRoutes } from './routes/stats.ts';
import { streamRoutes } from './routes/stream.ts';
import systemRoutes from './routes/system.ts';
import type { ApiStages } from './stages.ts';

export interface ApiOptions {
  ready: () => boolean;
  health: () => GatewayHealth;
  /** The stages whose routes this app serves. */
  stages: ApiStages;
}

export async function createApi(ctx: GatewayContext, options: ApiOptions): Promise<FastifyInstance> {
  const app = createServer(ctx);
  await registerPlugins(app, ctx);
  await app.register(systemRoutes, { ctx, ready: options.ready, health: options.health });
  await app.register(siteRoutes, { ctx });
  await app.register(deviceRoutes, { ctx });
  await app.register(deadLetterRoutes, { ctx });
  await app.register(awayRoutes, { ctx });
  await registerStageRoutes(app, ctx, options.stages);
  const transport = ctx.transport;
  if (transport instanceof EmbeddedBroker) {
    // MQTT over WebSocket authenticates in its CONNECT, like MQTT over TCP.
    const config = { access: 'public' } as const;
    app.get('/mqtt', { websocket: true, config, schema: { hide: true } }, (socket, request) => {
      transport.handleStream(createWebSocketStream(socket), request.raw);
    });
  }
  return app;
}

async function registerStageRoutes(
  app: FastifyInstance,
  ctx: GatewayContext,
  stages: ApiStages,
): Promise<void> {
  const { alerting, rules, models, channels, privacy, dashboards } = stages;
  if (channels) {
    await app.register(streamRoutes(channels));
    await app.register(channelRoutes(channels), { ctx });
  }
  if (alerting)
    for (const routes of [
      alertRoutes,
      incidentRoutes,
      incidentStepRoutes,
      silenceRoutes,
      householdRoutes,
      siteModeRoutes,
      statsRoutes,
    ])
      await app.register(routes(alerting), { ctx });
  if (rules) await app.register(ruleRoutes(rules), { ctx });
  if (models) await app.register(modelRoutes(models));
  if (privacy) {
    await app.register(monitoredHouseholdRoutes(privacy), { ctx });
    await app.register(privacyRoutes(privacy), { ctx });
  }
  if (dashboards) await app.register(dashboardRoutes(dashboards));
}

/** Fastify on an HTTP server that closes idle and slow sockets and caps connections. */
function createServer(ctx: GatewayContext): FastifyInstance {
  const { settings, metrics } = ctx;
  const guard = new ConnectionGuard({
    server: 'http',
    maxTotal: settings.httpMaxConnections,
    maxPerAddress: settings.httpMaxConnectionsPerIp,
    log: ctx.log.child({ ns: 'weige:http' }),
    onRefused: (reason) => metrics.connectionsRefused.inc({ server: 'http', reason }),
  });
  return Fastify({
    // Idle and slow-header sockets are closed, and connections are capped in all and per address
    // (issue 14: 19,990 idle sockets made the whole gateway unreachable).
    serverFactory: (handler) => {
      const server = http.createServer(
        {
          headersTimeout: settings.httpHeadersTimeoutS * 1000,
          requestTimeout: settings.httpRequestTimeoutS * 1000,
          keepAliveTimeout: settings.httpKeepAliveS * 1000,
          // How often the two timeouts above are checked (Node's default, 30 s, would let a
          // slow-loris socket live 30 s past its deadline).
          connectionsCheckingInterval: Math.min(1000, settings.httpHeadersTimeoutS * 500),
        },
        handler,
      );
      const idleMs = settings.httpIdleTimeoutS * 1000;
      server.setTimeout(idleMs);
      // headersTimeout only runs once a request has begun: a socket that never sends a byte gets
      // the same deadline for its first request, and the idle timeout after that.
      server.on('connection', (socket: Socket) => {
        if (guard.admit(socket)) socket.setTimeout(settings.httpHeadersTimeoutS * 1000);
      });
      server.on('request', (request: http.IncomingMessage) => request.socket.setTimeout(idleMs));
      // A WebSocket (/mqtt, /api/stream) has its own keepalive; the idle timeout is for HTTP.
      server.on('upgrade', (_request, socket: Socket) => socket.setTimeout(0));
      return server;
    },
    // Typed as fastify's base logger so routes and plugins see the default FastifyInstance type.
    loggerInstance: ctx.log.child({ ns: 'weige:http' }) as FastifyBaseLogger,
    // Per-request access logs would drown the gateway's own logs; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false },
    },
  });
}

/** Compression, OpenAPI and its pages, WebSocket, the error envelope, authentication. */
async function registerPlugins(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
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
  await app.register(async (docs) => {
    markRoutesPublic(docs);
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });
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
}
