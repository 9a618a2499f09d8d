/**
 * Every alert on `weige/alerts/{siteId}/{kind}` and every incident change on
 * `weige/incidents/{siteId}/{incidentId}`, QoS 1 (shared/CONTRACT.md).
 */
import type { Alert } from '../contracts/alerts.ts';
import { topics } from '../contracts/topics.ts';
import type { Logger } from '../core/logger.ts';
import type { Transport } from '../transport/transport.ts';

const RETRY_DELAYS_MS = [100, 500, 2000, 5000];

export class MqttPublisher {
  constructor(
    private readonly transport: Transport,
    private readonly log: Logger,
    private readonly onPublished: (what: 'alert' | 'incident') => void,
  ) {}

  alert(a: Alert): void {
    this.publish(topics.alert(a.siteId, a.kind), a, 'alert');
  }

  incident(i: Record<string, unknown>): void {
    this.publish(topics.incident(String(i.siteId), String(i.id)), i, 'incident');
  }

  /** Retries a few times: right after a restart, a resumed timer may fire before the broker is up. */
  private publish(topic: string, body: unknown, what: 'alert' | 'incident', attempt = 1): void {
    this.transport.publish(topic, JSON.stringify(body), { qos: 1 }).then(
      () => this.onPublished(what),
      (err: unknown) => {
        if (attempt >= RETRY_DELAYS_MS.length + 1)
          return this.log.error({ err, topic }, `${what} publish failed`);
        this.log.warn({ err, topic, attempt }, `${what} publish failed; retrying`);
        setTimeout(() => this.publish(topic, body, what, attempt + 1), RETRY_DELAYS_MS[attempt - 1]).unref();
      },
    );
  }
}
