/**
 * The built dashboards (dashboards/dist) at `/`: login, console, grid-worker PWA and engineer
 * page. Hashed assets are cached for a year; pages and the service worker are revalidated every
 * time so a deploy shows at once. Pre-compressed .br/.gz files keep the phone page small on a slow
 * network, and the pages' Content-Security-Policy lets them load nothing from outside the gateway.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { DashboardsFacade } from '../../ui/ui-module.ts';
import { markRoutesPublic } from '../plugins/auth.ts';

/** Only the gateway itself: scripts, styles, images, the API and the push WebSocket. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // ECharts and the pages set element styles from script.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

const ONE_YEAR_S = 365 * 24 * 3600;

function setHeaders(reply: FastifyReply, filePath: string): void {
  const logical = filePath.replace(/\.(br|gz)$/, '');
  reply.header('x-content-type-options', 'nosniff');
  if (logical.includes('/assets/')) {
    // File names carry a content hash, so a cached copy is never stale.
    reply.header('cache-control', `public, max-age=${ONE_YEAR_S}, immutable`);
    return;
  }
  reply.header('cache-control', 'no-cache');
  if (logical.endsWith('.html')) {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('referrer-policy', 'same-origin');
  }
}

export function dashboardRoutes(ui: DashboardsFacade): FastifyPluginAsync {
  return async (app) => {
    if (!ui.built) {
      // The API keeps working; the browser gets a clear instruction instead of a bare 404.
      app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
        reply
          .status(503)
          .type('text/plain; charset=utf-8')
          .send('Dashboards are not built yet: run `npm run build:dashboards` (npm install does it).\n'),
      );
      return;
    }
    await app.register(async (files) => {
      markRoutesPublic(files);
      await files.register(fastifyStatic, {
        root: ui.distDir,
        prefix: '/',
        index: ['index.html'],
        preCompressed: true,
        cacheControl: false,
        dotfiles: 'deny',
        setHeaders,
      });
    });
  };
}
