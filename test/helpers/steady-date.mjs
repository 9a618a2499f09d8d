/**
 * Preloaded (`node --import`) into every process of a test run: vitest's workers (vitest.config.ts)
 * and the gateways and hubs the tests spawn (entry-process.ts). It makes `Date` follow the
 * machine's monotonic clock from one anchor, so a step of the system clock during the run (NTP, a
 * CI host setting its time) moves nothing. Without it vitest itself fails a 10 s test as "timed out
 * in 30000ms": it checks timeouts on `Date.now()`.
 *
 * The anchor is `WEIGE_TEST_CLOCK_AT_MS` at monotonic instant `WEIGE_TEST_CLOCK_AT_NS` when a test
 * spawned this process (its Date then runs on the parent's test clock), else the wall clock at load.
 */
import process from 'node:process';

const MachineDate = Date;
const monotonicNs = () => process.hrtime.bigint();

const anchorMs = Number(process.env.WEIGE_TEST_CLOCK_AT_MS ?? MachineDate.now());
const anchorNs = BigInt(process.env.WEIGE_TEST_CLOCK_AT_NS ?? monotonicNs());
if (!Number.isFinite(anchorMs)) throw new Error('WEIGE_TEST_CLOCK_AT_MS: not a number of milliseconds');

function steadyNow() {
  return anchorMs + Math.floor(Number(monotonicNs() - anchorNs) / 1e6);
}

class SteadyDate extends MachineDate {
  constructor(...args) {
    if (args.length === 0) super(steadyNow());
    else super(...args);
  }

  static now() {
    return steadyNow();
  }
}

// `Date()` called without `new` gives the time as text, as the built-in does.
globalThis.Date = new Proxy(SteadyDate, { apply: () => new MachineDate(steadyNow()).toString() });
