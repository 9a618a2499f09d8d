/**
 * Group commit: items that arrive in the same turn of the event loop are processed in one store
 * transaction, and each caller's promise resolves only after that commit — for ingest, the QoS 1
 * PUBACK waits for it. One WAL commit per burst instead of per message keeps latency flat under load.
 */
import type { Logger } from '../core/logger.ts';

/** Items committed together at most; a larger burst is split over several commits. */
const GROUP_COMMIT_MAX = 2000;

export class GroupCommit<T> {
  private pending: Array<{ item: T; done: () => void }> = [];
  private flushScheduled = false;

  constructor(
    /** Processes one item; must not throw (a throw is logged and the item counts as done). */
    private readonly processOne: (item: T) => void,
    /** Runs `fn` in one store transaction. */
    private readonly inTransaction: (fn: () => void) => void,
    private readonly log: Logger,
  ) {}

  enqueue(item: T): Promise<void> {
    return new Promise((done) => {
      this.pending.push({ item, done });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending.splice(0, GROUP_COMMIT_MAX);
    try {
      this.inTransaction(() => {
        for (const entry of batch) this.processOne(entry.item);
      });
    } catch (err) {
      // processOne() does not throw, so this is the commit itself failing: retry item by item so
      // one bad write cannot take the rest of the batch with it.
      this.log.error({ err, items: batch.length }, 'group commit failed; retrying one by one');
      for (const entry of batch) {
        try {
          this.inTransaction(() => this.processOne(entry.item));
        } catch (itemErr) {
          this.log.error({ err: itemErr }, 'item failed on its own commit');
        }
      }
    }
    for (const entry of batch) entry.done();
    if (this.pending.length) setImmediate(() => this.flush());
    else this.flushScheduled = false;
  }
}
