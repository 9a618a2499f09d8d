/**
 * The tests' time. No test reads the machine's clock: fixtures, in-process gateways and browser
 * pages all run on `testClock`, which starts at `TEST_EPOCH` and then moves at the machine's rate
 * (real sockets and real waits still work). `WEIGE_TEST_NOW` moves the epoch, so that
 * `scripts/clock-sweep.sh` can run the suite at several hours of the day and in two time zones.
 */
import { performance } from 'node:perf_hooks';
import { SystemClock } from '../../gateway/src/core/clock.ts';

/** Wednesday 18 March 2026, 10:30 in Shanghai: an ordinary working morning. */
const DEFAULT_EPOCH = '2026-03-18T10:30:00+08:00';

function epochFrom(value: string | undefined): number {
  const text = value?.trim() || DEFAULT_EPOCH;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new Error(`WEIGE_TEST_NOW: not an ISO 8601 instant: ${text}`);
  return ms;
}

export const TEST_EPOCH = epochFrom(process.env.WEIGE_TEST_NOW);

/** Starts at `startMs` and runs at the machine's rate, with real timers (unlike `ManualClock`). */
export class RunningClock extends SystemClock {
  private readonly startedAt = performance.now();

  constructor(private readonly startMs: number) {
    super();
  }

  override now(): number {
    return Math.floor(this.startMs + performance.now() - this.startedAt);
  }
}

/** The clock every in-process gateway and page of this test process runs on. */
export const testClock = new RunningClock(TEST_EPOCH);

/** "Now" for fixtures: the test clock's time, never the machine's. */
export function testNow(): number {
  return testClock.now();
}

/** `testNow()` as an ISO 8601 string, optionally shifted by `offsetMs`. */
export function testIso(offsetMs = 0): string {
  return new Date(testNow() + offsetMs).toISOString();
}
