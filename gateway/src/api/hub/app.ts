/**
 * The street hub's fastify app (no listen): the gateway's error envelope, the hub's auth (people
 * and gateways), the gateways' uplink/downlink routes, the street console API, OpenAPI at /docs,
 * health, and the built dashboards (the street console is dashboards/street.html).
 */
import { existsSync } from 'node:fs';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Pool } from '../../hub/database.ts';
import type { DownlinkStore } from '../../hub/downlink-store.ts';
import type { StreetDesk } from '../../hub/street-desk.ts';
import type { Street } from '../../hub/street-file.ts';
import type { UplinkStore } from '../../hub/uplink-store.ts';
import { DASHBOARDS_DIST } from '../../ui/ui-module.ts';
import { CONTENT_SECURITY_POLICY } from '../routes/dashboards.ts';
import errorsPlugin from '../plugins/errors.ts';
import { gatewayRoutes } from './gateway-routes.ts';
import hubAuth from './hub-auth.ts';
import { streetRoutes } from './street-routes.ts';

export interface HubApiDeps {
  street: Street;
  pool: Pool;
  clock: Clock;
  log: Logger;
  tokenTtlH: number;
  desk: StreetDesk;
  uplink: UplinkStore;
  downlink: DownlinkStore;
  closing: AbortSignal;
  replica: string;
}

export async function createHubApi(deps: HubApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ ns: 'weige:hub-http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // A gateway back from a long outage pushes up to 1000 records at once.
    bodyLimit: 16 * 1024 * 1024,
    // Gateways hold long polls open: a stopping replica cuts them (they resume at another one).
    forceCloseConnections: true,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false },
    },
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Weige street hub API',
        description: '街道枢纽: community gateways → street (issue 19)',
        version: '0.1.0',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(errorsPlugin);
  await app.register(hubAuth, {
    street: deps.street,
    pool: deps.pool,
    clock: deps.clock,
    tokenTtlH: deps.tokenTtlH,
  });
  await app.register(gatewayRoutes, deps);
  await app.register(streetRoutes, deps);
  app.get('/healthz', { schema: { hide: true } }, async () => {
    await deps.pool.query('SELECT 1');
    return { status: 'ok', replica: deps.replica, street: deps.street.id };
  });
  if (existsSync(`${DASHBOARDS_DIST}/street.html`))
    await app.register(fastifyStatic, {
      root: DASHBOARDS_DIST,
      prefix: '/',
      index: ['index.html'],
      preCompressed: true,
      setHeaders: (reply, file) => {
        if (file.endsWith('.html')) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      },
    });
  return app;
}
