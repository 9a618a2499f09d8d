/**
 * Loaded first into every gateway or hub process a test spawns (`node --import`, see
 * entry-process.ts): the child's `Date` runs on the parent's test clock, as faketime would, so that
 * a spawned process judges timestamps and fires timers on the same time as the test's fixtures.
 */
const offsetMs = Number(process.env.WEIGE_TEST_CLOCK_OFFSET_MS);
if (!Number.isFinite(offsetMs)) throw new Error('WEIGE_TEST_CLOCK_OFFSET_MS must be set by spawnEntry');

const MachineDate = Date;

class TestDate extends MachineDate {
  constructor(...args: ConstructorParameters<DateConstructor> | []) {
    if (args.length === 0) super(MachineDate.now() + offsetMs);
    else super(...(args as ConstructorParameters<DateConstructor>));
  }

  static override now(): number {
    return MachineDate.now() + offsetMs;
  }
}

globalThis.Date = TestDate as DateConstructor;
