/**
 * Group commit: items that arrive in the same turn of the event loop are processed in one store
 * transaction, and each caller's promise resolves only after that commit — for ingest, the QoS 1
 * PUBACK waits for it. One WAL commit per burst instead of per message keeps latency flat under load.
 * When the transaction fails (disk full, I/O error, locked) every item of the burst is rejected:
 * nothing of it was stored, so nothing of it may be acknowledged (issue 14).
 */

/** Items committed together at most; a larger burst is split over several commits. */
export const GROUP_COMMIT_MAX = 2000;
/**
 * A commit takes no more items once it has worked this long, so that the event loop (PUBACKs,
 * an alert waiting to go out) never waits behind one huge burst.
 */
const GROUP_COMMIT_MAX_NS = 50_000_000n;

export interface GroupCommitHooks {
  /** After a successful commit of the burst. */
  committed(): void;
  /** The burst was rolled back; returns the error each of its callers is rejected with. */
  failed(err: unknown, items: number): Error;
}

export class GroupCommit<T> {
  private pending: Array<{ item: T; resolve: () => void; reject: (err: Error) => void }> = [];
  private head = 0;
  private flushScheduled = false;
  private flushing = false;

  constructor(
    /** Processes one item; throws only when the store fails (that rolls back the whole burst). */
    private readonly processOne: (item: T) => void,
    /** Runs `fn` in one store transaction. */
    private readonly inTransaction: (fn: () => void) => void,
    private readonly hooks: GroupCommitHooks,
  ) {}

  /** Items waiting for their commit. */
  get depth(): number {
    return this.pending.length - this.head;
  }

  enqueue(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      // A full commit's worth commits now: a flood of messages that resolve at once (QoS 0) can
      // keep the event loop from ever reaching the scheduled flush.
      if (this.depth >= GROUP_COMMIT_MAX && !this.flushing) this.flush();
      else this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (!this.flushing) this.flush();
    });
  }

  private flush(): void {
    this.flushing = true;
    try {
      this.commitBurst();
    } finally {
      this.flushing = false;
    }
    if (this.depth) this.schedule();
  }

  private commitBurst(): void {
    const start = this.head;
    const limit = Math.min(this.pending.length, start + GROUP_COMMIT_MAX);
    const deadline = process.hrtime.bigint() + GROUP_COMMIT_MAX_NS;
    let end = start;
    let failure: Error | null = null;
    try {
      this.inTransaction(() => {
        end = start;
        while (end < limit) {
          this.processOne(this.pending[end++]!.item);
          if (process.hrtime.bigint() > deadline) break;
        }
      });
    } catch (err) {
      // Nothing of the burst was stored: every item taken for it is refused.
      end = limit;
      failure = this.hooks.failed(err, end - start);
    }
    const batch = this.pending.slice(start, end);
    this.head = end;
    // Drops settled entries now and then, not on every commit (a splice per commit is O(queue)).
    if (this.head === this.pending.length || this.head > 4096) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    if (!failure) this.hooks.committed();
    for (const entry of batch) {
      if (failure) entry.reject(failure);
      else entry.resolve();
    }
  }
}
