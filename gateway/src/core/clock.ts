/**
 * Injectable time. Wall time is `SystemClock`; tests and replays drive a `ManualClock` so that
 * escalation timers and health checks run on the time they are given, not on the machine's.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Calls `fn` once, `delayMs` from now on this clock. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  /** Calls `fn` every `periodMs` on this clock. */
  setInterval(periodMs: number, fn: () => void): TimerHandle;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }

  setInterval(periodMs: number, fn: () => void): TimerHandle {
    const t = setInterval(fn, periodMs);
    t.unref();
    return { cancel: () => clearInterval(t) };
  }
}

interface PendingTimer {
  at: number;
  seq: number;
  periodMs: number | null;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to; due timers fire in time order during `advance`. */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers: PendingTimer[] = [];

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.add(this.current + Math.max(0, delayMs), null, fn);
  }

  setInterval(periodMs: number, fn: () => void): TimerHandle {
    return this.add(this.current + periodMs, periodMs, fn);
  }

  /** Moves time forward to `toMs`, firing every timer due on the way, in order. */
  advanceTo(toMs: number): void {
    for (;;) {
      const next = this.nextDue(toMs);
      if (!next) break;
      this.current = next.at;
      if (next.periodMs !== null) next.at += next.periodMs;
      else next.cancelled = true;
      next.fn();
    }
    this.current = Math.max(this.current, toMs);
    this.compact();
  }

  advance(deltaMs: number): void {
    this.advanceTo(this.current + deltaMs);
  }

  private nextDue(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.timers) {
      if (t.cancelled || t.at > limit) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  private add(at: number, periodMs: number | null, fn: () => void): TimerHandle {
    const timer: PendingTimer = { at, seq: this.seq++, periodMs, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  private compact(): void {
    for (let i = this.timers.length - 1; i >= 0; i--) if (this.timers[i]!.cancelled) this.timers.splice(i, 1);
  }
}
