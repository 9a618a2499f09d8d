/**
 * Monitored households as each reader may see them (personal fields masked by role, every read
 * logged), and their consent: recorded, withdrawn, read (issue 18).
 */
import type { FastifyRequest } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GatewayContext } from '../../context.ts';
import type { Household } from '../../contracts/site.ts';
import { Errors } from '../../core/errors.ts';
import type { ConsentState } from '../../privacy/consent.ts';
import type { PrivacyCore } from '../../privacy/core.ts';
import type { PrivacyFacade } from '../../privacy/facade.ts';
import { idParams } from '../alerting-schemas.ts';
import { CONSENT_TAKERS, iso, OFFICER, str, strOrNull } from '../privacy-views.ts';
import { visibleHousehold } from '../lookups.ts';
import { readerOf } from '../reader.ts';
import { parseTimeParam, timeParam, type TypedApp } from '../schemas.ts';

const householdSchema = {
  type: 'object',
  properties: {
    id: str,
    building: str,
    unit: str,
    floor: { type: 'integer' },
    room: strOrNull,
    grid: str,
    residents: { type: 'integer' },
    elderly: { type: 'boolean' },
    livesAlone: { type: 'boolean' },
    resident: {
      type: 'object',
      properties: { name: strOrNull, phone: strOrNull, healthNote: strOrNull, careWorker: strOrNull },
    },
    contacts: {
      type: 'array',
      items: { type: 'object', properties: { name: str, relation: strOrNull, phone: strOrNull } },
    },
    masked: { type: 'array', items: str },
    consent: {
      type: 'object',
      properties: {
        monitoring: strOrNull,
        shareWithFamily: { type: 'boolean' },
        shareWithStreet: { type: 'boolean' },
      },
    },
  },
} as const;

const consentSchema = {
  type: 'object',
  properties: {
    household: str,
    status: str,
    by: strOrNull,
    signer: strOrNull,
    monitoring: strOrNull,
    shareWithFamily: { type: 'boolean' },
    shareWithStreet: { type: 'boolean' },
    at: str,
    form: strOrNull,
    recordedBy: str,
    source: str,
  },
} as const;

const consentView = (c: ConsentState) => ({ ...c, at: iso(c.at) });

/** A watched household; one without consent is on no page (404 like an unknown one). */
function monitoredHousehold(ctx: GatewayContext, request: FastifyRequest, id: string): Household {
  const h = visibleHousehold(ctx, request, id);
  if (!ctx.privacy.isMonitored(h))
    throw Errors.notFound(`no monitored household '${id}' (no consent on file)`);
  return h;
}

function withConsent(ctx: GatewayContext, h: Household, view: ReturnType<PrivacyCore['readHousehold']>) {
  const c = ctx.privacy.consent.state(h.id);
  return {
    ...view,
    consent: {
      monitoring: c?.monitoring ?? null,
      shareWithFamily: c?.shareWithFamily ?? false,
      shareWithStreet: c?.shareWithStreet ?? false,
    },
  };
}

function listHouseholds(app: TypedApp, { ctx }: { ctx: GatewayContext }): void {
  app.get(
    '/api/households',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['privacy'],
        summary:
          'Monitored households in my grid (consent on file), personal fields masked by role; every read logged',
        response: { 200: { type: 'array', items: householdSchema } },
      },
    },
    async (request) => {
      const reader = readerOf(request);
      return ctx.site
        .allHouseholds()
        .filter((h) => request.canSee(h.grid) && ctx.privacy.isMonitored(h))
        .map((h) => withConsent(ctx, h, ctx.privacy.readHousehold(reader, h, ctx.clock.now())));
    },
  );
}

function getHousehold(app: TypedApp, { ctx }: { ctx: GatewayContext }): void {
  app.get(
    '/api/households/:id',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['privacy'],
        summary: 'One monitored household, personal fields masked by role; the read is logged',
        params: idParams,
        response: { 200: householdSchema },
      },
    },
    async (request) => {
      const h = monitoredHousehold(ctx, request, request.params.id);
      return withConsent(ctx, h, ctx.privacy.readHousehold(readerOf(request), h, ctx.clock.now()));
    },
  );
}

