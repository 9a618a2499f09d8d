/** Hours since last water use and the usual pattern, from a meter's cumulative register. */
import { describe, expect, it } from 'vitest';
import { waterPattern, type MeterPoint } from '../../../dashboards/src/lib/water-pattern.ts';

const TZ = 'Asia/Shanghai';
const HOUR = 3_600_000;
/** 2026-11-20 00:00 in Shanghai. */
const DAY0 = Date.parse('2026-11-20T00:00:00+08:00');

/** Hourly readings over `days` days; water used (in litres) at the given local hours each day. */
function hourly(days: number, useAt: Record<number, number>, stopAfterMs = Infinity): MeterPoint[] {
  const points: MeterPoint[] = [];
  let total = 100;
  for (let t = DAY0; t < DAY0 + days * 24 * HOUR; t += HOUR) {
    const hour = new Date(t + 8 * HOUR).getUTCHours();
    if (t - DAY0 < stopAfterMs) total += (useAt[hour] ?? 0) / 1000;
    points.push({ ts: t, totalM3: Math.round(total * 1000) / 1000 });
  }
  return points;
}

describe('waterPattern', () => {
  it('reads the usual day (litres, first use hour) from complete days only', () => {
    const points = hourly(5, { 7: 30, 12: 40, 19: 50 });
    const p = waterPattern(points, DAY0 + 4 * 24 * HOUR + 20 * HOUR, TZ);
    expect(p.usualDailyL).toBe(120);
    expect(p.usualFirstHour).toBe(7);
    // Last use: the reading stamped 19:00 on day 5, one hour before "now".
    expect(p.hoursSinceLastUse).toBe(1);
  });

  it('counts the silence of a resident who stopped using water', () => {
    const stop = 3 * 24 * HOUR + 8 * HOUR; // after 08:00 on the fourth day
    const points = hourly(5, { 7: 30, 19: 50 }, stop);
    const now = DAY0 + 4 * 24 * HOUR + 20 * HOUR;
    const p = waterPattern(points, now, TZ);
    expect(p.lastUseAt).toBe(DAY0 + 3 * 24 * HOUR + 7 * HOUR);
    expect(p.hoursSinceLastUse).toBe(37);
    expect(p.usualDailyL).toBe(80);
  });

  it('ignores register noise below one litre and says so when nothing was used', () => {
    const points = [0, 1, 2, 3].map((i) => ({ ts: DAY0 + i * HOUR, totalM3: 100 + i * 0.0004 }));
    const p = waterPattern(points, DAY0 + 4 * HOUR, TZ);
    expect(p).toEqual({ hoursSinceLastUse: null, lastUseAt: null, usualDailyL: null, usualFirstHour: null });
  });

  it('does not care about the order readings arrive in (NB-IoT batches are late and shuffled)', () => {
    const points = hourly(3, { 6: 10, 18: 10 });
    const now = DAY0 + 3 * 24 * HOUR;
    expect(waterPattern([...points].reverse(), now, TZ)).toEqual(waterPattern(points, now, TZ));
  });
});
