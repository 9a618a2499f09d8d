/**
 * The 四单制 steps people take on an incident — accept 接单, arrive, resolve 处置 (with a
 * disposition code), review 评单 (1–5), reassign, escalate — with who and when, and the grid
 * scope the API enforces: someone outside the incident's grid who was never paged gets 404.
 */
import type { AuthUser } from '../contracts/auth.ts';
import type { Role } from '../contracts/site.ts';
import { Errors } from '../core/errors.ts';
import { rolesFor } from './config.ts';
import type { AlertingCore } from './core.ts';
import type { Escalator } from './escalation.ts';
import {
  CALL_TARGETS,
  FALSE_ALARM_DISPOSITIONS,
  type CallOutcome,
  type Disposition,
  type Incident,
} from './model.ts';
import {
  nextState,
  UNACCEPTED_STATES,
  type IncidentState,
  type IncidentStep,
} from '../contracts/incidents.ts';
const REVIEWERS: Role[] = ['micro_grid_leader', 'property_manager'];
const ASSIGNERS: Role[] = ['micro_grid_leader'];

export interface ResolveInput {
  disposition: Disposition;
  note?: string;
  photos?: string[];
}

export class Workflow {
  constructor(
    private readonly core: AlertingCore,
    private readonly escalator: Escalator,
  ) {}

  visible(user: AuthUser, incident: Incident): boolean {
    if (user.roles.includes('admin')) return true;
    if (incident.paged.some((p) => p.staffId === user.id)) return true;
    return this.core.ctx.site.isWithin(incident.gridNode ?? this.core.ctx.site.site.grid.id, user.grid);
  }

  /** The incident if the caller may see it; 404 otherwise, so ids do not leak across grids. */
  get(user: AuthUser, id: string): Incident {
    const incident = this.core.store.getIncident(id);
    if (!incident || !this.visible(user, incident)) throw Errors.notFound(`no incident '${id}'`);
    return incident;
  }

  accept(user: AuthUser, id: string, note?: string): Incident {
    return this.step(user, id, (i) => this.markAccepted(i, user.id, note));
  }

  /**
   * Accepted by the street duty officer at the street hub (who the hub has authorised): recorded
   * like a local accept, by `street:<account>`, and the community's reminders stop.
   */
  acceptAtStreet(by: string, id: string, note: string | null): Incident {
    return this.atStreet(id, (i) => this.markAccepted(i, by, note ?? undefined));
  }

  /** The street hands an incident back: the community's A post is paged again and the clock restarts. */
  handBackFromStreet(by: string, id: string, note: string | null): Incident {
    return this.atStreet(id, (i) => {
      const toState = this.transition(i, 'hand_back', 'hand back');
      i.acceptedBy = null;
      i.acceptedAt = null;
      i.arrivedAt = null;
      i.escalationStep = 0;
      i.assignees = (i.chain[0]?.staff ?? []).map((m) => m.staffId);
      this.core.change(i, { type: 'handed_back', by, note, toState });
      this.escalator.armUnaccepted(i);
    });
  }

  private markAccepted(i: Incident, by: string, note?: string): void {
    const toState = this.transition(i, 'accept', 'accept');
    i.acceptedBy = by;
    i.acceptedAt = this.core.now;
    if (!i.assignees.includes(by)) i.assignees = [by, ...i.assignees];
    this.observe('timeToAccept', i, i.acceptedAt);
    this.core.change(i, { type: 'accepted', by, note, toState });
    this.escalator.accepted(i);
  }

  private atStreet(id: string, fn: (i: Incident) => void): Incident {
    return this.core.work(() => {
      const incident = this.core.store.getIncident(id);
      if (!incident) throw Errors.notFound(`no incident '${id}'`);
      fn(incident);
      return incident;
    });
  }

  arrive(user: AuthUser, id: string, note?: string): Incident {
    return this.step(user, id, (i) => {
      const toState = this.transition(i, 'arrive', 'arrive');
      i.arrivedAt = this.core.now;
      this.observe('timeToArrive', i, i.arrivedAt);
      this.core.change(i, { type: 'arrived', by: user.id, note, toState });
      this.escalator.arrived(i);
    });
  }

  resolve(user: AuthUser, id: string, input: ResolveInput): Incident {
    return this.step(user, id, (i) => {
      const toState = this.transition(i, 'resolve', 'resolve');
      i.resolvedBy = user.id;
      i.resolvedAt = this.core.now;
      i.disposition = input.disposition;
      i.resolutionNote = input.note ?? null;
      i.photos = input.photos ?? [];
      this.observe('timeToResolve', i, i.resolvedAt);
      const m = this.core.metrics;
      m.resolutions.inc({ kind: i.kind, disposition: input.disposition });
      if (FALSE_ALARM_DISPOSITIONS.includes(input.disposition))
        m.falseAlarms.inc({ kind: i.kind, rule: i.source.rule ?? '', model: i.source.model ?? '' });
      this.escalator.closed(i);
      this.core.store.setAlertsStatus(i.id, 'resolved');
      this.core.change(i, {
        type: 'resolved',
        by: user.id,
        note: input.note,
        toState,
        data: { disposition: input.disposition, photos: i.photos },
      });
    });
  }

  review(user: AuthUser, id: string, rating: number, note?: string): Incident {
    return this.step(
      user,
      id,
      (i) => {
        const toState = this.transition(i, 'review', 'review');
        i.reviewedBy = user.id;
        i.reviewedAt = this.core.now;
        i.rating = rating;
        i.reviewNote = note ?? null;
        this.core.change(i, { type: 'reviewed', by: user.id, note, toState, data: { rating } });
      },
      REVIEWERS,
    );
  }

