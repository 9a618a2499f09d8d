/**
 * Whether the embedded store can take writes (issue 14). Ingest asks `writable` before it takes a
 * message, so nothing is acknowledged that cannot be stored. The store becomes unwritable when
 * - free space on the data dir's file system falls below the watermark (sampled on a timer with
 *   statfs, never per message), so new data is refused before SQLite itself fails; or
 * - a write fails with a store error (SQLITE_FULL, I/O error, locked, read-only, corrupt).
 * It becomes writable again by itself: space above the watermark and a probe write succeeding.
 * Each change of state is logged once and shown on /healthz and /metrics.
 */
import { statfsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';

export type StoreProblem = 'low_disk_space' | 'disk_full' | 'io_error' | 'locked' | 'read_only' | 'corrupt';

export const STORE_PROBLEMS: readonly StoreProblem[] = [
  'low_disk_space',
  'disk_full',
  'io_error',
  'locked',
  'read_only',
  'corrupt',
];

/** SQLite result codes (better-sqlite3 `err.code`, extended codes included) that mean "the store is unwell". */
const PROBLEM_BY_CODE: Array<[prefix: string, problem: StoreProblem]> = [
  ['SQLITE_FULL', 'disk_full'],
  ['SQLITE_IOERR', 'io_error'],
  ['SQLITE_CANTOPEN', 'io_error'],
  ['SQLITE_BUSY', 'locked'],
  ['SQLITE_LOCKED', 'locked'],
  ['SQLITE_READONLY', 'read_only'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
];

/** The store problem an error reveals, or null when it is not a store failure (a bug, bad data). */
export function storeProblemOf(err: unknown): StoreProblem | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  for (const [prefix, problem] of PROBLEM_BY_CODE) if (code.startsWith(prefix)) return problem;
  return null;
}

/** statfs period. Ingest at full speed writes ~6 MB/s, far below the default watermark per period. */
const SAMPLE_EVERY_MS = 1000;
/** After SQLite reported the disk full, this much more space must appear before writes resume. */
const RECOVERY_MARGIN_BYTES = 1024 * 1024;

export interface StoreStatus {
  writable: boolean;
  problem: StoreProblem | null;
  detail: string | null;
  /** Epoch ms of the last change of state. */
  since: number;
  freeBytes: number | null;
  minFreeBytes: number;
}

export interface StoreHealthDeps {
  dataDir: string;
  /** Below this many free bytes new data is refused (WEIGE_MIN_FREE_MB). */
  minFreeBytes: number;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  /** A small real write (in its own transaction); throws while the store cannot write. */
  probe: () => void;
}

export class StoreHealth {
  private problem: StoreProblem | null = null;
  private detail: string | null = null;
  private since = 0;
  private freeBytes: number | null = null;
  /** Free bytes needed before a disk_full store is probed again. */
  private resumeAtFreeBytes = 0;
  private timer: TimerHandle | null = null;
  private sampling = false;

  constructor(private readonly deps: StoreHealthDeps) {}

  /** Checked by ingest for every message: a field read, nothing more. */
  get writable(): boolean {
    return this.problem === null;
  }

  async start(): Promise<void> {
    this.since = this.deps.clock.now();
    this.publishState();
    await this.sample();
    this.timer = this.deps.clock.setInterval(SAMPLE_EVERY_MS, () => void this.sample());
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  status(): StoreStatus {
    return {
      writable: this.writable,
      problem: this.problem,
      detail: this.detail,
      since: this.since,
      freeBytes: this.freeBytes,
      minFreeBytes: this.deps.minFreeBytes,
    };
  }

  /**
   * Called with any error a write threw. A store failure makes the store unwritable (true);
   * anything else is not the store's business (false).
   */
  reportFailure(err: unknown, where: string): boolean {
    const problem = storeProblemOf(err);
    if (!problem) return false;
    this.deps.metrics.storeFailures.inc({ problem });
    if (problem === 'disk_full' && this.problem !== 'disk_full') {
      // Once per state change: what is free now, so that recovery waits for real space.
      this.freeBytes = this.readFreeBytesNow() ?? this.freeBytes;
      this.resumeAtFreeBytes = (this.freeBytes ?? 0) + RECOVERY_MARGIN_BYTES;
    }
    this.enter(problem, `${where}: ${(err as Error).message}`);
    return true;
  }

  /** Samples free space; refuses below the watermark, probes and resumes when the store is back. */
  async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const s = await statfs(this.deps.dataDir);
      this.setFree(s.bavail * s.bsize);
      const free = this.freeBytes!;
      if (free < this.deps.minFreeBytes) {
        this.enter(
          'low_disk_space',
          `${mb(free)} free on the data dir's file system, below the ${mb(this.deps.minFreeBytes)} watermark`,
        );
        return;
      }
      if (this.problem === null) return;
      if (this.problem === 'disk_full' && free < this.resumeAtFreeBytes) return;
      this.deps.probe();
      this.leave();
    } catch (err) {
      if (!this.reportFailure(err, 'store probe'))
        this.enter('io_error', `data dir ${this.deps.dataDir}: ${(err as Error).message}`);
    } finally {
      this.sampling = false;
    }
  }

  private enter(problem: StoreProblem, detail: string): void {
    this.detail = detail;
    if (this.problem === problem) return;
    this.problem = problem;
    this.since = this.deps.clock.now();
    this.publishState();
    this.deps.log.error(
      { problem, detail, freeBytes: this.freeBytes },
      'store not writable: refusing device messages (no acknowledgement) until it is',
    );
  }

  private leave(): void {
    const was = this.problem;
    this.problem = null;
    this.detail = null;
    this.since = this.deps.clock.now();
    this.publishState();
    this.deps.log.info({ was, freeBytes: this.freeBytes }, 'store writable again: taking device messages');
  }

  private publishState(): void {
    const { storeWritable, storeProblem } = this.deps.metrics;
    storeWritable.set(this.problem === null ? 1 : 0);
    for (const p of STORE_PROBLEMS) storeProblem.set({ problem: p }, p === this.problem ? 1 : 0);
  }

  private setFree(bytes: number): void {
    this.freeBytes = bytes;
    this.deps.metrics.storeFreeBytes.set(bytes);
  }

  private readFreeBytesNow(): number | null {
    try {
      const s = statfsSync(this.deps.dataDir);
      return s.bavail * s.bsize;
    } catch {
      return null;
    }
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
