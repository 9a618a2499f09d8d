/**
 * The household rhythm and silence logic on event time: it learns a regular resident, alerts on
 * an improbable silence hours before the 12-hour rule, ignores a leak, a recorded absence and a
 * silent meter, re-arms after a visit, handles late and out-of-order reports, and flags running water.
 */
import { describe, expect, it } from 'vitest';
import { HouseholdState, type InactivityAlert } from '../../../models/elderly-inactivity/household.ts';
import { DEFAULT_PARAMS } from '../../../models/elderly-inactivity/params.ts';

const HOUR = 3_600_000;
// 2026-11-02 00:00 Asia/Shanghai, a Monday.
const DAY0 = Date.UTC(2026, 10, 1, 16);
/** Local hours 7–21 with water (a flush or a wash every hour), nights dry. */
const uses = (hour: number): number => (hour >= 7 && hour <= 21 ? 6 : 0);
const FLAT_PRIOR = new Array<number>(48).fill(0.3);

/** Hourly register readings (litres) for `days` days, with the resident stopping at `stopAt`. */
function readings(
  days: number,
  options: { stopAt?: number; leakLPerH?: number; skip?: (t: number) => boolean } = {},
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let litres = 100_000;
  for (let t = DAY0; t <= DAY0 + days * 24 * HOUR; t += HOUR) {
    const hour = new Date(t + 8 * HOUR).getUTCHours();
    // The use of the hour ending at t.
    if (options.stopAt === undefined || t <= options.stopAt) litres += uses((hour + 23) % 24);
    litres += options.leakLPerH ?? 0;
    if (!options.skip?.(t)) out.push([t, litres]);
  }
  return out;
}

function replay(state: HouseholdState, points: Array<[number, number]>): InactivityAlert[] {
  return points.flatMap(([t, l]) => state.add(t, l));
}

/**
 * The site's meters on a home with a 26.37 L/h leak (a running cistern): the register in whole
 * litres, rounded (canonical `total_m3`) or floored (NB-IoT batches); the resident's 6 L draw at
 * 20 past each hour 07–21 until `stopAt`. Hourly meters report up to ±7 min off the hour and lose
 * one report in 41, and those of the 3 h after `lostFrom` (an hour after the last draw); daily-batch
 * meters freeze each hour's register and upload the day after midnight, the batch of day 19 (the
 * day before the collapse) lost. Points in the order they reach the detector.
 */
function leakingMeter(
  days: number,
  kind: 'hourly' | 'daily_batch',
  stopAt?: number,
  lostFrom = stopAt === undefined ? undefined : stopAt + HOUR,
): Array<[number, number]> {
  const leakLPerH = 26.37;
  const litresAt = (t: number): number => {
    let drawn = 0;
    for (let h = DAY0 + 7 * HOUR + 20 * 60_000; h <= t; h += HOUR) {
      const hour = new Date(h + 8 * HOUR).getUTCHours();
      if (hour >= 7 && hour <= 21 && (stopAt === undefined || h <= stopAt)) drawn += 6;
    }
    return 100_000.4 + (leakLPerH * (t - DAY0)) / HOUR + drawn;
  };
  const out: Array<[number, number]> = [];
  for (let k = 0; k <= days * 24; k++) {
    if (kind === 'hourly') {
      const t = DAY0 + k * HOUR + (((k * 7919) % 840) - 420) * 1000;
      const lost = k % 41 === 17 || (lostFrom !== undefined && t > lostFrom && t < lostFrom + 3 * HOUR);
      if (!lost) out.push([t, Math.round(litresAt(t))]);
    } else if (Math.floor(k / 24) !== 19) out.push([DAY0 + k * HOUR, Math.floor(litresAt(DAY0 + k * HOUR))]);
  }
  return out;
}

