/**
 * Appliances that switch themselves are not signs of life (issue 13, found by the independent
 * scenes): a fridge's compressor cycling under a 15-min electricity meter changes the interval
 * mean by ~150 W around the clock. A collapsed resident's home keeps cycling; the inactivity
 * alert must still come within the goal, and a resident at home must still count as alive.
 */
import { describe, expect, it } from 'vitest';
import { HouseholdState } from '../../../models/elderly-inactivity/household.ts';
import { DEFAULT_PARAMS } from '../../../models/elderly-inactivity/params.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STEP = HOUR / 4;
// 2026-11-02 00:00 Asia/Shanghai, a Monday.
const DAY0 = Date.UTC(2026, 10, 1, 16);
const FLAT_PRIOR = new Array<number>(48).fill(0.3);
const localHour = (t: number): number => ((t - DAY0) / HOUR) % 24;
const USE_HOURS = [7, 8, 9, 11, 12, 14, 16, 17, 18, 19, 21];

/** Three weeks of routine, then on day 21 the resident collapses at 10:00 (a TV left on or not). */
function run(tvLeftOnW: number): { alerts: number[]; collapseAt: number } {
  const collapseAt = DAY0 + 21 * DAY + 10 * HOUR;
  const state = new HouseholdState(FLAT_PRIOR, DEFAULT_PARAMS);
  const alerts: number[] = [];
  let kwh = 2_000;
  let litres = 30_000;
  for (let t = DAY0 + STEP; t <= collapseAt + 12 * HOUR; t += STEP) {
    const mid = t - STEP / 2;
    const h = localHour(mid);
    const up = mid < collapseAt && h >= 6.5 && h < 22;
    // 40 W standby, the fridge's 150 W compressor on every other quarter hour, day and night.
    let w = 40 + (Math.floor((t - DAY0) / STEP) % 2 === 0 ? 150 : 0);
    if (up) w += [7, 12, 18].includes(Math.floor(h)) ? 600 : 80 + (Math.floor(h) % 3) * 40;
    else if (mid >= collapseAt) w += tvLeftOnW;
    kwh += (w * STEP) / HOUR / 1000;
    state.addElectricity(t, Number(kwh.toFixed(4)));
    if ((t - DAY0) % HOUR === 0) {
      if (mid < collapseAt && USE_HOURS.includes(Math.floor(localHour(t - HOUR / 2)))) litres += 6;
      for (const a of state.add(t, litres)) if (a.kind === 'elderly_inactivity') alerts.push(a.t);
    }
  }
  return { alerts, collapseAt };
}

describe('elderly-inactivity: a fridge cycling is not a sign of life', () => {
  it.each([
    ['nothing left on', 0],
    ['the TV left on', 120],
  ])('alerts within 6 h of a collapse with %s, and never before it', (_label, tvW) => {
    const { alerts, collapseAt } = run(tvW);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0]!).toBeGreaterThan(collapseAt);
    expect(alerts[0]! - collapseAt).toBeLessThanOrEqual(6 * HOUR);
  });
});
