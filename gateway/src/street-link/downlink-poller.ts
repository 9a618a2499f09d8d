/**
 * Takes street actions from the hub: a long poll resumed from the last action applied here.
 * Each action is applied (alerting's StreetActions) in one transaction with the new cursor and
 * the answer that goes back up, so after a crash, a dropped connection or a replica that died
 * mid-request, the next poll starts exactly after the last action applied — none lost, none twice.
 */
import type { DownlinkAction } from '../contracts/hub.ts';
import type { Logger } from '../core/logger.ts';
import type { HubClient } from './hub-client.ts';
import type { UplinkOutbox } from './uplink-outbox.ts';

/** How long (seconds) the hub may hold a poll open when there is nothing to send. */
const WAIT_S = 20;
/** Backoff (milliseconds) after a failed poll; wall time, it is about sockets. */
const RETRY_DELAYS_MS = [100, 500, 1000, 2000, 5000];

export interface DownlinkPollerDeps {
  outbox: UplinkOutbox;
  client: HubClient;
  log: Logger;
  /** Applies one action; must call `commit` inside its transaction. */
  apply(action: DownlinkAction, commit: () => void): void;
}

export class DownlinkPoller {
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(private readonly deps: DownlinkPollerDeps) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { outbox, client, log } = this.deps;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        const page = await client.poll(outbox.downlinkCursor(), WAIT_S, this.abort.signal);
        failures = 0;
        for (const action of page.actions) {
          if (action.seq <= outbox.downlinkCursor()) continue;
          this.deps.apply(action, () => outbox.setDownlinkCursor(action.seq));
          log.info({ seq: action.seq, kind: action.kind, by: action.by }, 'street action applied');
        }
      } catch (err) {
        if (this.abort.signal.aborted) return;
        failures++;
        if (failures === 1 || failures % 20 === 0)
          log.warn({ err, failures }, 'street hub downlink unreachable; retrying');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length) - 1]);
          t.unref();
          this.abort.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
    }
  }
}