describe('elderly-inactivity household state', () => {
  const stopAt = DAY0 + 20 * 24 * HOUR + 9 * HOUR; // day 20, 09:00 local
  const expected = (alerts: InactivityAlert[]) => alerts.filter((a) => a.kind === 'elderly_inactivity');

  it('takes no steady hourly draw for a leak before a whole day is on record (cold start)', () => {
    // From the first reading at 08:00 the resident draws the same 6 L every waking hour: over the
    // first hours that is the lowest rate there is, which must not be taken for a standing flow.
    const state = new HouseholdState(FLAT_PRIOR, DEFAULT_PARAMS);
    const first = DAY0 + 8 * HOUR;
    const alerts = replay(
      state,
      readings(2).filter(([t]) => t >= first),
    );
    expect(alerts).toEqual([]);
    // The same household with a 6 L/h leak on top of it, night and day, still shows its use.
    const leaking = new HouseholdState(FLAT_PRIOR, DEFAULT_PARAMS);
    expect(
      replay(
        leaking,
        readings(2, { leakLPerH: 6 }).filter(([t]) => t >= first),
      ),
    ).toEqual([]);
  });

  it('learns a regular resident and alerts hours before the 12-hour rule, never at night', () => {
    const state = new HouseholdState(FLAT_PRIOR);
    const alerts = expected(replay(state, readings(21, { stopAt })));
    expect(alerts).toHaveLength(1);
    const delayH = (alerts[0]!.t - stopAt) / HOUR;
    expect(delayH).toBeGreaterThan(0);
    expect(delayH).toBeLessThan(6);
    // The learned rhythm: mornings active, small hours quiet.
    expect(state.rhythm()[9]!).toBeGreaterThan(0.8);
    expect(state.rhythm()[3]!).toBeLessThan(0.2);
  });

  it('gives one alert from a meter read every minute, as from hourly reports, and no later', () => {
    const hourly = readings(21, { stopAt });
    const everyMinute: Array<[number, number]> = [];
    for (let k = 1; k < hourly.length; k++) {
      const [t0, l0] = hourly[k - 1]!;
      const [t1, l1] = hourly[k]!;
      // Water comes in draw-offs: the hour's use in one go, ten minutes into the hour.
      for (let t = t0; t < t1; t += 60_000) everyMinute.push([t, t < t0 + 10 * 60_000 ? l0 : l1]);
    }
    const a = expected(replay(new HouseholdState(FLAT_PRIOR), hourly));
    const b = expected(replay(new HouseholdState(FLAT_PRIOR), everyMinute));
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    // Finer readings place the last use inside its hour: the same silence, seen no later.
    expect(b[0]!.silenceFrom).toBeGreaterThan(stopAt - HOUR);
    expect(b[0]!.t).toBeLessThanOrEqual(a[0]!.t);
    expect(a[0]!.t - b[0]!.t).toBeLessThan(2 * HOUR);
  });

  it('sees through a leak: standing flow is not activity', () => {
    const alerts = expected(replay(new HouseholdState(FLAT_PRIOR), readings(21, { stopAt, leakLPerH: 12 })));
    expect(alerts).toHaveLength(1);
    expect((alerts[0]!.t - stopAt) / HOUR).toBeLessThan(6);
  });

  it('sees through a leak on 1 L registers, wandering report times, lost reports and daily batches', () => {
    for (const kind of ['hourly', 'daily_batch'] as const) {
      const alerts = expected(replay(new HouseholdState(FLAT_PRIOR), leakingMeter(21, kind, stopAt)));
      expect(alerts, kind).toHaveLength(1);
      expect((alerts[0]!.t - stopAt) / HOUR, kind).toBeLessThan(6);
      // The same leak with the resident at home raises nothing.
      expect(
        expected(replay(new HouseholdState(FLAT_PRIOR), leakingMeter(21, kind, undefined, stopAt + HOUR))),
        kind,
      ).toEqual([]);
    }
  });

  it('learns the same rhythm and raises the one alert from late, batched, out-of-order reports', () => {
    const points = readings(21, { stopAt });
    const inOrder = new HouseholdState(FLAT_PRIOR);
    expect(expected(replay(inOrder, points))).toHaveLength(1);
    // Each day's readings arrive as one batch a day late, newest first.
    const shuffled: Array<[number, number]> = [];
    for (let i = 0; i < points.length; i += 24) shuffled.push(...points.slice(i, i + 24).reverse());
    const batched = new HouseholdState(FLAT_PRIOR);
    const alerts = expected(replay(batched, shuffled));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.silenceFrom).toBeGreaterThanOrEqual(stopAt);
    batched.rhythm().forEach((p, k) => expect(Math.abs(p - inOrder.rhythm()[k]!)).toBeLessThan(0.06));
  });

  it('holds its alert while the household is recorded as away', () => {
    const state = new HouseholdState(FLAT_PRIOR);
    state.addAbsence(stopAt - HOUR, stopAt + 3 * 24 * HOUR);
    expect(expected(replay(state, readings(21, { stopAt })))).toHaveLength(0);
  });

  it('counts the silence of a resident back from an absence from the return, and alerts', () => {
    const state = new HouseholdState(FLAT_PRIOR);
    const leftAt = DAY0 + 18 * 24 * HOUR + 9 * HOUR;
    const backAt = DAY0 + 20 * 24 * HOUR + 10 * HOUR;
    state.addAbsence(leftAt, backAt);
    // Away from 09:00 on day 18, home at 10:00 on day 20, and no water after coming home.
    const alerts = expected(replay(state, readings(21, { stopAt: leftAt })));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.silenceFrom).toBe(backAt);
    expect((alerts[0]!.t - backAt) / HOUR).toBeLessThan(12);
  });

  it('counts a worker’s visit as a sign of life', () => {
    // A day longer than the other cases, so that the silence after the evening visit can run out.
    const points = readings(22, { stopAt });
    const visitAt = stopAt + 10 * HOUR;
    const without = expected(replay(new HouseholdState(FLAT_PRIOR), points));
    const state = new HouseholdState(FLAT_PRIOR);
    state.addVisit(visitAt);
    const alerts = expected(replay(state, points));
    expect(without).toHaveLength(1);
    expect(without[0]!.t).toBeLessThan(visitAt);
    // Silence is measured from the visit, so the alert comes later than without it.
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.silenceFrom).toBe(visitAt);
    expect(alerts[0]!.t).toBeGreaterThan(visitAt);
  });

  it('takes a meter that stops reporting for a device problem, not for silence', () => {
    const silentFrom = DAY0 + 20 * 24 * HOUR + 8 * HOUR;
    const points = readings(21, { skip: (t) => t > silentFrom && t < silentFrom + 14 * HOUR });
    expect(expected(replay(new HouseholdState(FLAT_PRIOR), points))).toHaveLength(0);
  });

  it('flags water running far beyond the usual within the hour it shows', () => {
    const state = new HouseholdState(FLAT_PRIOR);
    const points = readings(10);
    const tapAt = points.length - 5;
    // 300 L/h from a tap left on, in one hourly report.
    const withTap = points.map(([t, l], i): [number, number] => [t, i >= tapAt ? l + 300 : l]);
    const flows = replay(state, withTap).filter((a) => a.kind === 'continuous_water_flow');
    expect(flows).toHaveLength(1);
    expect(flows[0]!.t).toBe(withTap[tapAt]![0]);
    expect(flows[0]!.flowLPerH).toBeGreaterThan(DEFAULT_PARAMS.flowMinLPerH);
  });

  it('flags a meter continuous-flow alarm once it outlasts the household’s longest normal draw', () => {
    const state = new HouseholdState(FLAT_PRIOR);
    const points = readings(10);
    const flows: InactivityAlert[] = [];
    // Every evening a 12-minute shower: one alarm uplink at 10 min, 360 L/h.
    for (const [t, l] of points) {
      flows.push(...state.add(t, l));
      if (new Date(t + 8 * HOUR).getUTCHours() === 20)
        flows.push(...state.add(t + 20 * 60_000, l + 60, { continuousMin: 10, lPerH: 360 }));
    }
    expect(flows.filter((a) => a.kind === 'continuous_water_flow')).toHaveLength(0);
    // A tap left on: alarms at 10, 20 and 30 min; the 20-minute one is past the usual maximum.
    const t0 = points.at(-1)![0] + 5 * 60_000;
    const l0 = points.at(-1)![1];
    const tap = [10, 20, 30].flatMap((m) =>
      state.add(t0 + m * 60_000, l0 + m * 6, { continuousMin: m, lPerH: 360 }),
    );
    const flagged = tap.filter((a) => a.kind === 'continuous_water_flow');
    expect(flagged).toHaveLength(1);
    expect(flagged[0]!.t).toBe(t0 + 20 * 60_000);
    expect(flagged[0]!.continuousMin).toBe(20);
  });

  it('does not flag a long but slow draw (a bucket filled for cleaning) from the alarm alone', () => {
    const state = new HouseholdState(FLAT_PRIOR);
    const points = readings(3);
    replay(state, points);
    const t0 = points.at(-1)![0];
    const alerts = [10, 20, 30].flatMap((m) =>
      state.add(t0 + m * 60_000, points.at(-1)![1] + m, { continuousMin: m, lPerH: 60 }),
    );
    expect(alerts.filter((a) => a.kind === 'continuous_water_flow')).toHaveLength(0);
  });

  it('judges a night silence against the latest morning this household has started', () => {
    const params = {
      ...DEFAULT_PARAMS,
      wakeMarginH: 1,
      minWakes: 5,
      minGaps: 1_000_000,
      silenceProbability: 1e-12,
    };
    const state = new HouseholdState(FLAT_PRIOR, params);
    // Water 07–21 every day: the night silence runs 22:00 → 07:00 (first use in the 07–08 hour).
    const stopNight = DAY0 + 20 * 24 * HOUR + 22 * HOUR; // day 20, 22:00 local
    const alerts = expected(replay(state, readings(22, { stopAt: stopNight })));
    expect(alerts).toHaveLength(1);
    // Latest recorded first use: the 07:00–08:00 hour ends the silence at 07:00; + 1 h margin.
    const alertLocalH = new Date(alerts[0]!.t + 8 * HOUR).getUTCHours();
    expect(alertLocalH).toBe(8);
    expect(alerts[0]!.t - stopNight).toBeLessThan(11 * HOUR);
  });

  it('never lets its own short record of quiet spells undercut the population floor for that hour', () => {
    // A resident with water every hour 07–21 has no daytime quiet spells on record; with the
    // household record ruling (minGaps 0, rhythm off) only the floor holds the limit up.
    const params = { ...DEFAULT_PARAMS, minGaps: 0, rhythmWithRecord: 0, minLimitH: 2 };
    const floors = Array.from({ length: 24 }, (_, h) => (h >= 8 && h <= 16 ? 5.5 : 2.5));
    const withFloor = new HouseholdState(FLAT_PRIOR, params, floors);
    const without = new HouseholdState(FLAT_PRIOR, params);
    const points = readings(21, { stopAt });
    replay(withFloor, points);
    replay(without, points);
    // Silence starting 10:00 local on day 20.
    const from = stopAt + HOUR;
    expect(withFloor.silenceLimitH(from)).toBeCloseTo(5.5);
    expect(without.silenceLimitH(from)!).toBeLessThan(5.5);
  });
});
