/**
 * The false-alert budget for households with presence signals (issue 13): a household's limit is
 * shifted by the shift calibrated for the signals it reports (door, electricity, both), which the
 * site's budget picks from the model version; a household with water alone keeps its own shift.
 */
import { describe, expect, it } from 'vitest';
import { HouseholdState } from '../../../models/elderly-inactivity/household.ts';
import { DEFAULT_PARAMS, type InactivityParams } from '../../../models/elderly-inactivity/params.ts';
import { paramsFrom } from '../../../models/elderly-inactivity/predict.ts';
import type { ModelMeta } from '../../../models/lib/model-store.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// 2026-11-02 00:00 Asia/Shanghai, a Monday.
const DAY0 = Date.UTC(2026, 10, 1, 16);
const FLAT_PRIOR = new Array<number>(48).fill(0.3);
const localHour = (t: number): number => new Date(t + 8 * HOUR).getUTCHours();

/** Three weeks of a resident using water every waking hour but 13–16 h (a quiet afternoon at home). */
function feed(state: HouseholdState, signals: { door: boolean; electricity: boolean }, days = 21): void {
  let litres = 50_000;
  let kwh = 1_000;
  for (let t = DAY0; t <= DAY0 + days * DAY; t += HOUR) {
    const hour = localHour(t - HOUR);
    if (hour >= 7 && hour <= 21 && (hour < 13 || hour > 16)) litres += 6;
    state.add(t, litres);
    if (signals.electricity) {
      // 40 W standby by night, 200 W awake: the load changes at waking and at bedtime.
      kwh += hour >= 7 && hour <= 21 ? 0.2 : 0.04;
      state.addElectricity(t, kwh);
    }
    // Out for the paper and back at 07:30 every day.
    if (signals.door && hour === 7) for (const m of [5, 25]) state.addDoor(t - HOUR + m * 60_000, 1);
  }
}

describe('elderly-inactivity limit shift by presence signals', () => {
  const params: InactivityParams = {
    ...DEFAULT_PARAMS,
    limitShiftH: 0.5,
    doorShiftH: -0.5,
    electricityShiftH: -1,
    bothShiftH: -1.5,
  };
  const afternoon = DAY0 + 21 * DAY + 13 * HOUR; // day 21, 13:00 local

  it('shifts the household limit by the shift of the signals it reports', () => {
    const limit = (door: boolean, electricity: boolean): number => {
      const state = new HouseholdState(FLAT_PRIOR, params);
      feed(state, { door, electricity });
      return state.silenceLimitH(afternoon)!;
    };
    const water = limit(false, false);
    expect(water).toBeGreaterThan(params.minSilenceH + 2);
    expect(limit(true, false)).toBeCloseTo(water - 1, 9);
    expect(limit(false, true)).toBeCloseTo(water - 1.5, 9);
    expect(limit(true, true)).toBeCloseTo(water - 2, 9);
  });

  it('takes the shifts calibrated for the largest budget within the site budget', () => {
    const meta = {
      params: {
        'budgetShiftH:0.01': 0.5,
        'budgetShiftH:0.05': -0.5,
        'presenceShiftH:both:0.01': -1,
        'presenceShiftH:both:0.05': -2,
        'presenceShiftH:door:0.01': 0,
        'presenceShiftH:electricity:0.02': -1.5,
      },
    } as unknown as ModelMeta;
    expect(paramsFrom(meta, 0.01)).toMatchObject({
      limitShiftH: 0.5,
      bothShiftH: -1,
      doorShiftH: 0,
      electricityShiftH: 0,
    });
    expect(paramsFrom(meta, 0.02)).toMatchObject({
      limitShiftH: 0.5,
      bothShiftH: -1,
      electricityShiftH: -1.5,
    });
    expect(paramsFrom(meta, 0.05)).toMatchObject({
      limitShiftH: -0.5,
      bothShiftH: -2,
      electricityShiftH: -1.5,
    });
  });
});
