/**
 * 外出报备 (issue 13): announcing that a person living alone is away must cost one tap, or nobody
 * does it and every night away pages a worker. The household's grid worker or care worker records
 * "away until …" (`POST /api/households/:id/away`) and may hand the family a link that does the
 * same without a login (`POST /api/households/:id/away-links`, then `POST /api/away/:token`).
 * Each becomes an absence (alerting records, bus `householdAbsenceRecorded`), so inactivity alerts
 * are held until then, and an entry in the privacy access log: where a vulnerable person is not is
 * personal data (PIPL Art. 28).
 */
import type { FastifyRequest } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GatewayContext } from '../../context.ts';
import type { Household, Role } from '../../contracts/site.ts';
import { AwayLinks } from '../../alerting/away-links.ts';
import { AlertingRecords } from '../../alerting/records-store.ts';
import { absenceSchema } from './households.ts';
import { idParams } from '../alerting-schemas.ts';
import { Errors } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { parseTimeParam, timeParam, type TypedApp } from '../schemas.ts';

const DAY_MS = 86_400_000;
/** Longer absences (hospital stays) go through the absences form with a reason. */
const MAX_AWAY_DAYS = 30;
const LINK_DAYS_DEFAULT = 90;
const WORKERS: Role[] = ['grid_worker', 'special_care'];

const untilBody = Type.Object(
  {
    until: Type.String({ ...timeParam, description: 'back by then (ISO 8601 or epoch ms)' }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

const iso = (ms: number): string => new Date(ms).toISOString();

type AwayDeps = { ctx: GatewayContext; awayLinks: () => AwayLinks; records: AlertingRecords };
type Who = { by: string; roles: string[]; ip: string | null; via: string };

/** The household, if the caller is its grid worker (covers its grid) or its care worker. */
function ownHousehold(
  ctx: GatewayContext,
  request: FastifyRequest,
  id: string,
): { h: Household; by: string; roles: Role[] } {
  const user = request.requireRole(...WORKERS);
  const h = ctx.site.household(id);
  if (!h || !request.canSee(h.grid)) throw Errors.notFound(`no household '${id}'`);
  const gridWorker = user.roles.includes('grid_worker');
  const careWorker = h.resident?.careWorker === user.id;
  if (!gridWorker && !careWorker)
    throw Errors.authForbidden(`only the grid worker or the care worker of ${h.id} records its absences`);
  return { h, by: user.id, roles: user.roles };
}

function recordAway(
  { ctx, records }: AwayDeps,
  h: Household,
  until: number,
  note: string | undefined,
  who: Who,
) {
  const now = ctx.clock.now();
  if (until <= now) throw Errors.badRequest('body/until must be in the future');
  if (until > now + MAX_AWAY_DAYS * DAY_MS)
    throw Errors.badRequest(
      `body/until must be within ${MAX_AWAY_DAYS} days; longer stays: POST /api/households/:id/absences`,
    );
  const reason = note ? `外出报备：${note}` : '外出报备';
  const absence = {
    id: newId('abs'),
    household: h.id,
    from: now,
    to: until,
    reason,
    createdBy: who.by,
    createdAt: now,
  };
  records.insertAbsence(absence);
  ctx.privacy.audit.record({
    at: now,
    actor: who.by,
    roles: who.roles,
    action: 'absence_recorded',
    subject: `household:${h.id}`,
    fields: ['absences'],
    ip: who.ip,
    purpose: null,
    detail: { absence: absence.id, until: iso(until), via: who.via },
  });
  ctx.bus.emit('householdAbsenceRecorded', {
    id: absence.id,
    householdId: h.id,
    from: now,
    to: until,
    reason,
    by: who.by,
  });
  // As GET /api/households/:id/absences shows it.
  return {
    id: absence.id,
    householdId: h.id,
    from: iso(now),
    to: iso(until),
    reason,
    by: who.by,
    createdAt: iso(now),
    active: true,
  };
}

function recordAwayByWorker(app: TypedApp, deps: AwayDeps): void {
  const { ctx } = deps;
  app.post(
    '/api/households/:id/away',
    {
      config: { access: WORKERS },
      schema: {
        tags: ['households'],
        summary: '外出报备: the resident is away until … (inactivity alerts held until then)',
        params: idParams,
        body: untilBody,
        response: { 201: absenceSchema },
      },
    },
    async (request, reply) => {
      const { h, by, roles } = ownHousehold(ctx, request, request.params.id);
      const until = parseTimeParam(request.body.until, 'until')!;
      const away = recordAway(deps, h, until, request.body.note, {
        by,
        roles,
        ip: request.ip ?? null,
        via: 'worker',
      });
      return reply.status(201).send(away);
    },
  );
}

function issueAwayLink(app: TypedApp, { ctx, awayLinks }: AwayDeps): void {
  app.post(
    '/api/households/:id/away-links',
    {
      config: { access: WORKERS },
      schema: {
        tags: ['households'],
        summary: "A link for the resident's family to announce absences without a login",
        params: idParams,
        body: Type.Object(
          { days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: LINK_DAYS_DEFAULT })) },
          { additionalProperties: false },
        ),
        response: {
          201: {
            type: 'object',
            properties: { id: { type: 'string' }, path: { type: 'string' }, expiresAt: { type: 'string' } },
          },
        },
      },
    },
    async (request, reply) => {
      const { h, by, roles } = ownHousehold(ctx, request, request.params.id);
      const now = ctx.clock.now();
      const days = request.body?.days ?? LINK_DAYS_DEFAULT;
      const link = {
        id: newId('awl'),
        household: h.id,
        issuedBy: by,
        issuedAt: now,
        expiresAt: now + days * DAY_MS,
      };
      const token = awayLinks().issue(link);
      ctx.privacy.audit.record({
        at: now,
        actor: by,
        roles,
        action: 'away_link_issued',
        subject: `household:${h.id}`,
        fields: ['absences'],
        ip: request.ip ?? null,
        purpose: null,
        detail: { link: link.id, expiresAt: iso(link.expiresAt) },
      });
      return reply
        .status(201)
        .send({ id: link.id, path: `/api/away/${token}`, expiresAt: iso(link.expiresAt) });
    },
  );
}