  reassign(user: AuthUser, id: string, to: string, note?: string): Incident {
    return this.step(
      user,
      id,
      (i) => {
        const toState = this.transition(i, 'reassign', 'reassign');
        const target = this.core.ctx.site.staffMember(to);
        const root = this.core.ctx.site.site.grid.id;
        if (!target || !this.core.ctx.site.isWithin(i.gridNode ?? root, target.grid))
          throw Errors.badRequest(`'${to}' is not a staff member who covers this incident's grid`);
        const from = i.assignees;
        i.assignees = [target.id];
        if (!i.paged.some((p) => p.staffId === target.id))
          i.paged.push({
            staffId: target.id,
            name: target.name,
            role: target.roles[0]!,
            post: target.onCall ?? null,
            step: i.escalationStep,
          });
        i.acceptedBy = null;
        i.acceptedAt = null;
        i.arrivedAt = null;
        this.core.change(i, {
          type: 'reassigned',
          by: user.id,
          note,
          toState,
          data: { from, to: target.id },
        });
        this.escalator.armUnaccepted(i);
      },
      ASSIGNERS,
    );
  }

  escalate(user: AuthUser, id: string, note?: string): Incident {
    return this.step(user, id, (i) => {
      this.transition(i, 'escalate', 'escalate');
      if (!this.escalator.escalate(i, 'manual', user.id, note ?? null))
        throw Errors.conflict('already escalated to the top of the grid');
      if (UNACCEPTED_STATES.includes(i.state)) this.escalator.armUnaccepted(i);
    });
  }

  /** Withdrawn report, duplicate, test: closed without a disposition count (not a false alarm). */
  cancel(user: AuthUser, id: string, note?: string): Incident {
    return this.step(
      user,
      id,
      (i) => {
        const toState = this.transition(i, 'cancel', 'cancel');
        this.escalator.closed(i);
        this.core.store.setAlertsStatus(i.id, 'resolved');
        this.core.change(i, { type: 'cancelled', by: user.id, note, toState });
      },
      [...ASSIGNERS, 'property_manager'],
    );
  }

  /**
   * Call first (elderly inactivity): the resident, then the emergency contact, a visit only if
   * nobody answers. Each call or visit is recorded; "answered, fine" closes the incident as the
   * detector's false alarm (counted against its rule and household).
   */
  recordCall(
    user: AuthUser,
    id: string,
    call: { who: (typeof CALL_TARGETS)[number]; outcome: CallOutcome; note?: string },
  ): Incident {
    if ((call.outcome === 'visited') !== (call.who === 'visit'))
      throw Errors.badRequest("body/outcome 'visited' goes with who 'visit', and only with it");
    const incident = this.step(user, id, (i) => {
      this.transition(i, 'record_call', 'record a call on');
      if (UNACCEPTED_STATES.includes(i.state)) this.markAccepted(i, user.id);
      this.core.change(i, {
        type: 'call_recorded',
        by: user.id,
        note: call.note,
        data: { who: call.who, outcome: call.outcome },
      });
    });
    if (call.outcome !== 'answered_fine') return incident;
    return this.resolve(user, id, {
      disposition: 'answered_fine',
      note: call.note ?? (call.who === 'resident' ? '电话接通，老人平安' : '紧急联系人确认平安'),
    });
  }

  checkTask(user: AuthUser, id: string, taskId: string, item: number, done: boolean): Incident {
    return this.step(user, id, (i) => {
      const task = i.tasks.find((t) => t.id === taskId);
      const entry = task?.checklist[item];
      if (!task || !entry) throw Errors.notFound(`no checklist item ${item} in task '${taskId}'`);
      entry.done = done;
      entry.by = done ? user.id : null;
      entry.at = done ? this.core.now : null;
      const n = task.checklist.filter((c) => c.done).length;
      task.status = n === 0 ? 'pending' : n === task.checklist.length ? 'done' : 'in_progress';
      this.core.change(i, {
        type: 'task_checked',
        by: user.id,
        data: { taskId, item, done, status: task.status },
      });
    });
  }

  /** Loads, checks scope and permission, applies `fn` in one transaction, returns the result. */
  private step(user: AuthUser, id: string, fn: (i: Incident) => void, roles?: Role[]): Incident {
    return this.core.work(() => {
      const incident = this.get(user, id);
      if (!this.mayWork(user, incident, roles))
        throw Errors.authForbidden('you are not on this incident and not a supervisor of its grid');
      fn(incident);
      return incident;
    });
  }

  private mayWork(user: AuthUser, i: Incident, roles?: Role[]): boolean {
    if (user.roles.includes('admin')) return true;
    const root = this.core.ctx.site.site.grid.id;
    const inScope = this.core.ctx.site.isWithin(i.gridNode ?? root, user.grid);
    if (roles) return inScope && user.roles.some((r) => roles.includes(r));
    if (i.paged.some((p) => p.staffId === user.id) || i.assignees.includes(user.id)) return true;
    const allowed = [...rolesFor(this.core.config, i.kind), ...this.core.config.routing.supervisorRoles];
    return inScope && user.roles.some((r) => allowed.includes(r));
  }

  /** The state `step` moves `i` to (contracts/incidents.ts, the one transition table), or a 409. */
  private transition(i: Incident, step: IncidentStep, verb: string): IncidentState {
    const to = nextState(i.state, step);
    if (to === null) throw Errors.incidentTransitionRefused(`cannot ${verb} an incident that is ${i.state}`);
    return to;
  }

  private observe(metric: 'timeToAccept' | 'timeToArrive' | 'timeToResolve', i: Incident, at: number): void {
    this.core.metrics[metric].observe(
      { kind: i.kind, severity: i.severity },
      Math.max(0, (at - i.createdAt) / 1000),
    );
  }
}
