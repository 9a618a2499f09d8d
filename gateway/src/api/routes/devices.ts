/** Device registry and stored readings: GET/POST /api/devices, GET /api/devices/:id[/readings|/events]. */
import type { FastifyRequest } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Device } from '../../contracts/site.ts';
import { siteDefinitionSchema } from '../../site/site-schema.ts';
import { Errors } from '../../core/errors.ts';
import type { GatewayContext } from '../../context.ts';
import type { ReadingKey } from '../../store/reading-store.ts';
import {
  deviceSchema,
  isoOrNull,
  parseTimeParam,
  readingSchema,
  timeWindowProps,
  WithDefault,
  type TypedApp,
} from '../schemas.ts';

const idParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** A reading's place in its device's series: `<epoch ms>` or `<epoch ms>p<port>`. */
const READING_CURSOR = /^(\d{1,15})(?:p(\d{1,3}))?$/;

function readingCursor(r: ReadingKey): string {
  return r.port === null ? String(r.ts) : `${r.ts}p${r.port}`;
}

function parseReadingCursor(cursor: string): ReadingKey {
  const [, ts, port] = READING_CURSOR.exec(cursor)!;
  return { ts: Number(ts), port: port === undefined ? null : Number(port) };
}

function deviceView(ctx: GatewayContext, d: Device) {
  const h = ctx.health.get(d.id);
  return { ...d, grid: ctx.site.deviceGrid(d), health: { ...h, lastSeen: isoOrNull(h.lastSeen) } };
}

/** The device if it exists and the caller may see it; 404 either way, so ids do not leak. */
function visibleDevice(ctx: GatewayContext, request: FastifyRequest, id: string): Device {
  const d = ctx.site.device(id);
  if (!d || !request.canSee(ctx.site.deviceGrid(d))) throw Errors.notFound(`no device '${id}'`);
  return d;
}

function listDevices(app: TypedApp, ctx: GatewayContext): void {
  app.get(
    '/api/devices',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['devices'],
        summary: 'Devices the caller may see, with their health',
        querystring: Type.Object(
          {
            kind: Type.Optional(Type.String()),
            place: Type.Optional(Type.String()),
            building: Type.Optional(Type.String()),
            status: Type.Optional(
              Type.Unsafe<'online' | 'offline' | 'unknown'>({ enum: ['online', 'offline', 'unknown'] }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: { type: 'array', items: deviceSchema } },
      },
    },
    async (request) => {
      const q = request.query;
      return ctx.site
        .allDevices()
        .filter((d) => request.canSee(ctx.site.deviceGrid(d)))
        .filter((d) => (!q.kind || d.kind === q.kind) && (!q.place || d.place === q.place))
        .filter((d) => !q.building || ctx.site.deviceLocation(d).building === q.building)
        .map((d) => deviceView(ctx, d))
        .filter((d) => !q.status || d.health.status === q.status);
    },
  );
}

function getDevice(app: TypedApp, ctx: GatewayContext): void {
  app.get(
    '/api/devices/:id',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['devices'],
        summary: 'One device with its health',
        params: idParams,
        response: { 200: deviceSchema },
      },
    },
    async (request) => deviceView(ctx, visibleDevice(ctx, request, request.params.id)),
  );
}

function registerDevice(app: TypedApp, ctx: GatewayContext): void {
  app.post(
    '/api/devices',
    {
      config: { access: ['engineer'] },
      schema: {
        tags: ['devices'],
        summary: 'Register a device at run time (engineer, admin); it is kept across restarts',
        body: Type.Unsafe<Device>(siteDefinitionSchema('device')),
        response: { 201: deviceSchema },
      },
    },
    async (request, reply) => {
      request.requireRole('engineer');
      const device = request.body;
      if (ctx.site.device(device.id)) throw Errors.conflict(`device '${device.id}' already exists`);
      if (!ctx.codecs.has(device.codec ?? 'canonical'))
        throw Errors.badRequest(`body/codec '${device.codec}' is not a known codec`);
      for (const [field, known] of [
        ['household', ctx.site.household(device.household)],
        ['place', ctx.site.place(device.place)],
        ['building', ctx.site.building(device.building)],
      ] as const) {
        if (device[field] !== undefined && !known)
          throw Errors.badRequest(`body/${field} '${device[field]}' is not in the site`);
      }
      if (!request.canSee(ctx.site.deviceGrid(device)))
        throw Errors.authForbidden('that location is outside your grid');
      ctx.stores.devices.register(ctx.site.siteId, device);
      ctx.site.addDevice(device);
      request.log.info({ device: device.id }, 'device registered');
      return reply.status(201).send(deviceView(ctx, device));
    },
  );
}

function listDeviceReadings(app: TypedApp, ctx: GatewayContext): void {
  app.get(
    '/api/devices/:id/readings',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['devices'],
        summary: 'Stored canonical readings of a device, newest first; a Link header (rel="next") pages on',
        params: idParams,
        querystring: Type.Object(
          {
            ...timeWindowProps,
            port: Type.Optional(Type.Integer({ minimum: 0 })),
            limit: WithDefault(Type.Integer({ minimum: 1, maximum: 100_000, default: 1000 })),
            order: WithDefault(Type.Unsafe<'asc' | 'desc'>({ enum: ['asc', 'desc'], default: 'desc' })),
            cursor: Type.Optional(
              Type.String({
                pattern: READING_CURSOR.source,
                description: 'the last reading of the previous page, from its Link header',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: { type: 'array', items: readingSchema } },
      },
    },
    async (request, reply) => {
      const d = visibleDevice(ctx, request, request.params.id);
      const q = request.query;
      // One more than asked says whether a next page exists.
      const rows = ctx.stores.readings.query({
        siteId: ctx.site.siteId,
        deviceId: d.id,
        from: parseTimeParam(q.from, 'from'),
        to: parseTimeParam(q.to, 'to'),
        ...(q.port !== undefined ? { port: q.port } : {}),
        ...(q.cursor !== undefined ? { after: parseReadingCursor(q.cursor) } : {}),
        limit: q.limit + 1,
        order: q.order,
      });
      const page = rows.slice(0, q.limit);
      if (rows.length > q.limit) {
        const next = new URL(request.url, 'http://gateway');
        next.searchParams.set('cursor', readingCursor(page.at(-1)!));
        reply.header('link', `<${next.pathname}${next.search}>; rel="next"`);
      }
      return page.map((r) => ({ ...r, ts: new Date(r.ts).toISOString() }));
    },
  );
}

function listDeviceEvents(app: TypedApp, ctx: GatewayContext): void {
  app.get(
    '/api/devices/:id/events',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['devices'],
        summary: 'Stored device events (camera detections, tamper, faults)',
        params: idParams,
        querystring: Type.Object(
          {
            ...timeWindowProps,
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                ts: { type: 'string' },
                type: { type: 'string' },
                confidence: { type: ['number', 'null'] },
                attributes: { type: 'object', additionalProperties: true },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const d = visibleDevice(ctx, request, request.params.id);
      const q = request.query;
      return ctx.stores.events
        .queryEvents(
          ctx.site.siteId,
          d.id,
          parseTimeParam(q.from, 'from'),
          parseTimeParam(q.to, 'to'),
          q.limit,
        )
        .map((e) => ({ ...e, ts: new Date(e.ts).toISOString() }));
    },
  );
}

const route: FastifyPluginAsyncTypebox<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  listDevices(app, ctx);
  getDevice(app, ctx);
  registerDevice(app, ctx);
  listDeviceReadings(app, ctx);
  listDeviceEvents(app, ctx);
};

export default route;
