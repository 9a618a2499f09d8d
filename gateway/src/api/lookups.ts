/** Lookups that answer 404 outside the caller's grid, so ids do not leak across grids. */
import type { FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.ts';
import type { Household } from '../contracts/site.ts';
import { Errors } from '../core/errors.ts';

/** A household the caller's grid covers; 404 otherwise, so ids do not leak across grids. */
export function visibleHousehold(ctx: GatewayContext, request: FastifyRequest, id: string): Household {
  const h = ctx.site.household(id);
  if (!h || !request.canSee(h.grid)) throw Errors.notFound(`no household '${id}'`);
  return h;
}
