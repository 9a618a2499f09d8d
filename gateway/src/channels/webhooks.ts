/**
 * Webhook delivery to group robots: one queue per channel (robots rate-limit and order matters),
 * a timeout per attempt (a slow robot must not hold the queue), retries with a doubling backoff,
 * and a delivery record per attempt.
 */
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { SEVERITIES } from '../contracts/alerts.ts';
import type { SiteIndex } from '../config/site-index.ts';
import type { WebhookConfig } from './config.ts';
import type { DeliveryOutcome, DeliveryStore } from './delivery-store.ts';
import { buildNotice, type IncidentPayload } from './notice.ts';
import { buildRobotRequest, robotAccepted, type Notice } from './robot-formats.ts';

interface Job {
  deliveryId: string;
  incidentId: string | null;
  event: string;
  notice: Notice;
  /** Attempts already made (a job resumed after a restart), and when the next one is due. */
  attempts: number;
  dueAt: number;
}

export class WebhookSender {
  private readonly queues = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly deps: {
      site: SiteIndex;
      webhooks: WebhookConfig[];
      store: DeliveryStore;
      clock: Clock;
      log: Logger;
      onOutcome: (channelId: string, outcome: DeliveryOutcome) => void;
    },
  ) {}

  stop(): void {
    this.stopped = true;
  }

  /** Picks up messages a previous run had not delivered yet, at the attempt they were at. */
  resume(): number {
    const pending = this.deps.store.pending();
    for (const o of pending) {
      const w = this.deps.webhooks.find((x) => x.id === o.channelId);
      if (!w) continue;
      this.enqueue(w, {
        deliveryId: o.deliveryId,
        incidentId: o.incidentId,
        event: o.event,
        notice: o.notice as Notice,
        attempts: o.attempts,
        dueAt: o.nextAttemptAt,
      });
    }
    return pending.length;
  }

  /** Every delivery still queued or retrying has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.queues.size) await Promise.all([...this.queues.values()]);
  }

  onIncidentChanged(i: IncidentPayload): void {
    const notice = (w: WebhookConfig) => buildNotice(this.deps.site, i, w.lang);
    for (const w of this.deps.webhooks) {
      if (!this.wants(w, i)) continue;
      const job: Job = {
        deliveryId: `${w.id}:${i.id}:${i.lastChange.type}:${i.lastChange.at}`,
        incidentId: i.id,
        event: i.lastChange.type,
        notice: { ...notice(w), ...(w.mentionPaged ? {} : { mentionPhones: [], mentionWecom: [] }) },
        attempts: 0,
        dueAt: this.deps.clock.now(),
      };
      // The outbox row makes the message survive a restart; a repeat of the same change is ignored.
      if (this.deps.store.enqueue({ ...job, channelId: w.id, nextAttemptAt: job.dueAt }))
        this.enqueue(w, job);
    }
  }

  /** A test message to one channel; resolves with the outcome of the last attempt. */
  async sendTest(channelId: string): Promise<DeliveryOutcome | null> {
    const w = this.deps.webhooks.find((x) => x.id === channelId);
    if (!w) return null;
    const zh = w.lang === 'zh-CN';
    const notice: Notice = {
      title: zh ? '【测试】微格告警通道' : '[test] Weige alert channel',
      lines: [zh ? `通道 ${w.id} 工作正常` : `Channel ${w.id} works`],
      severity: 'info',
      mentionPhones: [],
      mentionWecom: [],
      payload: { test: true, channel: w.id },
    };
    let outcome: DeliveryOutcome | null = null;
    await this.enqueue(
      w,
      {
        deliveryId: `${w.id}:test:${this.deps.clock.now()}`,
        incidentId: null,
        event: 'test',
        notice,
        attempts: 0,
        dueAt: this.deps.clock.now(),
      },
      (o) => (outcome = o),
    );
    return outcome;
  }

  private wants(w: WebhookConfig, i: IncidentPayload): boolean {
    if (!w.events.includes(i.lastChange.type)) return false;
    if (w.kinds.length && !w.kinds.includes(i.kind)) return false;
    if (SEVERITIES.indexOf(i.severity as never) > SEVERITIES.indexOf(w.minSeverity)) return false;
    return !w.grids.length || w.grids.some((g) => i.grid.includes(g));
  }

  private enqueue(w: WebhookConfig, job: Job, done?: (o: DeliveryOutcome) => void): Promise<void> {
    const prev = this.queues.get(w.id) ?? Promise.resolve();
    const next = prev.then(() => this.deliver(w, job, done));
    this.queues.set(w.id, next);
    void next.finally(() => {
      if (this.queues.get(w.id) === next) this.queues.delete(w.id);
    });
    return next;
  }

  private async deliver(w: WebhookConfig, job: Job, done?: (o: DeliveryOutcome) => void): Promise<void> {
    const waitMs = job.dueAt - this.deps.clock.now();
    if (waitMs > 0) await new Promise<void>((r) => this.deps.clock.setTimer(waitMs, r));
    for (let attempt = job.attempts + 1; attempt <= w.maxAttempts && !this.stopped; attempt++) {
      const startedAt = this.deps.clock.now();
      const t0 = performance.now();
      const req = buildRobotRequest(w.type, w.url, w.secret, job.notice, startedAt);
      let outcome: DeliveryOutcome;
      let statusCode: number | null = null;
      let error: string | null = null;
      try {
        const res = await fetch(req.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(req.body),
          signal: AbortSignal.timeout(w.timeoutS * 1000),
        });
        statusCode = res.status;
        const verdict = robotAccepted(w.type, res.status, await res.text());
        outcome = verdict.ok ? 'ok' : res.ok ? 'robot_error' : 'http_error';
        error = verdict.error;
      } catch (err) {
        const e = err as Error;
        outcome = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timeout' : 'network_error';
        error = outcome === 'timeout' ? `no answer within ${w.timeoutS} s` : e.message;
      }
      const last = outcome === 'ok' || attempt === w.maxAttempts;
      const delayMs = w.backoffS * 1000 * 2 ** (attempt - 1);
      const nextAttemptAt = last ? null : this.deps.clock.now() + delayMs;
      if (job.event !== 'test') this.deps.store.progress(job.deliveryId, attempt, nextAttemptAt);
      this.deps.store.record({
        deliveryId: job.deliveryId,
        channelId: w.id,
        incidentId: job.incidentId,
        event: job.event,
        attempt,
        startedAt,
        durationMs: Math.round(performance.now() - t0),
        outcome,
        statusCode,
        error,
        nextAttemptAt,
      });
      this.deps.onOutcome(w.id, outcome);
      if (last) {
        if (outcome !== 'ok')
          this.deps.log.error({ channel: w.id, delivery: job.deliveryId, error }, 'webhook delivery gave up');
        done?.(outcome);
        return;
      }
      this.deps.log.warn(
        { channel: w.id, attempt, error, retryInMs: delayMs },
        'webhook delivery failed; retrying',
      );
      await new Promise<void>((r) => this.deps.clock.setTimer(delayMs, r));
    }
  }
}
