/** Silences (maintenance windows): POST/GET /api/silences, DELETE /api/silences/:id (expires it). */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GatewayContext } from '../../context.ts';
import { Errors } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { parseTimeParam, silenceMatchersSchema, timeParam, type TypedApp } from '../schemas.ts';
import type { AlertingFacade } from '../../alerting/facade.ts';
import type { AlertingDeps } from '../alerting-deps.ts';
import type { Silence, SilenceMatchers } from '../../alerting/records-store.ts';
import { idParams } from '../alerting-schemas.ts';

const MANAGERS = ['engineer', 'property_manager', 'micro_grid_leader'] as const;

const silenceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    matchers: {
      type: 'object',
      properties: {
        device: { type: 'string' },
        place: { type: 'string' },
        kind: { type: 'string' },
        building: { type: 'string' },
        household: { type: 'string' },
      },
    },
    from: { type: 'string' },
    to: { type: 'string' },
    reason: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string' },
    expiredBy: { type: ['string', 'null'] },
    active: { type: 'boolean' },
  },
} as const;

const view = (s: Silence, now: number) => ({
  id: s.id,
  matchers: s.matchers,
  from: new Date(s.startsAt).toISOString(),
  to: new Date(s.endsAt).toISOString(),
  reason: s.reason,
  createdBy: s.createdBy,
  createdAt: new Date(s.createdAt).toISOString(),
  expiredBy: s.expiredBy,
  active: s.startsAt <= now && now < s.endsAt,
});
/** The grid node a silence's matchers point at (null = site-wide, kind only). */
function gridOf(ctx: GatewayContext, m: SilenceMatchers): string | null {
  const device = m.device ? ctx.site.device(m.device) : undefined;
  if (m.device && !device) throw Errors.badRequest(`matchers/device: unknown device '${m.device}'`);
  if (m.place && !ctx.site.place(m.place))
    throw Errors.badRequest(`matchers/place: unknown place '${m.place}'`);
  if (m.household && !ctx.site.household(m.household))
    throw Errors.badRequest(`matchers/household: unknown household '${m.household}'`);
  if (m.building && !ctx.site.building(m.building))
    throw Errors.badRequest(`matchers/building: unknown building '${m.building}'`);
  return (
    (device ? ctx.site.deviceGrid(device) : null) ??
    ctx.site.household(m.household)?.grid ??
    ctx.site.place(m.place)?.grid ??
    ctx.site.building(m.building)?.grid ??
    null
  );
}

function createSilence(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.post(
    '/api/silences',
    {
      config: { access: MANAGERS },
      schema: {
        tags: ['silences'],
        summary: 'Create a silence (maintenance window): matching alerts are stored but page nobody',
        body: Type.Object(
          {
            matchers: silenceMatchersSchema,
            from: Type.Optional(Type.String({ ...timeParam, description: 'start (default: now)' })),
            to: timeParam,
            reason: Type.String({ minLength: 1, maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: silenceSchema },
      },
    },
    async (request, reply) => {
      const user = request.requireRole(...MANAGERS);
      const svc = service();
      const now = svc.now();
      const b = request.body;
      const from = parseTimeParam(b.from, 'from') ?? now;
      const to = parseTimeParam(b.to, 'to')!;
      if (to <= from) throw Errors.badRequest('body/to must be after body/from');
      const grid = gridOf(ctx, b.matchers);
      // A site-wide silence (kind only) mutes every grid: only someone who sees the whole site may set it.
      if (!request.canSee(grid ?? ctx.site.site.grid.id))
        throw Errors.authForbidden('that is outside your grid');
      const silence: Silence = {
        id: newId('sil'),
        matchers: b.matchers,
        startsAt: from,
        endsAt: to,
        reason: b.reason,
        createdBy: user.id,
        createdAt: now,
        expiredBy: null,
      };
      svc.records.insertSilence(silence);
      request.log.info({ silence: silence.id, by: user.id, matchers: b.matchers }, 'silence created');
      return reply.status(201).send(view(silence, now));
    },
  );
}

function listSilences(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.get(
    '/api/silences',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['silences'],
        summary: 'Silences not yet ended (all=true: every silence ever set)',
        querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }),
        response: { 200: { type: 'array', items: silenceSchema } },
      },
    },
    async (request) => {
      request.requireUser();
      const svc = service();
      const now = svc.now();
      return svc.records
        .silences(request.query.all ? undefined : now)
        .filter((s) => request.canSee(gridOf(ctx, s.matchers) ?? ctx.site.site.grid.id))
        .map((s) => view(s, now));
    },
  );
}

function expireSilence(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.delete(
    '/api/silences/:id',
    {
      config: { access: MANAGERS },
      schema: {
        tags: ['silences'],
        summary: 'Expire a silence now (kept in the record)',
        params: idParams,
        response: { 200: silenceSchema },
      },
    },
    async (request) => {
      const user = request.requireRole(...MANAGERS);
      const svc = service();
      const s = svc.records.silences().find((x) => x.id === request.params.id);
      if (!s || !request.canSee(gridOf(ctx, s.matchers) ?? ctx.site.site.grid.id))
        throw Errors.notFound(`no silence '${request.params.id}'`);
      svc.records.expireSilence(s.id, svc.now(), user.id);
      const updated = svc.records.silences().find((x) => x.id === s.id)!;
      return view(updated, svc.now());
    },
  );
}

export function silenceRoutes(
  service: () => AlertingFacade,
): FastifyPluginAsyncTypebox<{ ctx: GatewayContext }> {
  return async (app, { ctx }) => {
    const deps = { ctx, service };
    createSilence(app, deps);
    listSilences(app, deps);
    expireSilence(app, deps);
  };
}
