/**
 * Channel routes: the configured webhooks and personal channels (secrets never shown), their
 * delivery records, and a test send.
 */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readChannelsConfig } from '../../channels/config.ts';
import { DELIVERY_OUTCOMES } from '../../channels/delivery-store.ts';
import type { ChannelsFacade } from '../../channels/facade.ts';
import type { GatewayContext } from '../../context.ts';
import { Errors } from '../../core/errors.ts';
import { StringEnum, WithDefault, type TypedApp } from '../schemas.ts';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const webhookView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    host: { type: 'string' },
    signed: { type: 'boolean' },
    lang: { type: 'string' },
    kinds: { type: 'array', items: { type: 'string' } },
    minSeverity: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    grids: { type: 'array', items: { type: 'string' } },
  },
} as const;
const personalView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['app', 'provider'] },
    type: { type: 'string' },
    enabled: { type: 'boolean' },
    reason: { type: ['string', 'null'] },
  },
} as const;

function listWebhookChannels(app: TypedApp, { ctx }: ChannelDeps): void {
  app.get(
    '/api/channels',
    {
      config: { access: ['engineer', 'property_manager', 'micro_grid_leader'] },
      schema: {
        tags: ['channels'],
        summary: 'Configured webhook channels (URLs reduced to their host, secrets hidden)',
        response: { 200: { type: 'array', items: webhookView } },
      },
    },
    async (request) => {
      request.requireRole('engineer', 'property_manager', 'micro_grid_leader');
      return readChannelsConfig(ctx.site.site).webhooks.map((w) => ({
        ...w,
        host: new URL(w.url).host,
        signed: Boolean(w.secret),
      }));
    },
  );
}

function listPersonalChannels(app: TypedApp, { channels }: ChannelDeps): void {
  app.get(
    '/api/channels/personal',
    {
      config: { access: ['engineer', 'property_manager', 'micro_grid_leader'] },
      schema: {
        tags: ['channels'],
        summary: 'Personal channels (work apps, SMS/voice): whether each is on, and why not',
        response: { 200: { type: 'array', items: personalView } },
      },
    },
    async (request) => {
      request.requireRole('engineer', 'property_manager', 'micro_grid_leader');
      return channels().personalChannels();
    },
  );
}

function listDeliveries(app: TypedApp, { channels }: ChannelDeps): void {
  app.get(
    '/api/channels/deliveries',
    {
      config: { access: ['engineer', 'property_manager', 'micro_grid_leader'] },
      schema: {
        tags: ['channels'],
        summary: 'Delivery attempts (robots, personal messages, SMS/voice), newest first',
        querystring: Type.Object(
          {
            channel: Type.Optional(Type.String()),
            incident: Type.Optional(Type.String()),
            outcome: Type.Optional(StringEnum(DELIVERY_OUTCOMES)),
            recipient: Type.Optional(
              Type.String({ description: 'staff id of the person a personal message went to' }),
            ),
            limit: WithDefault(Type.Integer({ minimum: 1, maximum: 5000, default: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                seq: { type: 'integer' },
                deliveryId: { type: 'string' },
                channelId: { type: 'string' },
                incidentId: { type: ['string', 'null'] },
                event: { type: 'string' },
                recipient: { type: ['string', 'null'] },
                attempt: { type: 'integer' },
                startedAt: { type: 'string' },
                durationMs: { type: 'integer' },
                outcome: { type: 'string' },
                statusCode: { type: ['integer', 'null'] },
                error: { type: ['string', 'null'] },
                nextAttemptAt: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
    },
    async (request) => {
      request.requireRole('engineer', 'property_manager', 'micro_grid_leader');
      const q = request.query;
      return channels()
        .deliveries({
          ...(q.channel ? { channelId: q.channel } : {}),
          ...(q.incident ? { incidentId: q.incident } : {}),
          ...(q.outcome ? { outcome: q.outcome } : {}),
          ...(q.recipient ? { recipient: q.recipient } : {}),
          limit: q.limit,
        })
        .map((d) => ({ ...d, startedAt: iso(d.startedAt), nextAttemptAt: iso(d.nextAttemptAt) }));
    },
  );
}

function sendTestMessage(app: TypedApp, { channels }: ChannelDeps): void {
  app.post(
    '/api/channels/:id/test',
    {
      config: { access: ['engineer'] },
      schema: {
        tags: ['channels'],
        summary: 'Send a test message through one channel (with its retries); returns the final outcome',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: { type: 'object', properties: { outcome: { type: 'string' } } } },
      },
    },
    async (request) => {
      request.requireRole('engineer');
      const outcome = await channels().sendTest(request.params.id);
      if (outcome === null) throw Errors.notFound(`no channel '${request.params.id}'`);
      return { outcome };
    },
  );
}

type ChannelDeps = { ctx: GatewayContext; channels: () => ChannelsFacade };

export function channelRoutes(
  channels: () => ChannelsFacade,
): FastifyPluginAsyncTypebox<{ ctx: GatewayContext }> {
  return async (app, { ctx }) => {
    const deps = { ctx, channels };
    listWebhookChannels(app, deps);
    listPersonalChannels(app, deps);
    listDeliveries(app, deps);
    sendTestMessage(app, deps);
  };
}
