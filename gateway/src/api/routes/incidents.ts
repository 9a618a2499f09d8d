/**
 * Incidents: list, one with its history, and the evidence package (every read logged). The
 * people's steps on them: incident-steps.ts.
 */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GatewayContext } from '../../context.ts';
import { Errors } from '../../core/errors.ts';
import { buildEvidence } from '../../alerting/evidence.ts';
import type { AlertingFacade } from '../../alerting/facade.ts';
import type { AlertingDeps } from '../alerting-deps.ts';
import { historyView, incidentView } from '../../alerting/views.ts';
import { historySchema, idParams, incidentSchema, langQuery, langQueryString } from '../alerting-schemas.ts';
import { WithDefault, type TypedApp } from '../schemas.ts';
import {
  ACTIVE_STATES,
  CLOSED_STATES,
  INCIDENT_STATES,
  type IncidentState,
} from '../../contracts/incidents.ts';

function parseStates(raw: string | undefined): IncidentState[] | undefined {
  if (!raw) return undefined;
  const out = new Set<IncidentState>();
  for (const s of raw.split(',')) {
    if (s === 'active') ACTIVE_STATES.forEach((x) => out.add(x));
    else if (s === 'closed') CLOSED_STATES.forEach((x) => out.add(x));
    else if ((INCIDENT_STATES as readonly string[]).includes(s)) out.add(s as IncidentState);
    else throw Errors.badRequest(`querystring/status '${s}' is not a state (or 'active', 'closed')`);
  }
  return [...out];
}

function listIncidents(app: TypedApp, { service }: AlertingDeps): void {
  app.get(
    '/api/incidents',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['incidents'],
        summary: 'Incidents the caller may see, newest first',
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.String({ description: "state(s), comma-separated; or 'active' / 'closed'" }),
            ),
            kind: Type.Optional(Type.String({ maxLength: 64 })),
            mine: Type.Optional(
              Type.Boolean({ description: 'only incidents that paged or are assigned to me' }),
            ),
            limit: WithDefault(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
            lang: WithDefault(langQuery),
          },
          { additionalProperties: false },
        ),
        response: { 200: { type: 'array', items: incidentSchema } },
      },
    },
    async (request) => {
      const user = request.requireUser();
      const svc = service();
      const q = request.query;
      const states = parseStates(q.status);
      return svc.store
        .listIncidents({
          ...(states ? { states } : {}),
          ...(q.kind ? { kind: q.kind } : {}),
          limit: 10_000,
        })
        .filter((i) => svc.workflow.visible(user, i))
        .filter((i) => !q.mine || i.assignees.includes(user.id) || i.paged.some((p) => p.staffId === user.id))
        .slice(0, q.limit)
        .map((i) => incidentView(i, q.lang));
    },
  );
}

function getIncident(app: TypedApp, { service }: AlertingDeps): void {
  app.get(
    '/api/incidents/:id',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['incidents'],
        summary: 'One incident with its history and alerts',
        params: idParams,
        querystring: langQueryString,
        response: {
          200: {
            type: 'object',
            properties: {
              ...incidentSchema.properties,
              history: { type: 'array', items: historySchema },
              alertIds: { type: 'array', items: { type: 'string' } },
              pendingTimers: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { kind: { type: 'string' }, dueAt: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const svc = service();
      const incident = svc.workflow.get(request.requireUser(), request.params.id);
      return {
        ...incidentView(incident, request.query.lang),
        history: svc.store.history(incident.id).map(historyView),
        alertIds: svc.store.alertsOfIncident(incident.id).map((a) => a.id),
        pendingTimers: svc
          .pendingTimers(incident.id)
          .map((t) => ({ kind: t.kind, dueAt: new Date(t.dueAt).toISOString() })),
      };
    },
  );
}

const nullable = { type: ['string', 'null'] } as const;

const evidenceResponse = {
  200: {
    type: 'object',
    properties: {
      incidentId: { type: 'string' },
      content: { type: 'object', additionalProperties: true },
      items: {
        type: 'array',
        items: {
          type: 'object',
          properties: { name: { type: 'string' }, sha256: { type: 'string' } },
        },
      },
      hash: {
        type: 'object',
        properties: {
          algorithm: { type: 'string' },
          value: { type: 'string' },
          over: { type: 'string' },
        },
      },
      accessLog: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            seq: { type: 'integer' },
            at: { type: 'string' },
            by: { type: 'string' },
            action: { type: 'string' },
            ip: nullable,
            hash: { type: 'string' },
            recipient: nullable,
          },
        },
      },
    },
  },
} as const;

function getEvidence(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.get(
    '/api/incidents/:id/evidence',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['incidents'],
        summary: 'The evidence package with its SHA-256; every read is logged (append-only)',
        params: idParams,
        querystring: Type.Object(
          {
            export: Type.Optional(Type.Boolean({ description: 'log this read as an export (download)' })),
            to: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description:
                  'with export: to whom it is handed (e.g. 黄浦公安分局五里桥派出所); kept in the custody log',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: evidenceResponse,
      },
    },
    async (request, reply) => {
      const user = request.requireUser();
      const svc = service();
      const incident = svc.workflow.get(user, request.params.id);
      const pkg = buildEvidence(
        incident,
        svc.store.alertsOfIncident(incident.id),
        svc.store.history(incident.id),
      );
      const action = request.query.export ? 'export' : 'view';
      if (request.query.to && action !== 'export')
        throw Errors.badRequest('querystring/to needs export=true');
      const recipient = request.query.to ?? null;
      svc.records.logEvidenceAccess(
        incident.id,
        svc.now(),
        user.id,
        action,
        request.ip ?? null,
        pkg.hash.value,
        recipient,
      );
      // Clips and snapshots are personal data too (PIPL Art. 26): the read goes in the access log.
      ctx.privacy.audit.record({
        at: svc.now(),
        actor: user.id,
        roles: user.roles,
        action: action === 'export' ? 'evidence_export' : 'read',
        subject: `incident:${incident.id}`,
        fields: ['evidence'],
        ip: request.ip ?? null,
        purpose: incident.id,
        ...(recipient ? { detail: { recipient } } : {}),
      });
      if (action === 'export')
        void reply.header('content-disposition', `attachment; filename="evidence-${incident.id}.json"`);
      return {
        incidentId: incident.id,
        ...pkg,
        accessLog: svc.records
          .evidenceAccess(incident.id)
          .map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
      };
    },
  );
}

export function incidentRoutes(
  service: () => AlertingFacade,
): FastifyPluginAsyncTypebox<{ ctx: GatewayContext }> {
  return async (app, { ctx }) => {
    const deps = { ctx, service };
    listIncidents(app, deps);
    getIncident(app, deps);
    getEvidence(app, deps);
  };
}
