/**
 * Timers that survive a restart: each one is a row (absolute due time on the gateway clock)
 * and an armed clock timer. After a crash, `restore()` re-arms every row, so an escalation that
 * was due in 3 minutes when the process died at minute 2 fires one minute after the restart —
 * and one already overdue fires at once. Lost timers are the complaint against every peer.
 */
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { AlertingStore, TimerRow } from './store.ts';

/** Runs a due timer; it must delete the row (`cancel`) in the same transaction as its effects. */
export type TimerHandler = (row: TimerRow) => void;

export class DurableTimers {
  private readonly armed = new Map<string, TimerHandle>();
  private stopped = true;

  constructor(
    private readonly store: AlertingStore,
    private readonly clock: Clock,
    private readonly onFire: TimerHandler,
  ) {}

  /** Re-arms every stored timer. Returns how many were pending. */
  restore(): number {
    this.stopped = false;
    const rows = this.store.timers();
    for (const row of rows) this.arm(row);
    return rows.length;
  }

  stop(): void {
    this.stopped = true;
    for (const h of this.armed.values()) h.cancel();
    this.armed.clear();
  }

  /** Stores and arms (replacing a timer with the same id). Call inside the caller's transaction. */
  schedule(
    id: string,
    incidentId: string,
    kind: string,
    dueAt: number,
    data: Record<string, unknown> = {},
  ): void {
    const row: TimerRow = { id, incidentId, kind, dueAt, createdAt: this.clock.now(), data };
    this.store.upsertTimer(row);
    this.arm(row);
  }

  cancel(id: string): void {
    this.armed.get(id)?.cancel();
    this.armed.delete(id);
    this.store.deleteTimer(id);
  }

  /** Pending timers, for the API and tests. */
  pending(incidentId?: string): TimerRow[] {
    return this.store.timers().filter((t) => incidentId === undefined || t.incidentId === incidentId);
  }

  /** Moves every pending timer's due time (e.g. tighter timeouts in emergency mode). */
  rescale(filter: (row: TimerRow) => boolean, factor: number): void {
    const now = this.clock.now();
    for (const row of this.store.timers().filter(filter)) {
      const dueAt = Math.max(now, row.createdAt + Math.round((row.dueAt - row.createdAt) * factor));
      if (dueAt >= row.dueAt) continue;
      const next = { ...row, dueAt };
      this.store.upsertTimer(next);
      this.arm(next);
    }
  }

  private arm(row: TimerRow): void {
    this.armed.get(row.id)?.cancel();
    const handle = this.clock.setTimer(row.dueAt - this.clock.now(), () => {
      if (this.stopped || this.armed.get(row.id) !== handle) return;
      this.armed.delete(row.id);
      // The row may have been replaced since (rescheduled): fire only the version that is due.
      const current = this.store.timer(row.id);
      if (!current || current.dueAt > this.clock.now()) {
        if (current) this.arm(current);
        return;
      }
      this.onFire(current);
    });
    this.armed.set(row.id, handle);
  }
}
