/**
 * A clock whose timers cannot take the process down: a callback that throws, or whose promise
 * rejects, is handed to `onError` (issue 14: the device-health save timer died on an uncaught
 * SQLITE_FULL and took the gateway with it). The composition root gives every module this clock.
 */
import type { Clock, TimerHandle } from './clock.ts';

export class GuardedClock implements Clock {
  constructor(
    private readonly inner: Clock,
    private readonly onError: (err: unknown) => void,
  ) {}

  get driven(): boolean {
    return this.inner.driven === true;
  }

  now(): number {
    return this.inner.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.inner.setTimer(delayMs, () => this.run(fn));
  }

  setInterval(periodMs: number, fn: () => void): TimerHandle {
    return this.inner.setInterval(periodMs, () => this.run(fn));
  }

  private run(fn: () => unknown): void {
    try {
      const result = fn();
      if (result instanceof Promise) result.catch(this.onError);
    } catch (err) {
      this.onError(err);
    }
  }
}
