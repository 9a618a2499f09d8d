/**
 * Mirrors every stored reading to InfluxDB 1.x in batches. The embedded store is the spool:
 * the writer keeps a cursor (the last reading sequence number InfluxDB confirmed) in the meta
 * table and sends what lies after it, in storage order. If InfluxDB is down, nothing is dropped:
 * the spool grows on disk (SQLite) and drains, in order, when InfluxDB returns — also across a
 * gateway restart. Points are idempotent in InfluxDB (same series + time overwrite), so a batch
 * re-sent after a crash between write and cursor update does not duplicate anything.
 */
import { InfluxDB, type IPoint } from 'influx';
import type { Reading } from '../contracts/readings.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { MetaStore } from './database.ts';
import type { SqliteReadingStore } from './reading-store.ts';

const CURSOR_KEY = 'influx.cursor';
const BATCH_SIZE = 5000;
const FLUSH_EVERY_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** With nothing to write, InfluxDB is pinged this often, so /healthz knows it is down before data piles up. */
const PING_EVERY_MS = 5000;

export function parseInfluxUrl(url: string): {
  host: string;
  port: number;
  protocol: 'http' | 'https';
  database: string;
  username?: string;
  password?: string;
} {
  const u = new URL(url);
  const database = u.pathname.replace(/^\//, '') || 'weige';
  return {
    host: u.hostname,
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 8086)),
    protocol: u.protocol === 'https:' ? 'https' : 'http',
    database,
    ...(u.username
      ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) }
      : {}),
  };
}

export function toPoint(r: Reading): IPoint {
  return {
    measurement: r.kind,
    tags: { site: r.siteId, device: r.deviceId, ...(r.port === null ? {} : { port: String(r.port) }) },
    fields: { ...r.values, ...r.labels },
    timestamp: new Date(r.ts),
  };
}

export class InfluxWriter {
  private readonly influx: InfluxDB;
  private readonly database: string;
  private timer: TimerHandle | null = null;
  private running = false;
  private databaseReady = false;
  private backoffMs = 0;
  private nextAttemptAt = 0;
  private stopped = false;
  /** Set while InfluxDB refuses or cannot be reached: since when, and the last error. */
  private failing: { since: number; error: string } | null = null;
  private lastContactAt = 0;

  constructor(
    url: string,
    private readonly deps: {
      readings: SqliteReadingStore;
      meta: MetaStore;
      metrics: Metrics;
      clock: Clock;
      log: Logger;
    },
  ) {
    const cfg = parseInfluxUrl(url);
    this.database = cfg.database;
    this.influx = new InfluxDB({ ...cfg });
  }

  start(): void {
    this.stopped = false;
    this.deps.metrics.sources.influxSpoolDepth = () => this.spoolDepth();
    this.timer = this.deps.clock.setInterval(FLUSH_EVERY_MS, () => void this.flush());
    void this.flush();
  }

  /** Stops the timer and tries one last drain. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    if (!this.running) await this.flush();
    this.stopped = true;
    this.deps.metrics.sources.influxSpoolDepth = null;
  }

  /** Null while InfluxDB takes writes; else since when it has not, and why (for /healthz). */
  problem(): { since: number; error: string } | null {
    return this.failing;
  }

  /** Sequence number of the last reading InfluxDB confirmed: retention may not go past it. */
  sentThrough(): number {
    return this.cursor();
  }

  spoolDepth(): number {
    return this.deps.readings.lastSeq() - this.cursor();
  }

  /** Sends everything after the cursor, batch by batch, until caught up or InfluxDB fails. */
  async flush(): Promise<void> {
    if (this.running || this.stopped || this.deps.clock.now() < this.nextAttemptAt) return;
    this.running = true;
    try {
      await this.ensureDatabase();
      for (let sent = 0; ; sent++) {
        const batch = this.deps.readings.readSince(this.cursor(), BATCH_SIZE);
        if (batch.length === 0) {
          if (sent === 0) await this.pingWhenIdle();
          break;
        }
        await this.influx.writePoints(
          batch.map((b) => toPoint(b.reading)),
          { precision: 'ms', database: this.database },
        );
        this.lastContactAt = this.deps.clock.now();
        this.deps.meta.set(CURSOR_KEY, String(batch[batch.length - 1]!.seq));
        this.deps.metrics.influxPointsWritten.inc(batch.length);
      }
      if (this.backoffMs > 0) this.deps.log.info('InfluxDB reachable again; spool drained');
      this.backoffMs = 0;
      this.failing = null;
    } catch (err) {
      this.deps.metrics.influxWriteFailures.inc();
      const wasFailing = this.failing !== null;
      this.failing = { since: this.failing?.since ?? this.deps.clock.now(), error: (err as Error).message };
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs ? this.backoffMs * 2 : FLUSH_EVERY_MS);
      this.nextAttemptAt = this.deps.clock.now() + this.backoffMs;
      // Once per outage at warn; every retry only at debug.
      if (!wasFailing || this.deps.log.isLevelEnabled('debug'))
        this.deps.log[wasFailing ? 'debug' : 'warn'](
          { err: (err as Error).message, retryInMs: this.backoffMs },
          'InfluxDB write failed; spooling',
        );
    } finally {
      this.running = false;
    }
  }

  private async pingWhenIdle(): Promise<void> {
    if (this.deps.clock.now() - this.lastContactAt < PING_EVERY_MS) return;
    const [host] = await this.influx.ping(PING_EVERY_MS);
    if (!host?.online) throw new Error(`InfluxDB at ${host?.url.host ?? 'its URL'} does not answer ping`);
    this.lastContactAt = this.deps.clock.now();
  }

  private cursor(): number {
    return Number(this.deps.meta.get(CURSOR_KEY) ?? 0);
  }

  private async ensureDatabase(): Promise<void> {
    if (this.databaseReady) return;
    const names = await this.influx.getDatabaseNames();
    if (!names.includes(this.database)) await this.influx.createDatabase(this.database);
    this.databaseReady = true;
  }
}
