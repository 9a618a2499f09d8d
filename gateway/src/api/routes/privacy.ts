/**
 * Privacy routes (issue 18): residents' requests (export, erase, correct), legal holds, and the
 * access log for the data-protection officer (role `dpo`). Households and their consent:
 * monitored-households.ts.
 */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GatewayContext } from '../../context.ts';
import { Errors } from '../../core/errors.ts';
import type { PrivacyFacade } from '../../privacy/facade.ts';
import { idParams } from '../alerting-schemas.ts';
import {
  anyObject,
  auditSchema,
  CONSENT_TAKERS,
  iso,
  OFFICER,
  requestBody,
  requestMeta,
  requestMetaProps,
  str,
} from '../privacy-views.ts';
import { visibleHousehold } from '../lookups.ts';
import { readerOf } from '../reader.ts';
import { parseTimeParam, timeParam, WithDefault, type TypedApp } from '../schemas.ts';

const phoneNumber = Type.String({ pattern: '^[0-9+\\- ]{5,20}$' });

type PrivacyDeps = { ctx: GatewayContext; requests: () => PrivacyFacade };

function exportHouseholdData(app: TypedApp, { ctx, requests }: PrivacyDeps): void {
  app.post(
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
      const h = visibleHousehold(ctx, request, request.params.id);
      return requests().export(readerOf(request), h, requestMeta(request.body));
    },
  );
}

function eraseHouseholdData(app: TypedApp, { ctx, requests }: PrivacyDeps): void {
  app.post(
    '/api/privacy/households/:id/erase',
    {
      config: { access: OFFICER },
      schema: {
        tags: ['privacy'],
        summary: 'Erase what is held about a household (incidents on legal hold and the audit log are kept)',
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
      const h = visibleHousehold(ctx, request, request.params.id);
      return requests().erase(readerOf(request), h, requestMeta(request.body));
    },
  );
}

function correctHouseholdData(app: TypedApp, { ctx, requests }: PrivacyDeps): void {
  app.post(
    '/api/privacy/households/:id/correct',
    {
      config: { access: [...OFFICER, ...CONSENT_TAKERS] },
      schema: {
        tags: ['privacy'],
        summary: "Correct a resident's phone or family contacts",
        params: idParams,
        body: Type.Object(
          {
            ...requestMetaProps,
            phone: Type.Optional(phoneNumber),
            contacts: Type.Optional(
              Type.Array(
                Type.Object(
                  {
                    name: Type.String({ minLength: 1, maxLength: 64 }),
                    relation: Type.Optional(Type.String({ maxLength: 32 })),
                    phone: Type.Optional(phoneNumber),
                  },
                  { additionalProperties: false },
                ),
                { maxItems: 10 },
              ),
            ),
          },
          { minProperties: 2, additionalProperties: false },
        ),
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
      const h = visibleHousehold(ctx, request, request.params.id);
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
}

function listResidentRequests(app: TypedApp, { requests }: PrivacyDeps): void {
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
}

function readAuditLog(app: TypedApp, { ctx }: PrivacyDeps): void {
  app.get(
    '/api/privacy/audit',
    {
      config: { access: OFFICER },
      schema: {
        tags: ['privacy'],
        summary: 'The personal-data access log (hash-chained), oldest first, and whether the chain holds',
        querystring: Type.Object(
          {
            subject: Type.Optional(
              Type.String({ maxLength: 200, description: 'household:<id>, incident:<id>, alert:<id>' }),
            ),
            action: Type.Optional(Type.String({ maxLength: 40 })),
            since: Type.Optional(timeParam),
            limit: WithDefault(Type.Integer({ minimum: 1, maximum: 100_000, default: 1000 })),
          },
          { additionalProperties: false },
        ),
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
      const entries = ctx.privacy.audit.entries({
        ...(q.subject ? { subject: q.subject } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(since !== undefined ? { since } : {}),
        limit: q.limit,
      });
      return { chain: ctx.privacy.audit.verify(), entries: entries.map((e) => ({ ...e, at: iso(e.at) })) };
    },
  );
}

function exportAuditLog(app: TypedApp, { ctx }: PrivacyDeps): void {
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
      const anchor = ctx.privacy.audit.anchor();
      const lines = [
        JSON.stringify({ anchor }),
        ...ctx.privacy.audit.entries().map((e) => JSON.stringify(e)),
      ];
      ctx.privacy.audit.record({
        at: ctx.clock.now(),
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
}

function placeLegalHold(app: TypedApp, { ctx }: PrivacyDeps): void {
  app.post(
    '/api/privacy/holds',
    {
      config: { access: OFFICER },
      schema: {
        tags: ['privacy'],
        summary:
          'Put an incident on legal hold: its clips, snapshots and records outlive retention and erasure',
        body: Type.Object(
          {
            incidentId: Type.String({ maxLength: 128 }),
            reason: Type.String({ minLength: 1, maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: { type: 'object', properties: { incidentId: str, by: str, at: str, reason: str } },
        },
      },
    },
    async (request, reply) => {
      const user = request.requireUser();
      const { incidentId, reason } = request.body;
      const hold = { incidentId, by: user.id, at: ctx.clock.now(), reason };
      ctx.privacy.holds.place(hold);
      ctx.privacy.audit.record({
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
}

function releaseLegalHold(app: TypedApp, { ctx }: PrivacyDeps): void {
  app.delete(
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
      if (!ctx.privacy.holds.release(request.params.id))
        throw Errors.notFound(`no legal hold on '${request.params.id}'`);
      ctx.privacy.audit.record({
        at: ctx.clock.now(),
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
}

export function privacyRoutes(
  requests: () => PrivacyFacade,
): FastifyPluginAsyncTypebox<{ ctx: GatewayContext }> {
  return async (app, { ctx }) => {
    const deps = { ctx, requests };
    exportHouseholdData(app, deps);
    eraseHouseholdData(app, deps);
    correctHouseholdData(app, deps);
    listResidentRequests(app, deps);
    readAuditLog(app, deps);
    exportAuditLog(app, deps);
    placeLegalHold(app, deps);
    releaseLegalHold(app, deps);
  };
}
