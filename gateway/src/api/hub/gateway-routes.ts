/**
 * The gateways' side of the street hub: `POST /api/hub/uplink` (a batch of signed outbox
 * records, answered record by record) and `GET /api/hub/downlink` (street actions after a
 * cursor, held open while there are none).
 */
import type { FastifyPluginAsync } from 'fastify';
import { uplinkBatchSchema, type UplinkBatch } from '../../contracts/hub.ts';
import type { Clock } from '../../core/clock.ts';
import { Errors } from '../../core/errors.ts';
import type { Pool } from '../../hub/database.ts';
import type { DownlinkStore } from '../../hub/downlink-store.ts';
import type { UplinkStore } from '../../hub/uplink-store.ts';

export interface GatewayRoutesOptions {
  pool: Pool;
  clock: Clock;
  uplink: UplinkStore;
  downlink: DownlinkStore;
  /** Aborted when the replica stops, so held polls end at once. */
  closing: AbortSignal;
}

const MAX_WAIT_S = 30;

export const gatewayRoutes: FastifyPluginAsync<GatewayRoutesOptions> = async (app, opts) => {
  app.post<{ Body: UplinkBatch }>(
    '/api/hub/uplink',
    {
      schema: {
        tags: ['hub'],
        summary:
          "A gateway's outbox records, in order; each answered stored, duplicate or refused (with a reason)",
        body: uplinkBatchSchema,
      },
    },
    async (request) => {
      if (request.body.siteId !== request.gateway) {
        const message = `gateway '${request.gateway}' pushed records as site '${request.body.siteId}'`;
        await opts.pool.query(
          `INSERT INTO hub_refusals (at, site_id, seq, reason, message) VALUES ($1, $2, NULL, 'foreign_site', $3)`,
          [opts.clock.now(), request.gateway, message],
        );
        throw Errors.authForbidden(message, { reason: 'foreign_site' });
      }
      return opts.uplink.ingest(request.body);
    },
  );

  app.get<{ Querystring: { after: number; waitS: number } }>(
    '/api/hub/downlink',
    {
      schema: {
        tags: ['hub'],
        summary: 'Street actions for the calling gateway after its cursor (long poll)',
        querystring: {
          type: 'object',
          required: ['after'],
          additionalProperties: false,
          properties: {
            after: { type: 'integer', minimum: 0, description: 'last action applied (acknowledges it)' },
            waitS: { type: 'integer', minimum: 0, maximum: MAX_WAIT_S, default: 20 },
          },
        },
      },
    },
    async (request, reply) => {
      // The response closes early only when the gateway hung up: stop holding the poll.
      const gone = new AbortController();
      const hangUp = (): void => gone.abort();
      reply.raw.on('close', hangUp);
      opts.closing.addEventListener('abort', hangUp);
      try {
        const actions = await opts.downlink.poll(
          request.gateway!,
          request.query.after,
          request.query.waitS,
          opts.clock.now(),
          gone.signal,
        );
        return { actions };
      } finally {
        opts.closing.removeEventListener('abort', hangUp);
      }
    },
  );
};
