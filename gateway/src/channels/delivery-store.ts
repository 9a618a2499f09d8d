/**
 * One record per delivery attempt (group robots, personal app messages, SMS/voice): when, to whom,
 * how long, what came back, and whether it will be retried. The messages themselves wait in the
 * outbox (outbox-store.ts).
 */
import type { Database } from '../store/database.ts';
import { migrate } from '../store/database.ts';

export const DELIVERY_OUTCOMES = [
  'ok',
  'http_error',
  'robot_error',
  /** A work app's API answered with a non-zero errcode/code (bad token, unknown user, rate limit). */
  'api_error',
  'timeout',
  'network_error',
  /** The person paged has no address on this channel (no phone, no app user id). */
  'no_address',
] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export interface DeliveryAttempt {
  seq: number;
  deliveryId: string;
  channelId: string;
  incidentId: string | null;
  event: string;
  /** The staff member a personal message went to; null for group robots. */
  recipient: string | null;
  attempt: number;
  startedAt: number;
  durationMs: number;
  outcome: DeliveryOutcome;
  statusCode: number | null;
  error: string | null;
  /** When the next attempt is due, or null when this was the last. */
  nextAttemptAt: number | null;
}

type Row = Record<string, unknown>;

export class DeliveryStore {
  constructor(private readonly db: Database) {
    migrate(db, 'channels', [
      `CREATE TABLE channels_deliveries (
         seq INTEGER PRIMARY KEY AUTOINCREMENT, delivery_id TEXT NOT NULL, channel_id TEXT NOT NULL,
         incident_id TEXT, event TEXT NOT NULL, attempt INTEGER NOT NULL, started_at INTEGER NOT NULL,
         duration_ms INTEGER NOT NULL, outcome TEXT NOT NULL, status_code INTEGER, error TEXT,
         next_attempt_at INTEGER)`,
      'CREATE INDEX channels_deliveries_channel ON channels_deliveries (channel_id, started_at)',
      // Steps 3 and 5 made the delivery outbox, now rows of the one outbox (outbox-store.ts).
      'SELECT 1',
      'ALTER TABLE channels_deliveries ADD COLUMN recipient TEXT',
      'SELECT 1',
    ]);
  }

  record(a: Omit<DeliveryAttempt, 'seq'>): void {
    this.db
      .prepare(
        `INSERT INTO channels_deliveries (delivery_id, channel_id, incident_id, event, recipient, attempt, started_at,
           duration_ms, outcome, status_code, error, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        a.deliveryId,
        a.channelId,
        a.incidentId,
        a.event,
        a.recipient,
        a.attempt,
        a.startedAt,
        a.durationMs,
        a.outcome,
        a.statusCode,
        a.error,
        a.nextAttemptAt,
      );
  }

  list(q: {
    channelId?: string;
    incidentId?: string;
    outcome?: string;
    recipient?: string;
    limit: number;
  }): DeliveryAttempt[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.recipient) {
      where.push('recipient = ?');
      args.push(q.recipient);
    }
    if (q.channelId) {
      where.push('channel_id = ?');
      args.push(q.channelId);
    }
    if (q.incidentId) {
      where.push('incident_id = ?');
      args.push(q.incidentId);
    }
    if (q.outcome) {
      where.push('outcome = ?');
      args.push(q.outcome);
    }
    const sql = `SELECT * FROM channels_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit) as Row[]).map((r) => ({
      seq: Number(r.seq),
      deliveryId: String(r.delivery_id),
      channelId: String(r.channel_id),
      incidentId: (r.incident_id as string | null) ?? null,
      event: String(r.event),
      recipient: (r.recipient as string | null) ?? null,
      attempt: Number(r.attempt),
      startedAt: Number(r.started_at),
      durationMs: Number(r.duration_ms),
      outcome: r.outcome as DeliveryOutcome,
      statusCode: (r.status_code as number | null) ?? null,
      error: (r.error as string | null) ?? null,
      nextAttemptAt: (r.next_attempt_at as number | null) ?? null,
    }));
  }
}
