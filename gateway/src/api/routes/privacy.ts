/**
 * Privacy routes (issue 18): the monitored households as each reader may see them (every read
 * logged), consent and its withdrawal, residents' requests (export, erase, correct), legal holds,
 * and the access log for the data-protection officer (role `dpo`).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../../context.ts';
import type { Household, Role } from '../../contracts/site.ts';
import { Errors } from '../../core/errors.ts';
import type { ConsentState } from '../../privacy/consent.ts';
import type { PrivacyFacade } from '../../privacy/facade.ts';
import { readerOf } from '../reader.ts';
import { idParams } from '../alerting-schemas.ts';
import { parseTimeParam, timeParam } from '../schemas.ts';

const CONSENT_TAKERS: Role[] = ['special_care', 'grid_worker', 'micro_grid_leader'];
const OFFICER: Role[] = ['dpo'];

const str = { type: 'string' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

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

const auditSchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: str,
    actor: str,
    roles: { type: 'array', items: str },
    action: str,
    subject: str,
    fields: { type: 'array', items: str },
    ip: strOrNull,
    purpose: strOrNull,
    detail: anyObject,
    prevHash: str,
    hash: str,
  },
} as const;

const requestMetaProps = {
  requestedBy: { enum: ['resident', 'guardian', 'family'] },
  receivedAt: { ...timeParam, description: 'when the request came in (default: now)' },
  note: { type: 'string', maxLength: 500 },
} as const;

const requestBody = {
  type: 'object',
  required: ['requestedBy'],
  additionalProperties: false,
  properties: requestMetaProps,
} as const;

type RequestBody = { requestedBy: 'resident' | 'guardian' | 'family'; receivedAt?: string; note?: string };

const iso = (ms: number): string => new Date(ms).toISOString();
const consentView = (c: ConsentState) => ({ ...c, at: iso(c.at) });

export function privacyRoutes(requests: () => PrivacyFacade): FastifyPluginAsync<{ ctx: GatewayContext }> {
  return async (app, { ctx }) => {
    const { privacy } = ctx;
    const now = (): number => ctx.clock.now();
    const household = (request: FastifyRequest, id: string): Household => {
      const h = ctx.site.household(id);
      if (!h || !request.canSee(h.grid)) throw Errors.notFound(`no household '${id}'`);
      return h;
    };
    /** A watched household; one without consent is on no page (404 like an unknown one). */
    const monitored = (request: FastifyRequest, id: string): Household => {
      const h = household(request, id);
      if (!privacy.isMonitored(h))
        throw Errors.notFound(`no monitored household '${id}' (no consent on file)`);
      return h;
    };
    const withConsent = (h: Household, view: ReturnType<typeof privacy.readHousehold>) => {
      const c = privacy.consent.state(h.id);
      return {
        ...view,
        consent: {
          monitoring: c?.monitoring ?? null,
          shareWithFamily: c?.shareWithFamily ?? false,
          shareWithStreet: c?.shareWithStreet ?? false,
        },
      };
    };
    const requestMeta = (b: RequestBody) => ({
      requestedBy: b.requestedBy,
      ...(b.receivedAt ? { receivedAt: parseTimeParam(b.receivedAt, 'receivedAt')! } : {}),
      ...(b.note ? { note: b.note } : {}),
    });

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
          .filter((h) => request.canSee(h.grid) && privacy.isMonitored(h))
          .map((h) => withConsent(h, privacy.readHousehold(reader, h, now())));
      },
    );

    app.get<{ Params: { id: string } }>(
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
        const h = monitored(request, request.params.id);
        return withConsent(h, privacy.readHousehold(readerOf(request), h, now()));
      },
    );

    app.get<{ Params: { id: string } }>(
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
        const h = household(request, request.params.id);
        privacy.logRead(readerOf(request), `household:${h.id}`, ['consent'], now(), null);
        const current = privacy.consent.state(h.id);
        return {
          current: current ? consentView(current) : null,
          history: privacy.consent.history(h.id).map(consentView),
        };
      },
    );

    app.post<{
      Params: { id: string };
      Body: {
        by: 'resident' | 'guardian';
        signer?: string;
        monitoring: 'day_only' | 'round_the_clock';
        shareWithFamily?: boolean;
        shareWithStreet?: boolean;
        at?: string;
        form: string;
      };
    }>(
      '/api/households/:id/consent',
      {
        config: { access: CONSENT_TAKERS },
        schema: {
          tags: ['privacy'],
          summary: 'Record a signed consent (monitoring starts with the next reading)',
          params: idParams,
          body: {
            type: 'object',
            required: ['by', 'monitoring', 'form'],
            additionalProperties: false,
            properties: {
              by: { enum: ['resident', 'guardian'] },
              signer: { type: 'string', minLength: 1, maxLength: 64 },
              monitoring: { enum: ['day_only', 'round_the_clock'] },
              shareWithFamily: { type: 'boolean', default: false },
              shareWithStreet: { type: 'boolean', default: false },
              at: { ...timeParam, description: 'when it was signed (default: now)' },
              form: { type: 'string', minLength: 1, maxLength: 128 },
            },
          },
          response: { 201: consentSchema },
        },
      },
      async (request, reply) => {
        const user = request.requireUser();
        const h = household(request, request.params.id);
        const b = request.body;
        if (b.by === 'guardian' && !b.signer)
          throw Errors.badRequest('body/signer (the guardian) is required when by = guardian');
        const at = parseTimeParam(b.at, 'at') ?? now();
        const state = privacy.consent.record({
          household: h.id,
          status: 'given',
          by: b.by,
          signer: b.signer ?? null,
          monitoring: b.monitoring,
          shareWithFamily: b.shareWithFamily ?? false,
          shareWithStreet: b.shareWithStreet ?? false,
          at,
          form: b.form,
          recordedBy: user.id,
        });
        privacy.audit.record({
          at: now(),
          actor: user.id,
          roles: user.roles,
          action: 'consent_given',
          subject: `household:${h.id}`,
          fields: [],
          ip: request.ip ?? null,
          purpose: b.form,
          detail: { monitoring: b.monitoring, by: b.by },
        });
        ctx.bus.emit('householdConsentChanged', { householdId: h.id, status: 'given', at, by: user.id });
        return reply.status(201).send(consentView(state));
      },
    );

    app.post<{
      Params: { id: string };
      Body: { by: 'resident' | 'guardian'; signer?: string; form?: string };
    }>(
      '/api/households/:id/consent/withdraw',
      {
        config: { access: CONSENT_TAKERS },
        schema: {
          tags: ['privacy'],
          summary: 'Withdraw consent: monitoring stops at once and open monitoring incidents are cancelled',
          params: idParams,
          body: {
            type: 'object',
            required: ['by'],
            additionalProperties: false,
            properties: {
              by: { enum: ['resident', 'guardian'] },
              signer: { type: 'string', minLength: 1, maxLength: 64 },
              form: { type: 'string', minLength: 1, maxLength: 128 },
            },
          },
          response: { 201: consentSchema },
        },
      },
      async (request, reply) => {
        const user = request.requireUser();
        const h = household(request, request.params.id);
        const at = now();
        const state = privacy.consent.record({
          household: h.id,
          status: 'withdrawn',
          by: request.body.by,
          signer: request.body.signer ?? null,
          monitoring: null,
          shareWithFamily: false,
          shareWithStreet: false,
          at,
          form: request.body.form ?? null,
          recordedBy: user.id,
        });
        privacy.audit.record({
          at,
          actor: user.id,
          roles: user.roles,
          action: 'consent_withdrawn',
          subject: `household:${h.id}`,
          fields: [],
          ip: request.ip ?? null,
          purpose: request.body.form ?? null,
          detail: { by: request.body.by },
        });
        ctx.bus.emit('householdConsentChanged', { householdId: h.id, status: 'withdrawn', at, by: user.id });
        return reply.status(201).send(consentView(state));
      },
    );

    app.post<{ Params: { id: string }; Body: RequestBody }>(
      '/api/privacy/households/:id/export',
      {
        config: { access: OFFICER },
        schema: {
          tags: ['privacy'],
          summary: "A resident's copy of everything held about the household (JSON + zh-CN summary)",
          params: idParams,
          body: requestBody,
          response: {
            200: {
              type: 'object',
              properties: {
                requestSeq: { type: 'integer' },
                generatedAt: str,
                data: anyObject,
                summaryZh: str,
              },
            },
          },
        },
      },
      async (request) => {
        const h = household(request, request.params.id);
        return requests().export(readerOf(request), h, requestMeta(request.body));
      },
    );

    app.post<{ Params: { id: string }; Body: RequestBody }>(
      '/api/privacy/households/:id/erase',
      {
        config: { access: OFFICER },
        schema: {
          tags: ['privacy'],
          summary:
            'Erase what is held about a household (incidents on legal hold and the audit log are kept)',
          params: idParams,
          body: requestBody,
          response: {
            200: {
              type: 'object',
              properties: {
                requestSeq: { type: 'integer' },
                outcome: str,
                deleted: { type: 'object', additionalProperties: { type: 'integer' } },
                held: { type: 'array', items: str },
              },
            },
          },
        },
      },
      async (request) => {
        const h = household(request, request.params.id);
        return requests().erase(readerOf(request), h, requestMeta(request.body));
      },
    );

    app.post<{
      Params: { id: string };
      Body: RequestBody & {
        phone?: string;
        contacts?: Array<{ name: string; relation?: string; phone?: string }>;
      };
    }>(
      '/api/privacy/households/:id/correct',
      {
        config: { access: [...OFFICER, ...CONSENT_TAKERS] },
        schema: {
          tags: ['privacy'],
          summary: "Correct a resident's phone or family contacts",
          params: idParams,
          body: {
            type: 'object',
            required: ['requestedBy'],
            minProperties: 2,
            additionalProperties: false,
            properties: {
              ...requestMetaProps,
              phone: { type: 'string', pattern: '^[0-9+\\- ]{5,20}$' },
              contacts: {
                type: 'array',
                maxItems: 10,
                items: {
                  type: 'object',
                  required: ['name'],
                  additionalProperties: false,
                  properties: {
                    name: { type: 'string', minLength: 1, maxLength: 64 },
                    relation: { type: 'string', maxLength: 32 },
                    phone: { type: 'string', pattern: '^[0-9+\\- ]{5,20}$' },
                  },
                },
              },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                requestSeq: { type: 'integer' },
                outcome: str,
                corrected: { type: 'array', items: str },
              },
            },
          },
        },
      },
      async (request) => {
        const h = household(request, request.params.id);
        const { phone, contacts } = request.body;
        if (!phone && !contacts) throw Errors.badRequest('body needs phone or contacts to correct');
        return requests().correct(
          readerOf(request),
          h,
          { ...(phone ? { phone } : {}), ...(contacts ? { contacts } : {}) },
          requestMeta(request.body),
        );
      },
    );

    app.get(
      '/api/privacy/requests',
      {
        config: { access: OFFICER },
        schema: {
          tags: ['privacy'],
          summary: "Residents' requests with outcome and time to complete, newest first",
          response: { 200: { type: 'array', items: auditSchema } },
        },
      },
      async () =>
        requests()
          .list()
          .map((e) => ({ ...e, at: iso(e.at) })),
    );

    app.get<{ Querystring: { subject?: string; action?: string; since?: string; limit: number } }>(
      '/api/privacy/audit',
      {
        config: { access: OFFICER },
        schema: {
          tags: ['privacy'],
          summary: 'The personal-data access log (hash-chained), oldest first, and whether the chain holds',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              subject: {
                type: 'string',
                maxLength: 200,
                description: 'household:<id>, incident:<id>, alert:<id>',
              },
              action: { type: 'string', maxLength: 40 },
              since: timeParam,
              limit: { type: 'integer', minimum: 1, maximum: 100_000, default: 1000 },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                chain: {
                  type: 'object',
                  properties: {
                    ok: { type: 'boolean' },
                    entries: { type: 'integer' },
                    brokenAt: { type: ['integer', 'null'] },
                  },
                },
                entries: { type: 'array', items: auditSchema },
              },
            },
          },
        },
      },
      async (request) => {
        const q = request.query;
        const since = parseTimeParam(q.since, 'since');
        const entries = privacy.audit.entries({
          ...(q.subject ? { subject: q.subject } : {}),
          ...(q.action ? { action: q.action } : {}),
          ...(since !== undefined ? { since } : {}),
          limit: q.limit,
        });
        return { chain: privacy.audit.verify(), entries: entries.map((e) => ({ ...e, at: iso(e.at) })) };
      },
    );

    app.get(
      '/api/privacy/audit/export',
      {
        config: { access: OFFICER },
        schema: {
          tags: ['privacy'],
          summary: 'The whole access log as JSON Lines (first line: the chain anchor), for an inspection',
          produces: ['application/x-ndjson'],
        },
      },
      async (request, reply) => {
        const user = request.requireUser();
        const anchor = privacy.audit.anchor();
        const lines = [JSON.stringify({ anchor }), ...privacy.audit.entries().map((e) => JSON.stringify(e))];
        privacy.audit.record({
          at: now(),
          actor: user.id,
          roles: user.roles,
          action: 'audit_export',
          subject: 'site',
          fields: [],
          ip: request.ip ?? null,
          purpose: null,
        });
        return reply
          .header('content-type', 'application/x-ndjson; charset=utf-8')
          .header('content-disposition', 'attachment; filename="weige-access-log.jsonl"')
          .send(`${lines.join('\n')}\n`);
      },
    );

    app.post<{ Body: { incidentId: string; reason: string } }>(
      '/api/privacy/holds',
      {
        config: { access: OFFICER },
        schema: {
          tags: ['privacy'],
          summary:
            'Put an incident on legal hold: its clips, snapshots and records outlive retention and erasure',
          body: {
            type: 'object',
            required: ['incidentId', 'reason'],
            additionalProperties: false,
            properties: {
              incidentId: { type: 'string', maxLength: 128 },
              reason: { type: 'string', minLength: 1, maxLength: 500 },
            },
          },
          response: {
            201: { type: 'object', properties: { incidentId: str, by: str, at: str, reason: str } },
          },
        },
      },
      async (request, reply) => {
        const user = request.requireUser();
        const { incidentId, reason } = request.body;
        const hold = { incidentId, by: user.id, at: now(), reason };
        privacy.holds.place(hold);
        privacy.audit.record({
          at: hold.at,
          actor: user.id,
          roles: user.roles,
          action: 'legal_hold',
          subject: `incident:${incidentId}`,
          fields: [],
          ip: request.ip ?? null,
          purpose: reason,
        });
        return reply.status(201).send({ ...hold, at: iso(hold.at) });
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/api/privacy/holds/:id',
      {
        config: { access: OFFICER },
        schema: {
          tags: ['privacy'],
          summary: 'Release a legal hold',
          params: idParams,
          response: { 204: { type: 'null' } },
        },
      },
      async (request, reply) => {
        const user = request.requireUser();
        if (!privacy.holds.release(request.params.id))
          throw Errors.notFound(`no legal hold on '${request.params.id}'`);
        privacy.audit.record({
          at: now(),
          actor: user.id,
          roles: user.roles,
          action: 'legal_hold_released',
          subject: `incident:${request.params.id}`,
          fields: [],
          ip: request.ip ?? null,
          purpose: null,
        });
        return reply.status(204).send();
      },
    );
  };
}
