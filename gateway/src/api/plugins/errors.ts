/**
 * One error envelope for every route: `{status: "error", error: {code, message, details?}}`.
 * WeigeError codes map to their HTTP status; schema failures are 400 with the validation path.
 * Every route declares the errors it can answer (OpenAPI shows them): 400 when it takes input,
 * 401/403 unless public, 404 with a path parameter, 503 (store not writable) always; a route
 * declares any other itself (e.g. 409, 429).
 */
import fp from 'fastify-plugin';
import type { FastifyError, RouteOptions } from 'fastify';
import { errorCode, WeigeError } from '../../core/errors.ts';
import { storeProblemOf } from '../../store/store-health.ts';

export const errorEnvelope = {
  type: 'object',
  properties: {
    status: { const: 'error' },
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
} as const;

const ERROR_SUMMARIES: Record<number, string> = {
  400: 'bad input (the code and message say which field and why)',
  401: 'no valid bearer token',
  403: 'the caller lacks the role',
  404: 'no such thing, or not in the caller’s grid',
  503: 'the store is not writable (disk full, database locked); retry later',
};

/** The error statuses a route can answer, from what it takes and who may call it. */
function errorStatuses(route: RouteOptions): number[] {
  const schema = route.schema ?? {};
  const statuses: number[] = [];
  if (schema.body || schema.querystring || schema.params) statuses.push(400);
  if (route.config?.access !== 'public') statuses.push(401, 403);
  if (String(route.url).includes(':')) statuses.push(404);
  statuses.push(503);
  return statuses;
}

export default fp(
  async (app) => {
    app.addHook('onRoute', (route) => {
      if (route.schema?.hide || route.websocket) return;
      const response = { ...(route.schema?.response as Record<string, unknown> | undefined) };
      for (const status of errorStatuses(route))
        response[status] ??= { description: ERROR_SUMMARIES[status], ...errorEnvelope };
      route.schema = { ...route.schema, response };
    });
    app.setErrorHandler((err: FastifyError | WeigeError, request, reply) => {
      if (err instanceof WeigeError) {
        if (err.statusCode >= 500 && err.statusCode !== 503) request.log.error({ err }, err.message);
        const retryAfterS = (err.details as { retryAfterS?: unknown } | undefined)?.retryAfterS;
        if (typeof retryAfterS === 'number') reply.header('retry-after', String(retryAfterS));
        return reply
          .status(err.statusCode)
          .send({ status: 'error', error: { code: err.code, message: err.message, details: err.details } });
      }
      const storeProblem = storeProblemOf(err);
      if (storeProblem) {
        // The disk is full or the database locked: the caller may retry later, it is not a bug.
        request.log.warn({ problem: storeProblem, err: err.message }, 'request refused: store not writable');
        return reply.status(503).send({
          status: 'error',
          error: { code: errorCode('storeUnavailable'), message: `store not writable (${storeProblem})` },
        });
      }
      if ((err as FastifyError).validation) {
        return reply
          .status(400)
          .send({ status: 'error', error: { code: errorCode('badRequest'), message: err.message } });
      }
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      if (status >= 500) request.log.error({ err }, 'request failed');
      return reply.status(status).send({
        status: 'error',
        error: {
          code: err.code ?? errorCode('internal'),
          message: status >= 500 ? 'internal error' : err.message,
        },
      });
    });
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({
        status: 'error',
        error: {
          code: errorCode('notFound'),
          message: `no route ${request.method} ${request.url.split('?')[0]}`,
        },
      }),
    );
  },
  { name: 'weige-errors', fastify: '5.x' },
);
