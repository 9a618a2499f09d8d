/**
 * What the alerting parts share: the store, durable timers, policy, metrics, and one way to
 * change an incident — inside a transaction, with a history entry, and with bus events sent
 * only after the commit (so nothing is announced that a crash could take back).
 */
import type { GatewayContext } from '../context.ts';
import type { Logger } from '../core/logger.ts';
import type { OutboxPort } from '../ports.ts';
import type { AlertingConfig } from './config.ts';
import type { AlertingMetrics } from './metrics.ts';
import type { HistoryEntry, Incident, StoredAlert } from './model.ts';
import type { AlertingRecords } from './records-store.ts';
import type { AlertingStore } from './store.ts';
import type { DurableTimers } from './timers.ts';
import { incidentView } from './views.ts';
import type { IncidentState } from '../contracts/incidents.ts';

export interface ChangeInput {
  type: string;
  by: string | null;
  note?: string | null;
  data?: Record<string, unknown>;
  toState?: IncidentState;
}

export class AlertingCore {
  private afterCommit: Array<() => void> | null = null;

  constructor(
    readonly ctx: GatewayContext,
    readonly store: AlertingStore,
    readonly records: AlertingRecords,
    readonly timers: DurableTimers,
    readonly config: AlertingConfig,
    readonly metrics: AlertingMetrics,
    readonly log: Logger,
    private readonly outbox: OutboxPort,
  ) {}

  get now(): number {
    return this.ctx.clock.now();
  }

  /** Runs `fn` in one transaction; effects queued with `after` run once it has committed. */
  work<T>(fn: () => T): T {
    if (this.afterCommit) return fn();
    const queue: Array<() => void> = [];
    this.afterCommit = queue;
    let result: T;
    try {
      result = this.store.transaction(fn);
    } finally {
      this.afterCommit = null;
    }
    for (const effect of queue) {
      try {
        effect();
      } catch (err) {
        this.log.error({ err }, 'alerting effect failed');
      }
    }
    return result;
  }

  after(effect: () => void): void {
    if (this.afterCommit) this.afterCommit.push(effect);
    else effect();
  }

  /** Applies a change: new state, history entry, save, and `incidentChanged` after commit. */
  change(incident: Incident, input: ChangeInput): HistoryEntry {
    const at = this.now;
    const fromState = incident.state;
    if (input.toState) incident.state = input.toState;
    incident.updatedAt = at;
    incident.lastChange = { type: input.type, at, by: input.by };
    const entry = this.store.addHistory({
      incidentId: incident.id,
      at,
      type: input.type,
      by: input.by,
      fromState,
      toState: incident.state,
      note: input.note ?? null,
      data: input.data ?? {},
    });
    this.store.saveIncident(incident);
    const view = incidentView(structuredClone(incident));
    // Staged in this transaction (the outbox row commits with the change), announced after it.
    this.outbox.stage({ what: 'incident', body: view });
    this.after(() => this.ctx.bus.emit('incidentChanged', view));
    return entry;
  }

  emitAlert(alert: StoredAlert): void {
    const snapshot = structuredClone(alert);
    this.outbox.stage({ what: 'alert', body: snapshot });
    this.after(() => this.ctx.bus.emit('alertRaised', snapshot));
  }

  staffName(id: string | null): string | null {
    return id ? (this.ctx.site.staffMember(id)?.name ?? id) : null;
  }
}
