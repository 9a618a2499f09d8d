/**
 * Household absences (away in hospital, with family) and visits (一天两见面): stored, and put on
 * the bus (`householdAbsenceRecorded`, `householdVisitRecorded`) so detectors can respect them.
 */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GatewayContext } from '../../context.ts';
import { Errors } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { visibleHousehold } from '../lookups.ts';
import { readerOf } from '../reader.ts';
import { parseTimeParam, timeParam, type TypedApp } from '../schemas.ts';
import type { AlertingFacade } from '../../alerting/facade.ts';
import type { AlertingDeps } from '../alerting-deps.ts';
import type { Absence, Visit } from '../../alerting/records-store.ts';
import { idParams } from '../alerting-schemas.ts';

const CARERS = ['grid_worker', 'special_care', 'building_group_leader', 'micro_grid_leader'] as const;

export const absenceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    householdId: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    reason: { type: 'string' },
    by: { type: 'string' },
    createdAt: { type: 'string' },
    active: { type: 'boolean' },
  },
} as const;

const visitSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    householdId: { type: 'string' },
    at: { type: 'string' },
    note: { type: ['string', 'null'] },
    by: { type: 'string' },
  },
} as const;

const iso = (ms: number): string => new Date(ms).toISOString();

const absenceView = (a: Absence, now: number) => ({
  id: a.id,
  householdId: a.household,
  from: iso(a.from),
  to: iso(a.to),
  reason: a.reason,
  by: a.createdBy,
  createdAt: iso(a.createdAt),
  active: a.from <= now && now < a.to,
});
const visitView = (v: Visit) => ({
  id: v.id,
  householdId: v.household,
  at: iso(v.at),
  note: v.note,
  by: v.by,
});

function recordAbsence(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.post(
    '/api/households/:id/absences',
    {
      config: { access: CARERS },
      schema: {
        tags: ['households'],
        summary: 'Record that a household is away (inactivity alerts are held meanwhile)',
        params: idParams,
        body: Type.Object(
          { from: timeParam, to: timeParam, reason: Type.String({ minLength: 1, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: { 201: absenceSchema },
      },
    },
    async (request, reply) => {
      const user = request.requireRole(...CARERS);
      const h = visibleHousehold(ctx, request, request.params.id);
      const from = parseTimeParam(request.body.from, 'from')!;
      const to = parseTimeParam(request.body.to, 'to')!;
      if (to <= from) throw Errors.badRequest('body/to must be after body/from');
      const svc = service();
      const absence: Absence = {
        id: newId('abs'),
        household: h.id,
        from,
        to,
        reason: request.body.reason,
        createdBy: user.id,
        createdAt: svc.now(),
      };
      svc.records.insertAbsence(absence);
      ctx.bus.emit('householdAbsenceRecorded', {
        id: absence.id,
        householdId: h.id,
        from,
        to,
        reason: absence.reason,
        by: user.id,
      });
      return reply.status(201).send(absenceView(absence, svc.now()));
    },
  );
}

function listAbsences(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.get(
    '/api/households/:id/absences',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['households'],
        summary: 'Absences recorded for a household, newest first',
        params: idParams,
        response: { 200: { type: 'array', items: absenceSchema } },
      },
    },
    async (request) => {
      const h = visibleHousehold(ctx, request, request.params.id);
      const svc = service();
      const reader = readerOf(request);
      // Absences say where a vulnerable person is not (PIPL Art. 28): only their carers read them.
      if (!ctx.privacy.seesInFull(reader, h, 'absences'))
        throw Errors.authForbidden(
          `absences are personal data; roles ${ctx.privacy.config.fields.absences.join(', ')} or the household's care worker`,
        );
      ctx.privacy.logRead(reader, `household:${h.id}`, ['absences'], svc.now(), null);
      return svc.records.absences(h.id).map((a) => absenceView(a, svc.now()));
    },
  );
}

function recordVisit(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.post(
    '/api/households/:id/visits',
    {
      config: { access: CARERS },
      schema: {
        tags: ['households'],
        summary: 'Record that a worker saw the resident (一天两见面)',
        params: idParams,
        body: Type.Object(
          {
            at: Type.Optional(Type.String({ ...timeParam, description: 'when (default: now)' })),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: visitSchema },
      },
    },
    async (request, reply) => {
      const user = request.requireRole(...CARERS);
      const h = visibleHousehold(ctx, request, request.params.id);
      const svc = service();
      const at = parseTimeParam(request.body?.at, 'at') ?? svc.now();
      const visit: Visit = {
        id: newId('vis'),
        household: h.id,
        at,
        note: request.body?.note ?? null,
        by: user.id,
      };
      svc.records.insertVisit(visit);
      ctx.bus.emit('householdVisitRecorded', {
        id: visit.id,
        householdId: h.id,
        at,
        note: visit.note,
        by: user.id,
      });
      return reply.status(201).send(visitView(visit));
    },
  );
}

function listVisits(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.get(
    '/api/households/:id/visits',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['households'],
        summary: 'Visits recorded for a household, newest first',
        params: idParams,
        response: { 200: { type: 'array', items: visitSchema } },
      },
    },
    async (request) => {
      const h = visibleHousehold(ctx, request, request.params.id);
      const svc = service();
      ctx.privacy.logRead(readerOf(request), `household:${h.id}`, ['visits'], svc.now(), null);
      return svc.records.visits(h.id).map(visitView);
    },
  );
}

export function householdRoutes(
  service: () => AlertingFacade,
): FastifyPluginAsyncTypebox<{ ctx: GatewayContext }> {
  return async (app, { ctx }) => {
    const deps = { ctx, service };
    recordAbsence(app, deps);
    listAbsences(app, deps);
    recordVisit(app, deps);
    listVisits(app, deps);
  };
}