function getConsent(app: TypedApp, { ctx }: { ctx: GatewayContext }): void {
  app.get(
    '/api/households/:id/consent',
    {
      config: { access: [...CONSENT_TAKERS, ...OFFICER] },
      schema: {
        tags: ['privacy'],
        summary: 'Consent of a household: current state and history (site form, then API records)',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              current: { oneOf: [consentSchema, { type: 'null' }] },
              history: { type: 'array', items: consentSchema },
            },
          },
        },
      },
    },
    async (request) => {
      const h = visibleHousehold(ctx, request, request.params.id);
      ctx.privacy.logRead(readerOf(request), `household:${h.id}`, ['consent'], ctx.clock.now(), null);
      const current = ctx.privacy.consent.state(h.id);
      return {
        current: current ? consentView(current) : null,
        history: ctx.privacy.consent.history(h.id).map(consentView),
      };
    },
  );
}

function recordConsent(app: TypedApp, { ctx, requests }: ConsentDeps): void {
  app.post(
    '/api/households/:id/consent',
    {
      config: { access: CONSENT_TAKERS },
      schema: {
        tags: ['privacy'],
        summary: 'Record a signed consent (monitoring starts with the next reading)',
        params: idParams,
        body: Type.Object(
          {
            by: consentBy,
            signer,
            monitoring: Type.Unsafe<'day_only' | 'round_the_clock'>({
              enum: ['day_only', 'round_the_clock'],
            }),
            shareWithFamily: Type.Optional(Type.Boolean({ default: false })),
            shareWithStreet: Type.Optional(Type.Boolean({ default: false })),
            at: Type.Optional(
              Type.String({ ...timeParam, description: 'when it was signed (default: now)' }),
            ),
            form: Type.String({ minLength: 1, maxLength: 128 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: consentSchema },
      },
    },
    async (request, reply) => {
      const h = visibleHousehold(ctx, request, request.params.id);
      const b = request.body;
      if (b.by === 'guardian' && !b.signer)
        throw Errors.badRequest('body/signer (the guardian) is required when by = guardian');
      const state = requests().recordConsent(readerOf(request), {
        household: h.id,
        status: 'given',
        by: b.by,
        signer: b.signer ?? null,
        monitoring: b.monitoring,
        shareWithFamily: b.shareWithFamily ?? false,
        shareWithStreet: b.shareWithStreet ?? false,
        at: parseTimeParam(b.at, 'at') ?? ctx.clock.now(),
        form: b.form,
      });
      return reply.status(201).send(consentView(state));
    },
  );
}

function withdrawConsent(app: TypedApp, { ctx, requests }: ConsentDeps): void {
  app.post(
    '/api/households/:id/consent/withdraw',
    {
      config: { access: CONSENT_TAKERS },
      schema: {
        tags: ['privacy'],
        summary: 'Withdraw consent: monitoring stops at once and open monitoring incidents are cancelled',
        params: idParams,
        body: Type.Object(
          { by: consentBy, signer, form: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) },
          { additionalProperties: false },
        ),
        response: { 201: consentSchema },
      },
    },
    async (request, reply) => {
      const h = visibleHousehold(ctx, request, request.params.id);
      const state = requests().recordConsent(readerOf(request), {
        household: h.id,
        status: 'withdrawn',
        by: request.body.by,
        signer: request.body.signer ?? null,
        monitoring: null,
        shareWithFamily: false,
        shareWithStreet: false,
        at: ctx.clock.now(),
        form: request.body.form ?? null,
      });
      return reply.status(201).send(consentView(state));
    },
  );
}

/** Who signs a consent form or its withdrawal: the resident, or a guardian named as `signer`. */
const consentBy = Type.Unsafe<'resident' | 'guardian'>({ enum: ['resident', 'guardian'] });
const signer = Type.Optional(Type.String({ minLength: 1, maxLength: 64 }));

/** Consent is given and withdrawn through the privacy stage, which records, logs and announces it. */
interface ConsentDeps {
  ctx: GatewayContext;
  requests: () => PrivacyFacade;
}

export function monitoredHouseholdRoutes(
  requests: () => PrivacyFacade,
): FastifyPluginAsyncTypebox<{ ctx: GatewayContext }> {
  return async (app, { ctx }) => {
    listHouseholds(app, { ctx });
    getHousehold(app, { ctx });
    getConsent(app, { ctx });
    recordConsent(app, { ctx, requests });
    withdrawConsent(app, { ctx, requests });
  };
}
