/**
 * The outboxes' sending loop, shared (the channels' outbox worker for its MQTT rows, the street
 * link's uplink): one pass of `drain` at a time; `kick()` during a pass asks for one more pass
 * after it, so something staged while a pass is under way is never left behind. `pause()` is a
 * backoff wait (wall time: it is about sockets) that `stop()` cuts short.
 */
export class SerialDrain {
  private running: Promise<void> | null = null;
  private again = false;
  private halted = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly drain: () => Promise<void>,
    /** A pass that threw (the store failed reading or marking rows): the rows stay, the next kick retries. */
    private readonly onError: (err: unknown) => void,
  ) {}

  get stopped(): boolean {
    return this.halted;
  }

  kick(): void {
    if (this.halted) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // Caught here: an unhandled rejection would end the process (issue 14: disk full).
    this.running = this.drain()
      .catch(this.onError)
      .finally(() => {
        this.running = null;
        if (this.again && !this.halted) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when the pass under way (if any) has ended: after `stop()`, nothing touches the store. */
  async settled(): Promise<void> {
    await this.running;
  }

  /** A pass calls this before it reads what to send: what was staged so far is covered. */
  covered(): void {
    this.again = false;
  }

  stop(): void {
    this.halted = true;
    this.wake?.();
  }

  pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      t.unref();
      this.wake = done;
    });
  }
}
