/**
 * Pushes the uplink outbox to the street hub in order, in batches, until the hub has stored every
 * row. A row leaves the outbox only once the hub answers that it stored it (or already had it:
 * a batch resent after a lost answer is a duplicate there, not a second copy). While the hub is
 * unreachable rows wait on disk, across restarts, and go up in order when it is back.
 */
import type { UplinkRecord, UplinkResponse } from '../contracts/hub.ts';
import type { Logger } from '../core/logger.ts';
import { SerialDrain } from '../core/serial-drain.ts';
import { signUplink } from '../core/uplink-signature.ts';
import type { HubClient } from './hub-client.ts';
import type { UplinkOutbox } from './uplink-outbox.ts';

const BATCH = 500;
/** Backoff (milliseconds) while the hub is unreachable or refuses; wall time, it is about sockets. */
const RETRY_DELAYS_MS = [200, 500, 1000, 2000, 5000];

export interface UplinkSenderDeps {
  outbox: UplinkOutbox;
  client: HubClient;
  siteId: string;
  key: string;
  log: Logger;
  onPushed: (stored: number, refused: number) => void;
}

export class UplinkSender {
  private readonly runner = new SerialDrain(
    () => this.drain(),
    (err) => this.deps.log.warn({ err }, 'uplink paused: could not read or mark outbox rows'),
  );
  private readonly abort = new AbortController();

  constructor(private readonly deps: UplinkSenderDeps) {}

  /** Something was staged: send it (coalesces with a push already under way). */
  kick(): void {
    this.runner.kick();
  }

  /** Cuts a push under way short and resolves once the sender no longer touches the outbox. */
  async stop(): Promise<void> {
    this.runner.stop();
    this.abort.abort();
    await this.runner.settled();
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (!this.runner.stopped) {
      this.runner.covered();
      const rows = this.deps.outbox.pending(BATCH);
      if (rows.length === 0) return;
      const records: UplinkRecord[] = rows.map((r) => {
        const unsigned = { seq: r.seq, kind: r.kind, at: new Date(r.at).toISOString(), payload: r.payload };
        return { ...unsigned, sig: signUplink(this.deps.key, this.deps.siteId, unsigned) };
      });
      let answer: UplinkResponse | null = null;
      try {
        answer = await this.deps.client.push({ siteId: this.deps.siteId, records }, this.abort.signal);
      } catch (err) {
        if (this.runner.stopped) return;
        failures++;
        if (failures === 1 || failures % 20 === 0)
          this.deps.log.warn({ err, pending: rows.length, failures }, 'street hub unreachable; uplink waits');
      }
      if (answer) {
        this.deps.outbox.forgetThrough(answer.storedThrough);
        const refused = answer.results.filter((r) => r.outcome === 'refused');
        this.deps.onPushed(answer.results.length - refused.length, refused.length);
        if (refused.length) {
          // The order must hold, so a refused record blocks the ones after it: a person must act.
          failures++;
          this.deps.log.error({ refused: refused.slice(0, 5) }, 'street hub refused uplink records');
        } else {
          failures = 0;
          continue;
        }
      }
      await this.runner.pause(RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length) - 1]!);
    }
  }
}
