/**
 * The people's steps on an incident (四单制): accept, arrive, resolve, review, reassign, escalate,
 * cancel; the calls of "call first"; a playbook checklist tick.
 */
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import type { AlertingFacade } from '../../alerting/facade.ts';
import { CALL_OUTCOMES, CALL_TARGETS } from '../../alerting/model.ts';
import { incidentView } from '../../alerting/views.ts';
import type { AuthUser } from '../../contracts/auth.ts';
import { Errors } from '../../core/errors.ts';
import { idParams, incidentSchema, stepBody } from '../alerting-schemas.ts';
import { StringEnum, type TypedApp } from '../schemas.ts';

type StepBody = Static<typeof stepBody>;
const STEPS = ['accept', 'arrive', 'resolve', 'review', 'reassign', 'escalate', 'cancel'] as const;
type Step = (typeof STEPS)[number];

const STEP_DESCRIPTIONS: Record<Step, string> = {
  accept: 'Optional `note`.',
  arrive: 'Optional `note`.',
  resolve:
    'Body needs `disposition` (real, false_alarm, answered_fine, resident_away, leak, device_fault, test, duplicate, other); optional `note` and `photos` (URLs).',
  review: 'Body needs `rating` 1–5; optional `note`.',
  reassign: 'Body needs `to` (a staff id covering the grid). Micro-grid leaders and admins only.',
  escalate: 'Optional `note`.',
  cancel: 'Close without handling (withdrawn report, duplicate, test). Leaders, property managers, admins.',
};

function takeStep(wf: AlertingFacade['workflow'], user: AuthUser, id: string, step: Step, b: StepBody) {
  switch (step) {
    case 'accept':
      return wf.accept(user, id, b.note);
    case 'arrive':
      return wf.arrive(user, id, b.note);
    case 'resolve':
      if (!b.disposition) throw Errors.badRequest('body/disposition is required to resolve');
      return wf.resolve(user, id, {
        disposition: b.disposition,
        ...(b.note ? { note: b.note } : {}),
        ...(b.photos ? { photos: b.photos } : {}),
      });
    case 'review':
      if (b.rating === undefined) throw Errors.badRequest('body/rating (1–5) is required to review');
      return wf.review(user, id, b.rating, b.note);
    case 'reassign':
      if (!b.to) throw Errors.badRequest('body/to (a staff id) is required to reassign');
      return wf.reassign(user, id, b.to, b.note);
    case 'escalate':
      return wf.escalate(user, id, b.note);
    case 'cancel':
      return wf.cancel(user, id, b.note);
  }
}

function workflowStep(app: TypedApp, service: () => AlertingFacade, step: Step): void {
  app.post(
    `/api/incidents/:id/${step}`,
    {
      config: { access: 'staff' },
      // A step with nothing to say may come without a body at all.
      preValidation: async (request) => {
        request.body = (request.body as StepBody | undefined) ?? {};
      },
      schema: {
        tags: ['incidents'],
        summary: `Workflow step: ${step}`,
        description: STEP_DESCRIPTIONS[step],
        params: idParams,
        body: stepBody,
        response: { 200: incidentSchema },
      },
    },
    async (request) =>
      incidentView(
        takeStep(service().workflow, request.requireUser(), request.params.id, step, request.body),
      ),
  );
}

function recordCall(app: TypedApp, service: () => AlertingFacade): void {
  app.post(
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
        body: Type.Object(
          {
            who: StringEnum(CALL_TARGETS),
            outcome: StringEnum(CALL_OUTCOMES),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
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
}

function checkTask(app: TypedApp, service: () => AlertingFacade): void {
  app.post(
    '/api/incidents/:id/tasks/:taskId/check',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['incidents'],
        summary: 'Tick (or untick) a checklist item of a playbook task',
        params: Type.Composite([idParams, Type.Object({ taskId: Type.String({ maxLength: 160 }) })]),
        body: Type.Object(
          { item: Type.Integer({ minimum: 0 }), done: Type.Boolean() },
          { additionalProperties: false },
        ),
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
}

export function incidentStepRoutes(service: () => AlertingFacade): FastifyPluginAsyncTypebox {
  return async (app) => {
    for (const step of STEPS) workflowStep(app, service, step);
    recordCall(app, service);
    checkTask(app, service);
  };
}
