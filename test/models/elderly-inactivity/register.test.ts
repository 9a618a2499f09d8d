/**
 * The water register's standing flow (a leak, a running cistern) as the site's meters show it:
 * 1 L register steps, report times that wander around the hour, lost reports and daily batches.
 * A leak must never read as use, over an hour, a lost report's two hours or a lost day, while a
 * flush on top of it still does (issue 13: leaks hid collapses on the held-out scenes).
 */
import { describe, expect, it } from 'vitest';
import { MeterRegister } from '../../../models/elderly-inactivity/register.ts';

const HOUR = 3_600_000;
// 2026-11-02 00:00 Asia/Shanghai.
const DAY0 = Date.UTC(2026, 10, 1, 16);
const LEAK_L_PER_H = 26.37;
const ACTIVE_L = 1.5;

/** Report time of hour k: up to ±7 min off the hour, varying from hour to hour. */
const jittered = (k: number): number => DAY0 + k * HOUR + (((k * 7919) % 840) - 420) * 1000;

/** The true register of a leaking home with flushes `flushes` (event time → litres), at `t`. */
function trueLitres(t: number, flushes: ReadonlyArray<[number, number]>): number {
  const drawn = flushes.filter(([at]) => at <= t).reduce((sum, [, l]) => sum + l, 0);
  return 100_000.4 + (LEAK_L_PER_H * (t - DAY0)) / HOUR + drawn;
}

describe('water register standing flow', () => {
  it('reads a quantised leak off jittered hourly reports within the register’s resolution', () => {
    const register = new MeterRegister();
    for (let k = 0; k <= 30; k++) register.insert(jittered(k), Math.round(trueLitres(jittered(k), [])));
    const flow = register.standingFlow();
    expect(Math.abs(flow.lPerH - LEAK_L_PER_H)).toBeLessThanOrEqual(flow.slackLPerH);
    // Every span of the leak alone is no use, however the 1 L steps fall.
    const points = register.points;
    for (let i = 1; i < points.length; i++)
      expect(
        register.useAbove(points[i]![1] - points[i - 1]![1], points[i]![0] - points[i - 1]![0]),
      ).toBeLessThan(ACTIVE_L);
  });

  it('takes a night of flushes every 1.5 h for use, not for a standing flow, when no leak runs', () => {
    // No 3 h stretch of the day is dry, but many hours are: a 4 L flush at 00:30, 02:00, 03:30…
    const flushes: Array<[number, number]> = [];
    for (let t = DAY0 + 30 * 60_000; t < DAY0 + 48 * HOUR; t += 1.5 * HOUR) flushes.push([t, 4]);
    const litresAt = (t: number): number =>
      100_000 + flushes.filter(([at]) => at <= t).reduce((sum, [, l]) => sum + l, 0);
    const register = new MeterRegister();
    for (let k = 0; k <= 40; k++) register.insert(jittered(k), litresAt(jittered(k)));
    expect(register.standingFlow().lPerH).toBe(0);
    // So a flush in an hour counts in full.
    expect(register.useAbove(4, HOUR)).toBe(4);
  });

  it('takes no use from a leak over a lost report or a lost day, and still sees a flush', () => {
    const flushAt = jittered(40) - 20 * 60_000;
    const flushes: Array<[number, number]> = [[flushAt, 4]];
    const register = new MeterRegister();
    // Hourly reports, floored as NB-IoT batches are; hour 34 is lost, and hours 45–68 (a day's batch).
    for (let k = 0; k <= 70; k++)
      if (k !== 34 && (k < 45 || k > 68))
        register.insert(jittered(k), Math.floor(trueLitres(jittered(k), flushes)));
    const use = (k0: number, k1: number): number =>
      register.useAbove(
        Math.floor(trueLitres(jittered(k1), flushes)) - Math.floor(trueLitres(jittered(k0), flushes)),
        jittered(k1) - jittered(k0),
      );
    expect(use(33, 35)).toBeLessThan(ACTIVE_L);
    expect(use(44, 69)).toBeLessThan(ACTIVE_L);
    expect(use(39, 40)).toBeGreaterThanOrEqual(ACTIVE_L);
  });
});
