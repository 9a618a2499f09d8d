/**
 * Ingest's turns of the event loop (issue 16): how many messages it took in the current one, and
 * the turn's end, where QoS 1 messages waiting for room go in first and then the transport reads
 * the connections it paused (IntakeLoad.whenRoom). The end runs on setImmediate: outside any
 * commit or socket read, and after the poll phase, so a device that is not flooding is read
 * between any two turns.
 */
import { GROUP_COMMIT_MAX } from './group-commit.ts';

/**
 * Messages taken in one turn at most: one group commit's worth. A turn that took the whole queue
 * (10 000) ran for over a second under a flood, and every other device waited that long for its
 * next read or PUBACK.
 */
export const TURN_MAX = GROUP_COMMIT_MAX;

export class IntakeTurn {
  /**
   * Messages queued for the store in this turn, committed ones too: full commits run inline, so a
   * flood can take 100 000s in one turn while the queue stays short.
   */
  taken = 0;
  private endScheduled = false;
  /** The transport's call to read paused connections again, once a turn ends with room. */
  private resumeReading: (() => void) | null = null;

  constructor(
    private readonly isFull: () => boolean,
    /** Lets QoS 1 messages waiting for room in. */
    private readonly letWaitingIn: () => void,
  ) {}

  took(): void {
    this.taken++;
    this.endSoon();
  }

  whenRoom(resume: () => void): void {
    this.resumeReading = resume;
    this.endSoon();
  }

  /** Room may have appeared (a commit, a refusal): paused connections hear of it at the turn's end. */
  roomFreed(): void {
    if (this.resumeReading) this.endSoon();
  }

  endSoon(): void {
    if (this.endScheduled) return;
    this.endScheduled = true;
    setImmediate(() => {
      this.endScheduled = false;
      this.taken = 0;
      this.letWaitingIn();
      const resume = this.resumeReading;
      if (!resume || this.isFull()) return;
      this.resumeReading = null;
      resume();
    });
  }
}
