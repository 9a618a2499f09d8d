/**
 * The durable MQTT outbox: every alert and incident change becomes a row (in the transaction that
 * stored it, through alerting's outbox port) before it goes to `weige/alerts/…` or
 * `weige/incidents/…`. Rows are published one at a time in insertion order, marked sent once the
 * QoS 1 publish resolves, and replayed at start — so a crash between store and publish loses
 * nothing. Delivery is at-least-once: a crash after the PUBACK but before the row is marked sent
 * publishes that message again (alert ids and incident id + updatedAt let subscribers dedupe).
 *
 * Same pattern as the webhook outbox (`channels_outbox` in delivery-store.ts): an idempotent
 * INSERT OR IGNORE keyed by message id, a `done` mark, resume at start. A separate table because
 * MQTT needs strict insertion order (a sequence) and no per-channel attempt schedule.
 */
import { createHash } from 'node:crypto';
import { topics } from '../contracts/topics.ts';
import type { DurablePublish, OutboxPort, Publication as Staged } from '../ports.ts';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/bus.ts';
import { SerialDrain } from '../core/serial-drain.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../store/database.ts';
import { migrate } from '../store/database.ts';
import { withoutPhones } from '../privacy/masking.ts';

export type Publication = 'alert' | 'incident';

export interface OutboxMessage {
  seq: number;
  messageId: string;
  what: Publication;
  topic: string;
  payload: string;
}

/** Backoff while the broker is unreachable; the row is retried until it goes out. */
const RETRY_DELAYS_MS = [100, 500, 2000, 5000];
/** Sent rows are kept this long (for dedupe of a late second staging), then pruned at start. */
const KEEP_SENT_MS = 7 * 24 * 3600 * 1000;
const BATCH = 200;

type Row = Record<string, unknown>;

export class MqttOutboxStore {
  constructor(private readonly db: Database) {
    migrate(db, 'channels_mqtt', [
      `CREATE TABLE channels_mqtt_outbox (
         seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE, what TEXT NOT NULL,
         topic TEXT NOT NULL, payload TEXT NOT NULL, staged_at INTEGER NOT NULL, sent_at INTEGER)`,
      'CREATE INDEX channels_mqtt_outbox_pending ON channels_mqtt_outbox (sent_at, seq)',
    ]);
  }

  /** Stores a message once: the same topic and payload staged twice is one row. False if known. */
  stage(what: Publication, body: Staged['body'], at: number): boolean {
    const topic =
      what === 'alert'
        ? topics.alert(String(body.siteId), String(body.kind))
        : topics.incident(String(body.siteId), String(body.id));
    // MQTT subscribers (screens, Node-RED, the street) get no phone numbers (issue 18).
    const payload = JSON.stringify(withoutPhones(body));
    const messageId = createHash('sha256').update(topic).update('\n').update(payload).digest('hex');
    const info = this.db
      .prepare(
        `INSERT OR IGNORE INTO channels_mqtt_outbox (message_id, what, topic, payload, staged_at, sent_at)
         VALUES (?, ?, ?, ?, ?, NULL)`,
      )
      .run(messageId, what, topic, payload, at);
    return info.changes > 0;
  }

  pending(limit = BATCH): OutboxMessage[] {
    return (
      this.db
        .prepare('SELECT * FROM channels_mqtt_outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?')
        .all(limit) as Row[]
    ).map((r) => ({
      seq: Number(r.seq),
      messageId: String(r.message_id),
      what: r.what as Publication,
      topic: String(r.topic),
      payload: String(r.payload),
    }));
  }

  pendingCount(): number {
    return Number(
      (this.db.prepare('SELECT COUNT(*) AS n FROM channels_mqtt_outbox WHERE sent_at IS NULL').get() as Row)
        .n,
    );
  }

  markSent(seq: number, at: number): void {
    this.db.prepare('UPDATE channels_mqtt_outbox SET sent_at = ? WHERE seq = ?').run(at, seq);
  }

  pruneSent(before: number): number {
    return this.db
      .prepare('DELETE FROM channels_mqtt_outbox WHERE sent_at IS NOT NULL AND sent_at < ?')
      .run(before).changes;
  }
}

/**
 * Alerting's outbox port: the MQTT row, then `publicationStaged` for the outboxes that stage
 * beside it (the street uplink), all in the caller's transaction. Each publication is staged once.
 */
export class PublicationOutbox implements OutboxPort {
  constructor(
    readonly store: MqttOutboxStore,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {}

  stage(publication: Staged): void {
    this.store.stage(publication.what, publication.body, this.clock.now());
    this.bus.emit('publicationStaged', publication);
  }
}

/** Publishes the outbox in order, one message at a time; `kick()` after anything is staged. */
export class MqttOutbox {
  private readonly runner = new SerialDrain(
    () => this.drain(),
    (err) => this.log.warn({ err }, 'outbox paused: could not read or mark rows'),
  );

  constructor(
    private readonly store: MqttOutboxStore,
    private readonly mqtt: DurablePublish,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onPublished: (what: Publication) => void,
  ) {}

  /** Prunes old sent rows and replays what a previous run left unsent; returns that count. */
  resume(): number {
    this.store.pruneSent(this.clock.now() - KEEP_SENT_MS);
    const pending = this.store.pendingCount();
    this.kick();
    return pending;
  }

  kick(): void {
    this.runner.kick();
  }

  stop(): void {
    this.runner.stop();
  }

  private async drain(): Promise<void> {
    for (;;) {
      this.runner.covered();
      const batch = this.store.pending();
      if (batch.length === 0 || this.runner.stopped) return;
      for (const m of batch) {
        if (!(await this.send(m))) return;
        this.store.markSent(m.seq, this.clock.now());
        this.onPublished(m.what);
      }
    }
  }

  /** Retries until the publish resolves; false only when stopped (the row stays for next start). */
  private async send(m: OutboxMessage): Promise<boolean> {
    for (let attempt = 1; !this.runner.stopped; attempt++) {
      try {
        await this.mqtt.publishDurable(m.topic, m.payload);
        return true;
      } catch (err) {
        const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length) - 1]!;
        if (attempt === 1 || attempt % 20 === 0)
          this.log.warn({ err, topic: m.topic, attempt }, `${m.what} publish failed; retrying`);
        await this.runner.pause(delay);
      }
    }
    return false;
  }
}
