/**
 * Paging and escalation on durable timers. Dispatch pages the chain's first step (A posts) and
 * arms two timers: accept (the severity's timeout) and reminder (repeats until someone
 * accepts). An accept timeout pages the next step — B posts, then supervisors up the grid to
 * the street — and every step is recorded. Accepted but not on site, or not resolved, in time
 * re-escalates the same way. Emergency mode multiplies every timeout by its factor.
 */
import type { SeverityTimeouts } from './config.ts';
import type { AlertingCore } from './core.ts';
import type { Incident } from './model.ts';
import type { TimerRow } from './store.ts';
import { nextState, UNACCEPTED_STATES, type IncidentPage } from '../contracts/incidents.ts';

export type SiteModeName = 'normal' | 'emergency';

export const ESCALATION_TIMERS = ['accept', 'reminder', 'arrive', 'resolve'] as const;

export class Escalator {
  constructor(
    private readonly core: AlertingCore,
    private readonly mode: () => SiteModeName,
  ) {}

  timeouts(incident: Incident): SeverityTimeouts {
    const base = this.core.config.escalation.timeouts[incident.severity];
    const emergency = incident.emergency || this.mode() === 'emergency';
    const f = emergency ? this.core.config.escalation.emergency.timeoutFactor : 1;
    return {
      acceptS: base.acceptS * f,
      arriveS: base.arriveS * f,
      resolveS: base.resolveS * f,
      reminderS: base.reminderS * f,
    };
  }

  /** Pages the first step and starts the clock. */
  dispatch(incident: Incident, by: string | null): void {
    incident.escalationStep = 0;
    const first = this.pagesFor(incident, 0);
    incident.paged = first;
    incident.assignees = first.map((p) => p.staffId);
    if (!first.length)
      this.core.log.warn(
        { incident: incident.id, kind: incident.kind, gridNode: incident.gridNode },
        'nobody holds the roles routed for this kind here; check routing in the site file',
      );
    this.core.change(incident, {
      type: 'dispatched',
      by,
      toState: nextState(incident.state, 'dispatch') ?? undefined,
      data: { step: incident.chain[0]?.label ?? null, paged: first.map((p) => p.staffId) },
    });
    this.armUnaccepted(incident);
  }

  /** Pages the next step of the chain; at the end of the chain, says so once. */
  escalate(incident: Incident, reason: string, by: string | null, note: string | null = null): boolean {
    const next = incident.escalationStep + 1;
    this.core.metrics.escalations.inc({ kind: incident.kind, reason });
    if (next >= incident.chain.length) {
      const said = this.core.store.hasHistory(incident.id, 'escalation_exhausted');
      if (!said) this.core.change(incident, { type: 'escalation_exhausted', by, note, data: { reason } });
      return false;
    }
    const pages = this.pagesFor(incident, next);
    incident.escalationStep = next;
    for (const p of pages) if (!incident.paged.some((x) => x.staffId === p.staffId)) incident.paged.push(p);
    this.core.change(incident, {
      type: 'escalated',
      by,
      note,
      toState: nextState(incident.state, 'escalate') ?? undefined,
      data: {
        reason,
        step: incident.chain[next]!.label,
        gridNode: incident.chain[next]!.gridNode,
        paged: pages.map((p) => p.staffId),
      },
    });
    return true;
  }

  onTimer(row: TimerRow): void {
    this.core.work(() => {
      this.core.timers.cancel(row.id);
      const incident = this.core.store.getIncident(row.incidentId);
      if (!incident) return;
      const t = this.timeouts(incident);
      switch (row.kind) {
        case 'accept':
          if (!UNACCEPTED_STATES.includes(incident.state)) return;
          this.escalate(incident, 'accept_timeout', null);
          this.arm(incident, 'accept', t.acceptS);
          return;
        case 'reminder':
          if (!UNACCEPTED_STATES.includes(incident.state)) return;
          this.core.metrics.reminders.inc({ kind: incident.kind });
          this.core.change(incident, {
            type: 'reminded',
            by: null,
            data: { paged: incident.paged.map((p) => p.staffId) },
          });
          this.arm(incident, 'reminder', t.reminderS);
          return;
        case 'arrive':
          if (incident.state !== 'accepted') return;
          this.escalate(incident, 'not_on_site', null);
          this.arm(incident, 'arrive', t.arriveS);
          return;
        case 'resolve':
          if (incident.state !== 'accepted' && incident.state !== 'on_site') return;
          this.escalate(incident, 'not_resolved', null);
          this.arm(incident, 'resolve', t.resolveS);
          return;
      }
    });
  }

  /** Someone accepted: stop paging and reminding, start the on-site and resolve clocks. */
  accepted(incident: Incident): void {
    this.cancel(incident, ['accept', 'reminder']);
    const t = this.timeouts(incident);
    this.arm(incident, 'arrive', t.arriveS);
    this.arm(incident, 'resolve', t.resolveS);
  }

  /** The incident became more severe (a smoke alarm confirmed as a fire): pull its timers in. */
  severityRaised(incident: Incident): void {
    const t = this.timeouts(incident);
    const limitS: Record<string, number> = {
      accept: t.acceptS,
      reminder: t.reminderS,
      arrive: t.arriveS,
      resolve: t.resolveS,
    };
    for (const row of this.core.timers.pending(incident.id)) {
      const s = limitS[row.kind];
      if (s === undefined) continue;
      const dueAt = Math.max(this.core.now, row.createdAt + Math.round(s * 1000));
      if (dueAt < row.dueAt) this.core.timers.schedule(row.id, incident.id, row.kind, dueAt, row.data);
    }
  }

  arrived(incident: Incident): void {
    this.cancel(incident, ['arrive']);
  }

  /** Back to waiting for an accept (reassigned or reopened). */
  armUnaccepted(incident: Incident): void {
    this.cancel(incident, ['arrive', 'resolve']);
    const t = this.timeouts(incident);
    this.arm(incident, 'accept', t.acceptS);
    this.arm(incident, 'reminder', t.reminderS);
  }

  closed(incident: Incident): void {
    this.cancel(incident, [...ESCALATION_TIMERS]);
  }

  /** Emergency mode on: pull every pending escalation timer in by the emergency factor. */
  tighten(): void {
    const kinds: readonly string[] = ESCALATION_TIMERS;
    this.core.timers.rescale(
      (r) => kinds.includes(r.kind),
      this.core.config.escalation.emergency.timeoutFactor,
    );
  }

  private pagesFor(incident: Incident, step: number): IncidentPage[] {
    return (incident.chain[step]?.staff ?? []).map((m) => ({ ...m, step }));
  }

  private arm(incident: Incident, kind: (typeof ESCALATION_TIMERS)[number], afterS: number): void {
    this.core.timers.schedule(
      `${incident.id}:${kind}`,
      incident.id,
      kind,
      this.core.now + Math.round(afterS * 1000),
    );
  }

  private cancel(incident: Incident, kinds: string[]): void {
    for (const k of kinds) this.core.timers.cancel(`${incident.id}:${k}`);
  }
}
