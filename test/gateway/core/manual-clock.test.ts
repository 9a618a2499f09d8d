/**
 * ManualClock, the clock of tests and replays: due timers fire in time order, ties in the order
 * they were set, periodic ones keep their place, cancelled ones never fire — also with thousands
 * pending (its heap), and for timers set or cancelled by a timer while the clock moves.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../gateway/src/core/clock.ts';

describe('ManualClock', () => {
  it('fires due timers in time order, ties in the order they were set', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimer(300, () => fired.push(`c@${clock.now()}`));
    clock.setTimer(100, () => fired.push(`a@${clock.now()}`));
    clock.setTimer(300, () => fired.push(`d@${clock.now()}`));
    clock.setTimer(100, () => fired.push(`b@${clock.now()}`));
    clock.setTimer(301, () => fired.push(`late@${clock.now()}`));
    clock.advanceTo(1300);
    expect(fired).toEqual(['a@1100', 'b@1100', 'c@1300', 'd@1300']);
    expect(clock.now()).toBe(1300);
    clock.advance(1);
    expect(fired.at(-1)).toBe('late@1301');
  });

  it('repeats an interval in its place among other timers and stops it when cancelled', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    const tick = clock.setInterval(100, () => fired.push(`tick@${clock.now()}`));
    clock.setTimer(200, () => fired.push(`once@${clock.now()}`));
    clock.advanceTo(350);
    expect(fired).toEqual(['tick@100', 'tick@200', 'once@200', 'tick@300']);
    tick.cancel();
    clock.advanceTo(1000);
    expect(fired).toHaveLength(4);
  });

  it('fires timers set by a firing timer when they fall due on the same advance, never cancelled ones', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    const doomed = clock.setTimer(50, () => fired.push('doomed'));
    clock.setTimer(10, () => {
      doomed.cancel();
      clock.setTimer(5, () => fired.push(`chained@${clock.now()}`));
      clock.setTimer(0, () => fired.push(`now@${clock.now()}`));
    });
    clock.advanceTo(100);
    expect(fired).toEqual(['now@10', 'chained@15']);
  });

  it('orders thousands of pending timers like a sort by (due time, set order)', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    const expected: Array<{ at: number; n: number }> = [];
    let state = 12345;
    const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31);
    const handles = [];
    for (let n = 0; n < 5000; n++) {
      const at = next() % 2000;
      handles.push(clock.setTimer(at, () => fired.push(n)));
      expected.push({ at, n });
    }
    // Every third timer cancelled.
    for (let n = 0; n < 5000; n += 3) handles[n]!.cancel();
    for (let t = 0; t <= 2000; t += 37) clock.advanceTo(t);
    clock.advanceTo(2000);
    const order = expected
      .filter(({ n }) => n % 3 !== 0)
      .sort((a, b) => a.at - b.at || a.n - b.n)
      .map(({ n }) => n);
    expect(fired).toEqual(order);
  });

  it('never moves back', () => {
    const clock = new ManualClock(500);
    clock.advanceTo(100);
    expect(clock.now()).toBe(500);
  });
});
