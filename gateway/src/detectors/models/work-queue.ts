/**
 * Keeps model work off the ingest path: bus listeners only enqueue; items are processed on later
 * macrotasks, a few at a time, so an MQTT message arriving meanwhile is handled between them.
 */
export class WorkQueue<T> {
  private readonly items: T[] = [];
  private scheduled = false;
  private stopped = false;

  /**
   * @param process handles one batch (at most `batchSize` items); errors go to `onError`.
   * @param batchSize items per macrotask.
   */
  constructor(
    private readonly process: (batch: T[]) => void | Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly batchSize = 8,
  ) {}

  push(item: T): void {
    if (this.stopped) return;
    this.items.push(item);
    this.schedule();
  }

  get depth(): number {
    return this.items.length;
  }

  stop(): void {
    this.stopped = true;
    this.items.length = 0;
  }

  /** Resolves when everything queued so far has been processed (tests, replays). */
  async drain(): Promise<void> {
    while (this.items.length > 0 || this.scheduled) await new Promise((r) => setImmediate(r));
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => void this.run());
  }

  private async run(): Promise<void> {
    const batch = this.items.splice(0, this.batchSize);
    try {
      if (batch.length) await this.process(batch);
    } catch (err) {
      this.onError(err);
    } finally {
      this.scheduled = false;
      if (this.items.length) this.schedule();
    }
  }
}
