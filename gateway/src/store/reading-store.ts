/**
 * Where readings live. The interface is keyed by site so a later step can move it to a shared
 * database; the embedded implementation is SQLite. Insertion is idempotent on
 * (site, device, port, ts): a duplicate is recognised and not stored twice.
 */
import type { Statement } from 'better-sqlite3';
import type { DeviceKind, Reading } from '../contracts/readings.ts';
import { inTransaction, lastAutoincrement, migrate, type Database } from './database.ts';

export interface ReadingQuery {
  siteId: string;
  deviceId: string;
  from?: number;
  to?: number;
  port?: number | null;
  limit?: number;
  order?: 'asc' | 'desc';
  /** Keyset paging: only readings after this one in the chosen order (its ts and port). */
  after?: ReadingKey;
  /** Only readings stored at or before this sequence number (what a detector has seen). */
  throughSeq?: number;
}

/** A stored reading's unique position within its device: event time, then port. */
export interface ReadingKey {
  ts: number;
  port: number | null;
}

export interface ReadingStore {
  /** Stores the readings, returns those that were new (duplicates are skipped). */
  insert(readings: Reading[]): Reading[];
  query(q: ReadingQuery): Reading[];
  /** The stored readings right before and after `ts` for this device and port. */
  neighbours(
    siteId: string,
    deviceId: string,
    port: number | null,
    ts: number,
  ): { before?: Reading; after?: Reading };
  /**
   * Deletes readings with event time before `ts`; returns how many. With `upToSeq`, only those
   * stored at or before that sequence number: later ones still wait for InfluxDB.
   */
  pruneBefore(ts: number, upToSeq?: number): number;
}

interface Row {
  seq: number;
  site_id: string;
  device_id: string;
  kind: string;
  ts: number;
  port: number;
  vals: string;
  labels: string;
}

/** `port` is stored as -1 for whole-device readings so that the unique key works (NULLs never collide). */
const NO_PORT = -1;

export class SqliteReadingStore implements ReadingStore {
  private readonly insertStmt;
  private readonly beforeStmt;
  private readonly afterStmt;
  private readonly sinceStmt;
  private readonly nextDeviceStmt;
  /** `query` statements by SQL text (at most 16 shapes): preparing one per call cost ~40 µs, and
   *  the rules rebuild their windows with a query per registered device at start (issue 16). */
  private readonly queryStmts = new Map<string, Statement>();

  constructor(private readonly db: Database) {
    migrate(db, 'readings', [
      `CREATE TABLE readings (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         site_id TEXT NOT NULL, device_id TEXT NOT NULL, kind TEXT NOT NULL,
         ts INTEGER NOT NULL, port INTEGER NOT NULL, vals TEXT NOT NULL, labels TEXT NOT NULL,
         received_at INTEGER NOT NULL,
         UNIQUE (site_id, device_id, port, ts))`,
      'CREATE INDEX readings_ts ON readings (ts)',
    ]);
    this.insertStmt = db.prepare(
      'INSERT OR IGNORE INTO readings (site_id, device_id, kind, ts, port, vals, labels, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.beforeStmt = db.prepare(
      'SELECT * FROM readings WHERE site_id = ? AND device_id = ? AND port = ? AND ts < ? ORDER BY ts DESC LIMIT 1',
    );
    this.afterStmt = db.prepare(
      'SELECT * FROM readings WHERE site_id = ? AND device_id = ? AND port = ? AND ts > ? ORDER BY ts ASC LIMIT 1',
    );
    this.sinceStmt = db.prepare('SELECT * FROM readings WHERE seq > ? ORDER BY seq LIMIT ?');
    this.nextDeviceStmt = db
      .prepare(
        'SELECT device_id FROM readings WHERE site_id = ? AND device_id > ? ORDER BY device_id LIMIT 1',
      )
      .pluck();
  }

  /**
   * The ids of the site's devices that have stored readings: one index seek per such device
   * (the unique key leads with site and device), so a site of 100 k registered devices that
   * mostly have sent nothing costs what its devices with readings cost (issue 16).
   */
  devicesWithReadings(siteId: string): Set<string> {
    const ids = new Set<string>();
    for (let id = this.nextDeviceStmt.get(siteId, ''); typeof id === 'string';) {
      ids.add(id);
      id = this.nextDeviceStmt.get(siteId, id);
    }
    return ids;
  }

  insert(readings: Reading[]): Reading[] {
    const now = Date.now();
    const fresh: Reading[] = [];
    inTransaction(this.db, () => {
      for (const r of readings) {
        const info = this.insertStmt.run(
          r.siteId,
          r.deviceId,
          r.kind,
          r.ts,
          r.port ?? NO_PORT,
          JSON.stringify(r.values),
          JSON.stringify(r.labels),
          now,
        );
        if (info.changes > 0) fresh.push(r);
      }
    });
    return fresh;
  }

  query(q: ReadingQuery): Reading[] {
    const where = ['site_id = ?', 'device_id = ?', 'ts >= ?', 'ts <= ?'];
    const args: Array<string | number> = [q.siteId, q.deviceId, q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER];
    if (q.port !== undefined) {
      where.push('port = ?');
      args.push(q.port ?? NO_PORT);
    }
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    if (q.throughSeq !== undefined) {
      where.push('seq <= ?');
      args.push(q.throughSeq);
    }
    if (q.after) {
      const beyond = q.order === 'desc' ? '<' : '>';
      where.push(`(ts ${beyond} ? OR (ts = ? AND port ${beyond} ?))`);
      args.push(q.after.ts, q.after.ts, q.after.port ?? NO_PORT);
    }
    const sql = `SELECT * FROM readings WHERE ${where.join(' AND ')} ORDER BY ts ${dir}, port ${dir} LIMIT ?`;
    let stmt = this.queryStmts.get(sql);
    if (!stmt) this.queryStmts.set(sql, (stmt = this.db.prepare(sql)));
    return (stmt.all(...args, q.limit ?? 10_000) as Row[]).map(toReading);
  }

  neighbours(
    siteId: string,
    deviceId: string,
    port: number | null,
    ts: number,
  ): { before?: Reading; after?: Reading } {
    const p = port ?? NO_PORT;
    const before = this.beforeStmt.get(siteId, deviceId, p, ts) as Row | undefined;
    const after = this.afterStmt.get(siteId, deviceId, p, ts) as Row | undefined;
    return {
      ...(before ? { before: toReading(before) } : {}),
      ...(after ? { after: toReading(after) } : {}),
    };
  }

  pruneBefore(ts: number, upToSeq = Number.MAX_SAFE_INTEGER): number {
    return this.db.prepare('DELETE FROM readings WHERE ts < ? AND seq <= ?').run(ts, upToSeq).changes;
  }

  /** Readings stored after sequence number `afterSeq`, in storage order (InfluxDB, the rules). */
  readSince(afterSeq: number, limit: number): Array<{ seq: number; reading: Reading }> {
    const rows = this.sinceStmt.all(afterSeq, limit) as Row[];
    return rows.map((row) => ({ seq: row.seq, reading: toReading(row) }));
  }

  lastSeq(): number {
    return lastAutoincrement(this.db, 'readings');
  }
}

function toReading(row: Row): Reading {
  return {
    siteId: row.site_id,
    deviceId: row.device_id,
    kind: row.kind as DeviceKind,
    ts: row.ts,
    port: row.port === NO_PORT ? null : row.port,
    values: JSON.parse(row.vals) as Record<string, number>,
    labels: JSON.parse(row.labels) as Record<string, string>,
  };
}
