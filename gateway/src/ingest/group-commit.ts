/**
 * Group commit: items that arrive in the same turn of the event loop are processed in one store
 * transaction, and each caller's promise resolves only after that commit — for ingest, the QoS 1
 * PUBACK waits for it. One WAL commit per burst instead of per message keeps latency flat under load.
 * When the transaction fails (disk full, I/O error, locked) every item of the burst is rejected:
 * nothing of it was stored, so nothing of it may be acknowledged (issue 14).
 */

/** Items committed together at most; a larger burst is split over several commits. */
const GROUP_COMMIT_MAX = 2000;

export interface GroupCommitHooks {
  /** After a successful commit of the burst. */
  committed(): void;
  /** The burst was rolled back; returns the error each of its callers is rejected with. */
  failed(err: unknown, items: number): Error;
}

export class GroupCommit<T> {
  private pending: Array<{ item: T; resolve: () => void; reject: (err: Error) => void }> = [];
  private flushScheduled = false;

  constructor(
    /** Processes one item; throws only when the store fails (that rolls back the whole burst). */
    private readonly processOne: (item: T) => void,
    /** Runs `fn` in one store transaction. */
    private readonly inTransaction: (fn: () => void) => void,
    private readonly hooks: GroupCommitHooks,
  ) {}

  enqueue(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending.splice(0, GROUP_COMMIT_MAX);
    let failure: Error | null = null;
    try {
      this.inTransaction(() => {
        for (const entry of batch) this.processOne(entry.item);
      });
    } catch (err) {
      failure = this.hooks.failed(err, batch.length);
    }
    if (!failure) this.hooks.committed();
    for (const entry of batch) {
      if (failure) entry.reject(failure);
      else entry.resolve();
    }
    if (this.pending.length) setImmediate(() => this.flush());
    else this.flushScheduled = false;
  }
}
