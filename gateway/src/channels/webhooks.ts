/**
 * Webhook delivery to group robots, through the shared delivery queue: a timeout per attempt
 * (a slow robot must not hold the queue), retries with a doubling backoff, and a delivery record
 * per attempt.
 */
import type { Clock } from '../core/clock.ts';
import { SEVERITIES } from '../contracts/alerts.ts';
import type { SiteIndex } from '../site/site-index.ts';
import type { WebhookConfig } from './config.ts';
import { exchange, type DeliveryQueue, type Endpoint } from './delivery-queue.ts';
import type { DeliveryOutcome } from './delivery-store.ts';
import { buildNotice } from './notice.ts';
import { buildRobotRequest, robotAccepted, type Notice } from './robot-formats.ts';
import type { IncidentView } from '../contracts/incidents.ts';

function robotEndpoint(w: WebhookConfig): Endpoint {
  return {
    id: w.id,
    maxAttempts: w.maxAttempts,
    backoffS: w.backoffS,
    async attempt(message, nowMs) {
      const req = buildRobotRequest(w.type, w.url, w.secret, message as Notice, nowMs);
      const answer = await exchange(
        req.url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(req.body),
        },
        w.timeoutS,
      );
      if ('outcome' in answer) return answer;
      const verdict = robotAccepted(w.type, answer.status, answer.text);
      const ok2xx = answer.status >= 200 && answer.status < 300;
      return {
        outcome: verdict.ok ? 'ok' : ok2xx ? 'robot_error' : 'http_error',
        statusCode: answer.status,
        error: verdict.error,
      };
    },
  };
}

export class WebhookSender {
  readonly endpoints: Map<string, Endpoint>;

  constructor(
    private readonly deps: {
      site: SiteIndex;
      webhooks: WebhookConfig[];
      queue: DeliveryQueue;
      clock: Clock;
    },
  ) {
    this.endpoints = new Map(deps.webhooks.map((w) => [w.id, robotEndpoint(w)]));
  }

  onIncidentChanged(i: IncidentView): void {
    for (const w of this.deps.webhooks) {
      if (!this.wants(w, i)) continue;
      const notice = buildNotice(this.deps.site, i, w.lang);
      // The outbox row makes the message survive a restart; a repeat of the same change is ignored.
      this.deps.queue.submit(this.endpoints.get(w.id)!, {
        deliveryId: `${w.id}:${i.id}:${i.lastChange.type}:${i.lastChange.at}`,
        incidentId: i.id,
        event: i.lastChange.type,
        recipient: null,
        message: { ...notice, ...(w.mentionPaged ? {} : { mentionPhones: [], mentionWecom: [] }) },
        attempts: 0,
        dueAt: this.deps.clock.now(),
      });
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
    return this.deps.queue.sendOnce(this.endpoints.get(w.id)!, {
      deliveryId: `${w.id}:test:${this.deps.clock.now()}`,
      incidentId: null,
      event: 'test',
      recipient: null,
      message: notice,
      attempts: 0,
      dueAt: this.deps.clock.now(),
    });
  }

  private wants(w: WebhookConfig, i: IncidentView): boolean {
    if (!w.events.includes(i.lastChange.type)) return false;
    if (w.kinds.length && !w.kinds.includes(i.kind)) return false;
    if (SEVERITIES.indexOf(i.severity as never) > SEVERITIES.indexOf(w.minSeverity)) return false;
    return !w.grids.length || w.grids.some((g) => i.grid.includes(g));
  }
}
