/**
 * The one outbox: every message that must leave the gateway — an alert or incident change for MQTT
 * (`weige/alerts/…`, `weige/incidents/…`), a robot webhook, a work-app message, an SMS — is a row
 * here before it is sent, so a crash between storing and sending loses nothing. MQTT rows are
 * staged in the transaction that stored the change (alerting's outbox port) and go out in
 * insertion order (`seq`); delivery rows go to their endpoint (`channel_id`) with the attempt
 * count and the time the next attempt is due. A row is staged once (`message_id` is unique) and
 * marked sent when it went out, was given up or was no longer wanted.
 *
 * Carries over what the two earlier tables held (`channels_mqtt_outbox`, `channels_outbox`), then
 * drops them: a gateway updated with messages still unsent sends them after its restart, once.
 */
import type { Database } from '../store/database.ts';
import { migrate } from '../store/database.ts';

export type Publication = 'alert' | 'incident';

/** An alert or incident change for MQTT. */
export interface OutboxPublication {
  seq: number;
  messageId: string;
  what: Publication;
  topic: string;
  payload: string;
}

/** A message for one endpoint (robot, work app, SMS/voice), at the attempt it is at. */
export interface OutboxDelivery {
  deliveryId: string;
  channelId: string;
  incidentId: string | null;
  event: string;
  recipient: string | null;
  notice: unknown;
  attempts: number;
  nextAttemptAt: number;
}

type Row = Record<string, unknown>;

export class OutboxStore {
  constructor(private readonly db: Database) {
    migrate(db, 'outbox', [
      `CREATE TABLE outbox (
         seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE,
         kind TEXT NOT NULL CHECK (kind IN ('mqtt', 'delivery')), what TEXT NOT NULL, topic TEXT,
         channel_id TEXT, incident_id TEXT, recipient TEXT, payload TEXT NOT NULL,
         attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL, staged_at INTEGER NOT NULL,
         sent_at INTEGER)`,
      'CREATE INDEX outbox_pending ON outbox (kind, sent_at, seq)',
    ]);
    db.transaction(() => carryOverEarlierOutboxes(db))();
  }

  /** Stores an MQTT message once: the same message id staged twice is one row. False if known. */
  stagePublication(p: Omit<OutboxPublication, 'seq'>, at: number): boolean {
    const info = this.db
      .prepare(
        `INSERT OR IGNORE INTO outbox (message_id, kind, what, topic, payload, attempts, next_attempt_at, staged_at)
         VALUES (?, 'mqtt', ?, ?, ?, 0, ?, ?)`,
      )
      .run(p.messageId, p.what, p.topic, p.payload, at, at);
    return info.changes > 0;
  }

  /** Queues a delivery once (a second call with the same delivery id is ignored); false if known. */
  stageDelivery(d: Omit<OutboxDelivery, 'attempts'>, at: number): boolean {
    const info = this.db
      .prepare(
        `INSERT OR IGNORE INTO outbox (message_id, kind, what, channel_id, incident_id, recipient, payload, attempts,
           next_attempt_at, staged_at) VALUES (?, 'delivery', ?, ?, ?, ?, ?, 0, ?, ?)`,
      )
      .run(
        d.deliveryId,
        d.event,
        d.channelId,
        d.incidentId,
        d.recipient,
        JSON.stringify(d.notice),
        d.nextAttemptAt,
        at,
      );
    return info.changes > 0;
  }

  /** Unsent MQTT messages, oldest first. */
  pendingPublications(limit: number): OutboxPublication[] {
    return (
      this.db
        .prepare(`SELECT * FROM outbox WHERE kind = 'mqtt' AND sent_at IS NULL ORDER BY seq LIMIT ?`)
        .all(limit) as Row[]
    ).map((r) => ({
      seq: Number(r.seq),
      messageId: String(r.message_id),
      what: r.what as Publication,
      topic: String(r.topic),
      payload: String(r.payload),
    }));
  }

  pendingPublicationCount(): number {
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM outbox WHERE kind = 'mqtt' AND sent_at IS NULL`)
      .get() as Row;
    return Number(row.n);
  }

  markPublished(seq: number, at: number): void {
    this.db.prepare('UPDATE outbox SET attempts = attempts + 1, sent_at = ? WHERE seq = ?').run(at, seq);
  }

  /** Deletes MQTT rows sent before `before` (kept until then to dedupe a late second staging). */
  prunePublished(before: number): number {
    return this.db
      .prepare(`DELETE FROM outbox WHERE kind = 'mqtt' AND sent_at IS NOT NULL AND sent_at < ?`)
      .run(before).changes;
  }

  /** Deliveries not yet made nor given up, the soonest due first. */
  pendingDeliveries(): OutboxDelivery[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM outbox WHERE kind = 'delivery' AND sent_at IS NULL ORDER BY next_attempt_at, seq`,
        )
        .all() as Row[]
    ).map((r) => ({
      deliveryId: String(r.message_id),
      channelId: String(r.channel_id),
      incidentId: (r.incident_id as string | null) ?? null,
      event: String(r.what),
      recipient: (r.recipient as string | null) ?? null,
      notice: JSON.parse(String(r.payload)) as unknown,
      attempts: Number(r.attempts),
      nextAttemptAt: Number(r.next_attempt_at),
    }));
  }

  /** After an attempt: the next one due at `nextAttemptAt`, or none (delivered, given up, dropped). */
  progress(deliveryId: string, attempts: number, nextAttemptAt: number | null, at: number): void {
    this.db
      .prepare(`UPDATE outbox SET attempts = ?, next_attempt_at = ?, sent_at = ? WHERE message_id = ?`)
      .run(attempts, nextAttemptAt ?? at, nextAttemptAt === null ? at : null, deliveryId);
  }
}

function tableColumns(db: Database, table: string): Set<string> {
  return new Set((db.prepare(`PRAGMA table_info(${table})`).all() as Row[]).map((c) => String(c.name)));
}

/**
 * The rows of the MQTT outbox (`channels_mqtt_outbox`, in their order) and of the delivery outbox
 * (`channels_outbox`) an earlier version left, sent ones included (they still dedupe a second
 * staging), moved into `outbox`; the old tables are dropped.
 */
function carryOverEarlierOutboxes(db: Database): void {
  if (tableColumns(db, 'channels_mqtt_outbox').size > 0) {
    db.exec(`INSERT OR IGNORE INTO outbox (message_id, kind, what, topic, payload, attempts, next_attempt_at,
               staged_at, sent_at)
             SELECT message_id, 'mqtt', what, topic, payload, CASE WHEN sent_at IS NULL THEN 0 ELSE 1 END,
               staged_at, staged_at, sent_at
             FROM channels_mqtt_outbox ORDER BY seq`);
    db.exec('DROP TABLE channels_mqtt_outbox');
  }
  const deliveryColumns = tableColumns(db, 'channels_outbox');
  if (deliveryColumns.size > 0) {
    const recipient = deliveryColumns.has('recipient') ? 'recipient' : 'NULL';
    db.exec(`INSERT OR IGNORE INTO outbox (message_id, kind, what, channel_id, incident_id, recipient, payload,
               attempts, next_attempt_at, staged_at, sent_at)
             SELECT delivery_id, 'delivery', event, channel_id, incident_id, ${recipient}, notice, attempts,
               next_attempt_at, next_attempt_at, CASE WHEN done = 1 THEN next_attempt_at END
             FROM channels_outbox ORDER BY rowid`);
    db.exec('DROP TABLE channels_outbox');
  }
}
