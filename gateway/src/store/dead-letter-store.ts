/**
 * Rejected messages with the reason, queryable at GET /api/dead-letters. The payload is kept
 * (capped) so an engineer can see exactly what the device sent. Bounded: the oldest rows go first.
 */
import { migrate, type Database } from './database.ts';
import type { DeadLetterReason } from '../contracts/dead-letters.ts';
import type { DeadLetterRecord } from '../contracts/events.ts';

/** Bytes of payload kept per dead letter. */
const PAYLOAD_KEEP_BYTES = 8 * 1024;

export interface DeadLetter extends DeadLetterRecord {
  siteId: string;
  payload: string;
  payloadEncoding: 'utf8' | 'base64';
  payloadBytes: number;
}

export interface DeadLetterQuery {
  siteId: string;
  reason?: string;
  deviceId?: string;
  since?: number;
  limit?: number;
}

export class DeadLetterStore {
  private readonly insertStmt;
  private sinceLastPrune = 0;

  constructor(
    private readonly db: Database,
    private readonly maxRows = 100_000,
  ) {
    migrate(db, 'dead_letters', [
      `CREATE TABLE dead_letters (
         id INTEGER PRIMARY KEY AUTOINCREMENT, site_id TEXT NOT NULL, received_at INTEGER NOT NULL,
         topic TEXT NOT NULL, device_id TEXT, reason TEXT NOT NULL, detail TEXT NOT NULL,
         payload TEXT NOT NULL, payload_encoding TEXT NOT NULL, payload_bytes INTEGER NOT NULL)`,
      'CREATE INDEX dead_letters_reason ON dead_letters (site_id, reason, id)',
    ]);
    this.insertStmt = db.prepare(
      `INSERT INTO dead_letters (site_id, received_at, topic, device_id, reason, detail, payload, payload_encoding, payload_bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  add(entry: {
    siteId: string;
    receivedAt: number;
    topic: string;
    deviceId: string | null;
    reason: DeadLetterReason;
    detail: string;
    payload: Buffer;
  }): DeadLetter {
    const kept = entry.payload.subarray(0, PAYLOAD_KEEP_BYTES);
    const text = kept.toString('utf8');
    const isText = Buffer.from(text, 'utf8').equals(kept) && !text.includes('\u0000');
    const payload = isText ? text : kept.toString('base64');
    const encoding = isText ? 'utf8' : 'base64';
    const topic = entry.topic.slice(0, 512);
    const detail = entry.detail.slice(0, 2000);
    const info = this.insertStmt.run(
      entry.siteId,
      entry.receivedAt,
      topic,
      entry.deviceId,
      entry.reason,
      detail,
      payload,
      encoding,
      entry.payload.length,
    );
    if (++this.sinceLastPrune >= 1000) this.prune();
    return {
      id: Number(info.lastInsertRowid),
      siteId: entry.siteId,
      receivedAt: entry.receivedAt,
      topic,
      deviceId: entry.deviceId,
      reason: entry.reason,
      detail,
      payload,
      payloadEncoding: encoding,
      payloadBytes: entry.payload.length,
    };
  }

  query(q: DeadLetterQuery): DeadLetter[] {
    const where = ['site_id = ?', 'received_at >= ?'];
    const args: Array<string | number> = [q.siteId, q.since ?? 0];
    if (q.reason) {
      where.push('reason = ?');
      args.push(q.reason);
    }
    if (q.deviceId) {
      where.push('device_id = ?');
      args.push(q.deviceId);
    }
    const rows = this.db
      .prepare(`SELECT * FROM dead_letters WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`)
      .all(...args, q.limit ?? 100) as Array<Record<string, string | number | null>>;
    return rows.map((r) => ({
      id: r.id as number,
      siteId: r.site_id as string,
      receivedAt: r.received_at as number,
      topic: r.topic as string,
      deviceId: r.device_id as string | null,
      reason: r.reason as DeadLetterReason,
      detail: r.detail as string,
      payload: r.payload as string,
      payloadEncoding: r.payload_encoding as 'utf8' | 'base64',
      payloadBytes: r.payload_bytes as number,
    }));
  }

  countByReason(siteId: string): Record<string, number> {
    const rows = this.db
      .prepare('SELECT reason, COUNT(*) AS n FROM dead_letters WHERE site_id = ? GROUP BY reason')
      .all(siteId) as Array<{ reason: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.reason, r.n]));
  }

  private prune(): void {
    this.sinceLastPrune = 0;
    this.db
      .prepare('DELETE FROM dead_letters WHERE id <= (SELECT MAX(id) FROM dead_letters) - ?')
      .run(this.maxRows);
  }
}
