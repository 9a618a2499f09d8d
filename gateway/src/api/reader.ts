/** The caller of a request as the privacy layer sees a reader of personal data (issue 18). */
import type { FastifyRequest } from 'fastify';
import type { Reader } from '../privacy/core.ts';

export function readerOf(request: FastifyRequest): Reader {
  const user = request.requireUser();
  return {
    id: user.id,
    roles: user.roles,
    ip: request.ip ?? null,
    covers: (grid) => request.canSee(grid),
  };
}
