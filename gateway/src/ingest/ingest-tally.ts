/**
 * Ingest's counters for one group commit, added to /metrics only once the commit succeeded: a
 * burst rolled back by a failing store must not count as received, accepted or stored (issue 14:
 * weige_readings_stored_total once said 600 with 200 stored).
 */
import type { Metrics } from '../core/metrics.ts';

export class IngestTally {
  private readonly received = new Map<string, number>();
  private readonly accepted = new Map<string, number>();
  private readonly rejected = new Map<string, number>();
  private duplicates = 0;
  private stored = 0;

  messageReceived(stream: string): void {
    this.received.set(stream, (this.received.get(stream) ?? 0) + 1);
  }

  messageAccepted(stream: string): void {
    this.accepted.set(stream, (this.accepted.get(stream) ?? 0) + 1);
  }

  messageRejected(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  duplicatesSkipped(n: number): void {
    this.duplicates += n;
  }

  readingsStored(n: number): void {
    this.stored += n;
  }

  /** The burst committed: publish the counts. */
  applyTo(metrics: Metrics): void {
    for (const [stream, n] of this.received) metrics.messagesReceived.inc({ stream }, n);
    for (const [stream, n] of this.accepted) metrics.messagesAccepted.inc({ stream }, n);
    for (const [reason, n] of this.rejected) metrics.messagesRejected.inc({ reason }, n);
    if (this.duplicates) metrics.duplicates.inc(this.duplicates);
    if (this.stored) metrics.readingsStored.inc(this.stored);
    this.discard();
  }

  /** The burst was rolled back: none of it happened. */
  discard(): void {
    this.received.clear();
    this.accepted.clear();
    this.rejected.clear();
    this.duplicates = 0;
    this.stored = 0;
  }
}
