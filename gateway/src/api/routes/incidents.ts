/**
 * Incidents: list, one with its history, the workflow steps (accept, arrive, resolve, review,
 * reassign, escalate), checklist items, and the evidence package (every read logged).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { GatewayContext } from '../../context.ts';
import type { IncidentState } from '../../contracts/alerts.ts';
import { INCIDENT_STATES } from '../../contracts/alerts.ts';
import { Errors } from '../../core/errors.ts';
import { buildEvidence } from '../../alerting/evidence.ts';
import {
  ACTIVE_STATES,
  CALL_OUTCOMES,
  CALL_TARGETS,
  CLOSED_STATES,
  type CallOutcome,
} from '../../alerting/model.ts';
import type { AlertingFacade } from '../../alerting/facade.ts';
import { historyView, incidentView, type Lang } from '../../alerting/views.ts';
import { historySchema, idParams, incidentSchema, langQuery, stepBody } from '../alerting-schemas.ts';

type StepBody = { note?: string; rating?: number; to?: string; disposition?: string; photos?: string[] };
const STEPS = ['accept', 'arrive', 'resolve', 'review', 'reassign', 'escalate', 'cancel'] as const;

export function parseStates(raw: string | undefined): IncidentState[] | undefined {
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

export function incidentRoutes(service: () => AlertingFacade): FastifyPluginAsync<{ ctx: GatewayContext }> {
  return async (app, { ctx }) => {
    app.get<{ Querystring: { status?: string; kind?: string; mine?: boolean; limit: number; lang: Lang } }>(
      '/api/incidents',
      {
        config: { access: 'staff' },
        schema: {
          tags: ['incidents'],
          summary: 'Incidents the caller may see, newest first',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              status: { type: 'string', description: "state(s), comma-separated; or 'active' / 'closed'" },
              kind: { type: 'string', maxLength: 64 },
              mine: { type: 'boolean', description: 'only incidents that paged or are assigned to me' },
              limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
              lang: langQuery,
            },
          },
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
          .filter(
            (i) => !q.mine || i.assignees.includes(user.id) || i.paged.some((p) => p.staffId === user.id),
          )
          .slice(0, q.limit)
          .map((i) => incidentView(i, q.lang));
      },
    );

    app.get<{ Params: { id: string }; Querystring: { lang: Lang } }>(
      '/api/incidents/:id',
      {
        config: { access: 'staff' },
        schema: {
          tags: ['incidents'],
          summary: 'One incident with its history and alerts',
          params: idParams,
          querystring: { type: 'object', properties: { lang: langQuery } },
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

    for (const step of STEPS) {
      app.post<{ Params: { id: string }; Body: StepBody | undefined }>(
        `/api/incidents/:id/${step}`,
        {
          config: { access: 'staff' },
          // A step with nothing to say may come without a body at all.
          preValidation: async (request) => {
            request.body ??= {};
          },
          schema: {
            tags: ['incidents'],
            summary: `Workflow step: ${step}`,
            description:
              step === 'resolve'
                ? 'Body needs `disposition` (real, false_alarm, answered_fine, resident_away, leak, device_fault, test, duplicate, other); optional `note` and `photos` (URLs).'
                : step === 'review'
                  ? 'Body needs `rating` 1–5; optional `note`.'
                  : step === 'reassign'
                    ? 'Body needs `to` (a staff id covering the grid). Micro-grid leaders and admins only.'
                    : step === 'cancel'
                      ? 'Close without handling (withdrawn report, duplicate, test). Leaders, property managers, admins.'
                      : 'Optional `note`.',
            params: idParams,
            body: stepBody,
            response: { 200: incidentSchema },
          },
        },
        async (request) => {
          const user = request.requireUser();
          const wf = service().workflow;
          const id = request.params.id;
          const b = request.body ?? {};
          switch (step) {
            case 'accept':
              return incidentView(wf.accept(user, id, b.note));
            case 'arrive':
              return incidentView(wf.arrive(user, id, b.note));
            case 'resolve':
              if (!b.disposition) throw Errors.badRequest('body/disposition is required to resolve');
              return incidentView(
                wf.resolve(user, id, {
                  disposition: b.disposition as never,
                  ...(b.note ? { note: b.note } : {}),
                  ...(b.photos ? { photos: b.photos } : {}),
                }),
              );
            case 'review':
              if (b.rating === undefined) throw Errors.badRequest('body/rating (1–5) is required to review');
              return incidentView(wf.review(user, id, b.rating, b.note));
            case 'reassign':
              if (!b.to) throw Errors.badRequest('body/to (a staff id) is required to reassign');
              return incidentView(wf.reassign(user, id, b.to, b.note));
            case 'escalate':
              return incidentView(wf.escalate(user, id, b.note));
            case 'cancel':
              return incidentView(wf.cancel(user, id, b.note));
          }
        },
      );
    }

    app.post<{
      Params: { id: string };
      Body: { who: (typeof CALL_TARGETS)[number]; outcome: CallOutcome; note?: string };
    }>(
      '/api/incidents/:id/calls',
      {
        config: { access: 'staff' },
        schema: {
          tags: ['incidents'],
          summary:
            'Call first (elderly inactivity): record a call to the resident or the emergency contact, or a visit',
          description:
            "`answered_fine` resolves the incident as the detector's false alarm; `no_answer` leaves it open for the next call; `visited` (who: visit) records the visit, to be resolved as usual.",
          params: idParams,
          body: {
            type: 'object',
            required: ['who', 'outcome'],
            additionalProperties: false,
            properties: {
              who: { type: 'string', enum: [...CALL_TARGETS] },
              outcome: { type: 'string', enum: [...CALL_OUTCOMES] },
              note: { type: 'string', maxLength: 2000 },
            },
          },
          response: { 200: incidentSchema },
        },
      },
      async (request) => {
        const b = request.body;
        return incidentView(
          service().workflow.recordCall(request.requireUser(), request.params.id, {
            who: b.who,
            outcome: b.outcome,
            ...(b.note ? { note: b.note } : {}),
          }),
        );
      },
    );

    app.post<{ Params: { id: string; taskId: string }; Body: { item: number; done: boolean } }>(
      '/api/incidents/:id/tasks/:taskId/check',
      {
        config: { access: 'staff' },
        schema: {
          tags: ['incidents'],
          summary: 'Tick (or untick) a checklist item of a playbook task',
          params: {
            type: 'object',
            required: ['id', 'taskId'],
            properties: {
              id: { type: 'string', maxLength: 128 },
              taskId: { type: 'string', maxLength: 160 },
            },
          },
          body: {
            type: 'object',
            required: ['item', 'done'],
            additionalProperties: false,
            properties: { item: { type: 'integer', minimum: 0 }, done: { type: 'boolean' } },
          },
          response: { 200: incidentSchema },
        },
      },
      async (request) =>
        incidentView(
          service().workflow.checkTask(
            request.requireUser(),
            request.params.id,
            request.params.taskId,
            request.body.item,
            request.body.done,
          ),
        ),
    );

    app.get<{ Params: { id: string }; Querystring: { export?: boolean; to?: string } }>(
      '/api/incidents/:id/evidence',
      {
        config: { access: 'staff' },
        schema: {
          tags: ['incidents'],
          summary: 'The evidence package with its SHA-256; every read is logged (append-only)',
          params: idParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              export: { type: 'boolean', description: 'log this read as an export (download)' },
              to: {
                type: 'string',
                minLength: 1,
                maxLength: 200,
                description:
                  'with export: to whom it is handed (e.g. 黄浦公安分局五里桥派出所); kept in the custody log',
              },
            },
          },
          response: {
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
          },
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
  };
}

const nullable = { type: ['string', 'null'] } as const;