function recordAwayByLink(app: TypedApp, deps: AwayDeps): void {
  const { ctx, awayLinks } = deps;
  app.post(
    '/api/away/:token',
    {
      config: { access: 'public' },
      schema: {
        tags: ['households'],
        summary: "外出报备 by the family's link: away until …",
        params: Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{20,64}$' }) }),
        body: untilBody,
        response: { 201: absenceSchema },
      },
    },
    async (request, reply) => {
      const link = awayLinks().open(request.params.token, ctx.clock.now());
      // One answer for unknown and expired links: a guess learns nothing.
      if (!link) throw Errors.notFound('no such link, or it has expired');
      const h = ctx.site.household(link.household);
      if (!h) throw Errors.notFound('no such link, or it has expired');
      const until = parseTimeParam(request.body.until, 'until')!;
      const away = recordAway(deps, h, until, request.body.note, {
        by: `family-link:${link.id}`,
        roles: ['family'],
        ip: request.ip ?? null,
        via: 'family_link',
      });
      return reply.status(201).send(away);
    },
  );
}

const awayRoutes: FastifyPluginAsyncTypebox<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  let links: AwayLinks | null = null;
  const deps: AwayDeps = {
    ctx,
    awayLinks: () => (links ??= new AwayLinks(ctx.stores.db)),
    records: new AlertingRecords(ctx.stores.db),
  };
  recordAwayByWorker(app, deps);
  issueAwayLink(app, deps);
  recordAwayByLink(app, deps);
};

export default awayRoutes;
