/**
 * Injectable time. Wall time is `SystemClock`; tests and replays drive a `ManualClock` so that
 * escalation timers and health checks run on the time they are given, not on the machine's.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** True when time moves only when its driver moves it (ManualClock: replays, tests). */
  readonly driven?: boolean;
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

/**
 * A clock that only moves when told to; due timers fire in time order (ties in the order they
 * were set) during `advance`. The pending timers are a binary heap, so a replay that moves the
 * clock for every message of a month does not scan every pending timer each time.
 */
export class ManualClock implements Clock {
  readonly driven = true;
  private current: number;
  private seq = 0;
  private readonly heap: PendingTimer[] = [];

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
      const next = this.heap[0];
      if (!next || next.at > toMs) break;
      if (next.cancelled) {
        this.pop();
        continue;
      }
      this.current = next.at;
      if (next.periodMs !== null) {
        next.at += next.periodMs;
        this.siftDown(0);
      } else {
        next.cancelled = true;
        this.pop();
      }
      next.fn();
    }
    this.current = Math.max(this.current, toMs);
  }

  advance(deltaMs: number): void {
    this.advanceTo(this.current + deltaMs);
  }

  private add(at: number, periodMs: number | null, fn: () => void): TimerHandle {
    const timer: PendingTimer = { at, seq: this.seq++, periodMs, fn, cancelled: false };
    this.heap.push(timer);
    this.siftUp(this.heap.length - 1);
    return { cancel: () => (timer.cancelled = true) };
  }

  private pop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.siftDown(0);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) return;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let first = i;
      if (left < h.length && before(h[left]!, h[first]!)) first = left;
      if (right < h.length && before(h[right]!, h[first]!)) first = right;
      if (first === i) return;
      [h[i], h[first]] = [h[first]!, h[i]!];
      i = first;
    }
  }
}

function before(a: PendingTimer, b: PendingTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
