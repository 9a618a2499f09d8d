/**
 * Runs the street's escalation timers on whichever replica gets there first. Each replica looks
 * for due `hub_jobs` rows every `pollMs`, claims a few with FOR UPDATE SKIP LOCKED (a row another
 * replica holds is skipped, not waited for), runs them and marks them done in that same
 * transaction. A replica killed mid-job holds no lock once PostgreSQL sees its connection gone:
 * its transaction rolls back and the job is due again for the others — fired once, never lost.
 */
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { inTransaction, type Pool } from './database.ts';
import type { JobRow, StreetDesk } from './street-desk.ts';

const CLAIM = 20;

export interface JobWorkerDeps {
  pool: Pool;
  desk: StreetDesk;
  clock: Clock;
  log: Logger;
  replica: string;
  pollMs: number;
}

export class JobWorker {
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly deps: JobWorkerDeps) {}

  start(): void {
    // Wall time on purpose: how often to look is about load; when a job is due is on the clock.
    this.timer = setInterval(() => {
      if (!this.busy && !this.stopped) this.busy = this.runDue().finally(() => (this.busy = null));
    }, this.deps.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.busy;
  }

  /** Claims and runs due jobs until none is left; returns how many ran. */
  async runDue(): Promise<void> {
    const { pool, desk, clock, replica, log } = this.deps;
    try {
      for (;;) {
        const ran = await inTransaction(pool, async (db) => {
          const now = clock.now();
          const jobs = (
            await db.query(
              `SELECT id, kind, site_id, incident_id, due_at FROM hub_jobs
               WHERE state = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
              [now, CLAIM],
            )
          ).rows as JobRow[];
          for (const job of jobs) {
            await desk.runJob(db, job, now, replica);
            await db.query(`UPDATE hub_jobs SET state = 'done', done_at = $2, done_by = $3 WHERE id = $1`, [
              job.id,
              now,
              replica,
            ]);
          }
          return jobs.length;
        });
        if (ran < CLAIM || this.stopped) return;
      }
    } catch (err) {
      log.warn({ err }, 'street timers: run failed; retried on the next look');
    }
  }
}
