/**
 * The outbox port alerting stages through, and the one worker that empties the outbox
 * (outbox-store.ts) to each row's destination:
 * - MQTT rows (alerts, incident changes) are published one at a time in insertion order, marked
 *   sent once the QoS 1 publish resolves, retried while the broker is unreachable;
 * - delivery rows (robots, work-app messages, SMS/voice) go on their endpoint's queue with its
 *   attempt schedule and a delivery record per attempt (delivery-queue.ts).
 * At start the worker sends what a previous run left unsent, so a crash between store and send
 * loses nothing. Delivery is at-least-once: a crash after the PUBACK but before the row is marked
 * sent publishes that message again (alert ids and incident id + updatedAt let subscribers dedupe).
 */
import { createHash } from 'node:crypto';
import { topics } from '../contracts/topics.ts';
import type { DurablePublish, OutboxPort, Publication as Staged } from '../ports.ts';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/bus.ts';
import { SerialDrain } from '../core/serial-drain.ts';
import type { Logger } from '../core/logger.ts';
import { withoutPhones } from '../privacy/masking.ts';
import { DeliveryQueue, type DeliveryJob, type Endpoint } from './delivery-queue.ts';
import type { DeliveryOutcome, DeliveryStore } from './delivery-store.ts';
import type { OutboxPublication, OutboxStore, Publication } from './outbox-store.ts';

/** Backoff while the broker is unreachable; the row is retried until it goes out. */
const RETRY_DELAYS_MS = [100, 500, 2000, 5000];
/** Sent MQTT rows are kept this long (for dedupe of a late second staging), then pruned at start. */
const KEEP_SENT_MS = 7 * 24 * 3600 * 1000;
const BATCH = 200;

/**
 * Alerting's outbox port: the MQTT row, then `publicationStaged` for the outboxes that stage
 * beside it (the street uplink), all in the caller's transaction. Each publication is staged once.
 */
export class PublicationOutbox implements OutboxPort {
  constructor(
    readonly store: OutboxStore,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {}

  stage(publication: Staged): void {
    const { what, body } = publication;
    const topic =
      what === 'alert'
        ? topics.alert(String(body.siteId), String(body.kind))
        : topics.incident(String(body.siteId), String(body.id));
    // MQTT subscribers (screens, Node-RED, the street) get no phone numbers (issue 18).
    const payload = JSON.stringify(withoutPhones(body));
    const messageId = createHash('sha256').update(topic).update('\n').update(payload).digest('hex');
    this.store.stagePublication({ messageId, what, topic, payload }, this.clock.now());
    this.bus.emit('publicationStaged', publication);
  }
}

export interface OutboxWorkerDeps {
  store: OutboxStore;
  records: DeliveryStore;
  mqtt: DurablePublish;
  clock: Clock;
  log: Logger;
  onPublished: (what: Publication) => void;
  onDelivery: (channelId: string, outcome: DeliveryOutcome) => void;
  /** Asked before each delivery attempt: a page nobody needs any more (accepted meanwhile) is dropped. */
  stillWanted?: (job: DeliveryJob) => boolean;
}

export class OutboxWorker {
  /** The endpoints' queues: robots, work apps and SMS submit their messages here. */
  readonly deliveries: DeliveryQueue;
  private readonly runner = new SerialDrain(
    () => this.drainPublications(),
    (err) => this.deps.log.warn({ err }, 'outbox paused: could not read or mark rows'),
  );

  constructor(private readonly deps: OutboxWorkerDeps) {
    this.deliveries = new DeliveryQueue({
      outbox: deps.store,
      records: deps.records,
      clock: deps.clock,
      log: deps.log,
      onOutcome: deps.onDelivery,
      ...(deps.stillWanted ? { stillWanted: deps.stillWanted } : {}),
    });
  }

  /**
   * Deliveries a previous run had not made, back on their endpoints' queues at the attempt they
   * were at (at start, before anything new is submitted); returns that count.
   */
  resumeDeliveries(endpoints: ReadonlyMap<string, Endpoint>): number {
    return this.deliveries.resume(endpoints);
  }

  /**
   * Once the broker is up: prunes old sent MQTT rows and publishes what a previous run left
   * unsent; returns that count.
   */
  resumePublications(): number {
    this.deps.store.prunePublished(this.deps.clock.now() - KEEP_SENT_MS);
    const pending = this.deps.store.pendingPublicationCount();
    this.kick();
    return pending;
  }

  /** MQTT rows were staged (after the commit that stored them). */
  kick(): void {
    this.runner.kick();
  }

  stop(): void {
    this.runner.stop();
    this.deliveries.stop();
  }

  private async drainPublications(): Promise<void> {
    for (;;) {
      this.runner.covered();
      const batch = this.deps.store.pendingPublications(BATCH);
      if (batch.length === 0 || this.runner.stopped) return;
      for (const m of batch) {
        if (!(await this.publish(m))) return;
        this.deps.store.markPublished(m.seq, this.deps.clock.now());
        this.deps.onPublished(m.what);
      }
    }
  }

  /** Retries until the publish resolves; false only when stopped (the row stays for next start). */
  private async publish(m: OutboxPublication): Promise<boolean> {
    for (let attempt = 1; !this.runner.stopped; attempt++) {
      try {
        await this.deps.mqtt.publishDurable(m.topic, m.payload);
        return true;
      } catch (err) {
        const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length) - 1]!;
        if (attempt === 1 || attempt % 20 === 0)
          this.deps.log.warn({ err, topic: m.topic, attempt }, `${m.what} publish failed; retrying`);
        await this.runner.pause(delay);
      }
    }
    return false;
  }
}
