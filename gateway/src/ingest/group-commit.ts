/**
 * Group commit: items that arrive in the same turn of the event loop are processed in one store
 * transaction, and each caller's promise resolves only after that commit — for ingest, the QoS 1
 * PUBACK waits for it. One WAL commit per burst instead of per message keeps latency flat under load.
 * When the transaction fails (disk full, I/O error, locked) every item of the burst is rejected:
 * nothing of it was stored, so nothing of it may be acknowledged (issue 14).
 *
 * Two lanes (issue 16): urgent items (camera events and tracks) are committed in their own small
 * transaction before any bulk burst, so an alert's input never waits behind a burst of telemetry.
 * Both lanes count in `depth`, which the caller bounds: the urgent lane is no way around it.
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

interface Entry<T> {
  item: T;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Items waiting for their commit, oldest first. */
class Lane<T> {
  private entries: Array<Entry<T>> = [];
  private head = 0;

  get depth(): number {
    return this.entries.length - this.head;
  }

  push(entry: Entry<T>): void {
    this.entries.push(entry);
  }

  peek(offset: number): Entry<T> {
    return this.entries[this.head + offset]!;
  }

  /** Removes and returns the oldest `count` entries. */
  take(count: number): Array<Entry<T>> {
    const taken = this.entries.slice(this.head, this.head + count);
    this.head += count;
    // Drops settled entries now and then, not on every commit (a splice per commit is O(queue)).
    if (this.head === this.entries.length || this.head > 4096) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return taken;
  }
}

export class GroupCommit<T> {
  private readonly urgent = new Lane<T>();
  private readonly bulk = new Lane<T>();
  private flushScheduled = false;
  private flushing = false;

  constructor(
    /** Processes one item; throws only when the store fails (that rolls back the whole burst). */
    private readonly processOne: (item: T) => void,
    /** Runs `fn` in one store transaction. */
    private readonly inTransaction: (fn: () => void) => void,
    private readonly hooks: GroupCommitHooks,
  ) {}

  /** Items waiting for their commit, in both lanes. */
  get depth(): number {
    return this.urgent.depth + this.bulk.depth;
  }

  /** `urgent`: committed ahead of the bulk lane, in a transaction of urgent items only. */
  enqueue(item: T, urgent = false): Promise<void> {
    return new Promise((resolve, reject) => {
      (urgent ? this.urgent : this.bulk).push({ item, resolve, reject });
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

  /**
   * Every urgent item first (they may have arrived during the last bulk burst); the bulk burst then
   * waits for the next turn, so that the urgent items' PUBACKs and the detectors their
   * announcements woke run before telemetry's commit.
   */
  private flush(): void {
    this.flushing = true;
    try {
      if (!this.urgent.depth && this.bulk.depth) this.commitBurst(this.bulk);
      while (this.urgent.depth) this.commitBurst(this.urgent);
    } finally {
      this.flushing = false;
    }
    if (this.depth) this.schedule();
  }

  private commitBurst(lane: Lane<T>): void {
    const limit = Math.min(lane.depth, GROUP_COMMIT_MAX);
    const deadline = process.hrtime.bigint() + GROUP_COMMIT_MAX_NS;
    let count = 0;
    let failure: Error | null = null;
    try {
      this.inTransaction(() => {
        count = 0;
        while (count < limit) {
          this.processOne(lane.peek(count++).item);
          if (process.hrtime.bigint() > deadline) break;
        }
      });
    } catch (err) {
      // Nothing of the burst was stored: every item taken for it is refused.
      count = limit;
      failure = this.hooks.failed(err, count);
    }
    const batch = lane.take(count);
    if (!failure) this.hooks.committed();
    for (const entry of batch) {
      if (failure) entry.reject(failure);
      else entry.resolve();
    }
  }
}
