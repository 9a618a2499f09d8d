/**
 * The outbox worker's deliveries to endpoints, shared by group robots, work-app messages and
 * SMS/voice: one queue per endpoint (the far end rate-limits and order matters), a doubling
 * backoff, the outbox row (outbox-store.ts) carrying the attempt count across a restart, and a
 * delivery record per attempt.
 */
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { DeliveryOutcome, DeliveryStore } from './delivery-store.ts';
import type { OutboxStore } from './outbox-store.ts';

export interface AttemptResult {
  outcome: DeliveryOutcome;
  statusCode: number | null;
  error: string | null;
}

/** Something that takes one message per attempt: a robot webhook, a work app, an SMS gateway. */
export interface Endpoint {
  id: string;
  maxAttempts: number;
  /** Delay before retry n is backoffS × 2^(n-1). */
  backoffS: number;
  attempt(message: unknown, nowMs: number): Promise<AttemptResult>;
}

export interface DeliveryJob {
  deliveryId: string;
  incidentId: string | null;
  event: string;
  recipient: string | null;
  message: unknown;
  /** Attempts already made (a job resumed after a restart), and when the next one is due. */
  attempts: number;
  dueAt: number;
}

/** Outcomes no retry can change. */
const FINAL: ReadonlySet<DeliveryOutcome> = new Set(['ok', 'no_address']);

export class DeliveryQueue {
  private readonly queues = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly deps: {
      outbox: OutboxStore;
      records: DeliveryStore;
      clock: Clock;
      log: Logger;
      onOutcome: (channelId: string, outcome: DeliveryOutcome) => void;
      /** Asked before each attempt: a page nobody needs any more (accepted meanwhile) is dropped. */
      stillWanted?: (job: DeliveryJob) => boolean;
    },
  ) {}

  stop(): void {
    this.stopped = true;
  }

  /** Every delivery still queued or retrying has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.queues.size) await Promise.all([...this.queues.values()]);
  }

  /** Stores the job, then sends it; false (and nothing sent) when the same delivery id is known. */
  submit(endpoint: Endpoint, job: DeliveryJob): boolean {
    const stored = this.deps.outbox.stageDelivery(
      {
        deliveryId: job.deliveryId,
        channelId: endpoint.id,
        incidentId: job.incidentId,
        event: job.event,
        recipient: job.recipient,
        notice: job.message,
        nextAttemptAt: job.dueAt,
      },
      this.deps.clock.now(),
    );
    if (stored) void this.run(endpoint, job);
    return stored;
  }

  /** Picks up messages a previous run had not delivered yet, at the attempt they were at. */
  resume(endpoints: ReadonlyMap<string, Endpoint>): number {
    let resumed = 0;
    for (const o of this.deps.outbox.pendingDeliveries()) {
      const endpoint = endpoints.get(o.channelId);
      if (!endpoint) continue;
      resumed++;
      void this.run(endpoint, {
        deliveryId: o.deliveryId,
        incidentId: o.incidentId,
        event: o.event,
        recipient: o.recipient,
        message: o.notice,
        attempts: o.attempts,
        dueAt: o.nextAttemptAt,
      });
    }
    return resumed;
  }

  /** Sends without an outbox row (test messages); resolves with the last attempt's outcome. */
  async sendOnce(endpoint: Endpoint, job: DeliveryJob): Promise<DeliveryOutcome | null> {
    let outcome: DeliveryOutcome | null = null;
    await this.run(endpoint, job, false, (o) => (outcome = o));
    return outcome;
  }

  private run(
    endpoint: Endpoint,
    job: DeliveryJob,
    durable = true,
    done?: (o: DeliveryOutcome) => void,
  ): Promise<void> {
    const prev = this.queues.get(endpoint.id) ?? Promise.resolve();
    const next = prev.then(() => this.deliver(endpoint, job, durable, done));
    this.queues.set(endpoint.id, next);
    void next.finally(() => {
      if (this.queues.get(endpoint.id) === next) this.queues.delete(endpoint.id);
    });
    return next;
  }

  private async deliver(
    endpoint: Endpoint,
    job: DeliveryJob,
    durable: boolean,
    done?: (o: DeliveryOutcome) => void,
  ): Promise<void> {
    await this.waitMs(job.dueAt - this.deps.clock.now());
    for (let attempt = job.attempts + 1; attempt <= endpoint.maxAttempts && !this.stopped; attempt++) {
      if (this.deps.stillWanted && !this.deps.stillWanted(job)) {
        if (durable) this.deps.outbox.progress(job.deliveryId, attempt - 1, null, this.deps.clock.now());
        this.deps.log.debug({ channel: endpoint.id, delivery: job.deliveryId }, 'no longer needed; dropped');
        return;
      }
      const startedAt = this.deps.clock.now();
      const t0 = performance.now();
      const result = await endpoint.attempt(job.message, startedAt);
      // Stopped while the far end answered: the store may be closed already. The row stays as it
      // was and the next start sends again (at least once, as every outbox row).
      if (this.stopped) return;
      const last = FINAL.has(result.outcome) || attempt === endpoint.maxAttempts;
      const delayMs = endpoint.backoffS * 1000 * 2 ** (attempt - 1);
      const nextAttemptAt = last ? null : this.deps.clock.now() + delayMs;
      if (durable) this.deps.outbox.progress(job.deliveryId, attempt, nextAttemptAt, this.deps.clock.now());
      this.deps.records.record({
        deliveryId: job.deliveryId,
        channelId: endpoint.id,
        incidentId: job.incidentId,
        event: job.event,
        recipient: job.recipient,
        attempt,
        startedAt,
        durationMs: Math.round(performance.now() - t0),
        ...result,
        nextAttemptAt,
      });
      this.deps.onOutcome(endpoint.id, result.outcome);
      if (last) {
        if (result.outcome !== 'ok')
          this.deps.log.error(
            { channel: endpoint.id, delivery: job.deliveryId, error: result.error },
            'delivery gave up',
          );
        done?.(result.outcome);
        return;
      }
      this.deps.log.warn(
        { channel: endpoint.id, attempt, error: result.error, retryInMs: delayMs },
        'delivery failed; retrying',
      );
      await this.waitMs(delayMs);
    }
  }

  private async waitMs(ms: number): Promise<void> {
    if (ms > 0) await new Promise<void>((r) => this.deps.clock.setTimer(ms, r));
  }
}

/** One HTTP exchange with a timeout; network failures and timeouts become outcomes, not throws. */
export async function exchange(
  url: string,
  init: RequestInit,
  timeoutS: number,
): Promise<{ status: number; text: string } | AttemptResult> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutS * 1000) });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    const e = err as Error;
    const timeout = e.name === 'TimeoutError' || e.name === 'AbortError';
    return timeout
      ? { outcome: 'timeout', statusCode: null, error: `no answer within ${timeoutS} s` }
      : { outcome: 'network_error', statusCode: null, error: e.message };
  }
}
