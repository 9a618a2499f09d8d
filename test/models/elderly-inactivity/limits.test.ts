/**
 * The silence-limit table (chosen in training from other households' quiet spells) and the cap on
 * the household's record of quiet spells: a spell as long as an absence nobody announced never
 * becomes this resident's "normal" and never switches the household's own limit off.
 */
import { describe, expect, it } from 'vitest';
import { HouseholdState, type InactivityAlert } from '../../../models/elderly-inactivity/household.ts';
import {
  DEFAULT_PARAMS,
  LIMIT_TABLE_M,
  type InactivityParams,
} from '../../../models/elderly-inactivity/params.ts';
import {
  buildLimitTable,
  type LimitTableOptions,
  type Spell,
} from '../../../models/elderly-inactivity/limits.ts';
import { paramsFrom, storedParams } from '../../../models/elderly-inactivity/predict.ts';
import type { ModelMeta } from '../../../models/lib/model-store.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// 2026-11-02 00:00 Asia/Shanghai, a Monday.
const DAY0 = Date.UTC(2026, 10, 1, 16);
const FLAT_PRIOR = new Array<number>(48).fill(0.3);
/** Water in these local hours: a two-hour quiet spell from 09:00 and from 14:00 every day. */
const ACTIVE_HOURS = new Set([7, 8, 11, 12, 13, 16, 17, 18, 19, 20, 21]);
/** The household's own record rules (no rhythm, no morning rule, no population floor). */
const RECORD_ONLY: InactivityParams = {
  ...DEFAULT_PARAMS,
  minGaps: 8,
  gapWindowH: 1,
  gapFactor: 1,
  gapMarginH: 1.5,
  minLimitH: 2,
  rhythmWithRecord: 0,
  silenceProbability: 1e-30,
};

/** Hourly registers over `days` days; no water at all inside `dry` spans (the resident away or stopped). */
function readings(days: number, dry: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let litres = 50_000;
  for (let t = DAY0 + HOUR; t <= DAY0 + days * DAY; t += HOUR) {
    const hourStart = t - HOUR;
    const local = new Date(hourStart + 8 * HOUR).getUTCHours();
    if (ACTIVE_HOURS.has(local) && !dry.some(([a, b]) => hourStart >= a && hourStart < b)) litres += 6;
    out.push([t, litres]);
  }
  return out;
}

const inactivity = (state: HouseholdState, points: Array<[number, number]>): InactivityAlert[] =>
  points.flatMap(([t, l]) => state.add(t, l)).filter((a) => a.kind === 'elderly_inactivity');

describe('elderly-inactivity record cap', () => {
  // Away three days from day 1, 09:00 — before the record rules, so nothing alerted and the
  // spell was learned — and nobody told the grid worker; the resident stops on day 22.
  const away: [number, number] = [DAY0 + 1 * DAY + 9 * HOUR, DAY0 + 4 * DAY + 9 * HOUR];
  const stopAt = DAY0 + 22 * DAY + 9 * HOUR;
  const points = readings(23, [away, [stopAt, Number.POSITIVE_INFINITY]]);

  it('keeps an unannounced absence out of the record, so the usual limit still holds', () => {
    const alerts = inactivity(new HouseholdState(FLAT_PRIOR, RECORD_ONLY), points);
    const incident = alerts.filter((a) => a.t > stopAt);
    expect(incident).toHaveLength(1);
    // The record at 09:00 is two-hour spells: 2 h + 1.5 h, so the alert comes 4 h in.
    expect((incident[0]!.t - stopAt) / HOUR).toBe(4);
  });

  it('without the cap, the absence becomes the longest spell and the limit is days', () => {
    const uncapped = new HouseholdState(FLAT_PRIOR, { ...RECORD_ONLY, maxSpellH: 1_000_000 });
    const alerts = inactivity(uncapped, points);
    expect(alerts.filter((a) => a.t > stopAt && a.t <= stopAt + 12 * HOUR)).toHaveLength(0);
    expect(uncapped.silenceLimitH(stopAt)!).toBeGreaterThan(48);
  });
});

describe('elderly-inactivity limit table', () => {
  const table = (cells: Record<string, number>): number[] => {
    const t = new Array<number>(24 * LIMIT_TABLE_M).fill(0);
    for (const [key, limit] of Object.entries(cells)) {
      const [h, m] = key.split('/').map(Number) as [number, number];
      t[h * LIMIT_TABLE_M + m] = limit;
    }
    return t;
  };
  const stopAt = DAY0 + 20 * DAY + 9 * HOUR;
  const points = readings(21, [[stopAt, Number.POSITIVE_INFINITY]]);

  it('takes the limit for this start hour and longest spell from the table', () => {
    const state = new HouseholdState(FLAT_PRIOR, { ...RECORD_ONLY, limitTable: table({ '9/2': 3 }) });
    const alerts = inactivity(state, points);
    expect(alerts).toHaveLength(1);
    expect(state.silenceLimitH(stopAt)).toBe(3);
    expect((alerts[0]!.t - stopAt) / HOUR).toBe(3);
  });

  it('keeps the stretched longest spell where the table sets nothing', () => {
    const state = new HouseholdState(FLAT_PRIOR, { ...RECORD_ONLY, limitTable: table({ '14/2': 3 }) });
    const alerts = inactivity(state, points);
    expect(state.silenceLimitH(stopAt)).toBe(3.5);
    expect((alerts[0]!.t - stopAt) / HOUR).toBe(4);
  });

  it('is stored in meta.json as numbers and read back; older versions have none', () => {
    const stored = storedParams({ ...RECORD_ONLY, limitTable: table({ '9/2': 3, '14/4': 5 }) });
    expect(stored.limitH9m2).toBe(3);
    expect(stored.limitH14m4).toBe(5);
    expect(Object.values(stored).every((v) => typeof v === 'number')).toBe(true);
    const meta = (params: Record<string, number>): ModelMeta => ({ params }) as unknown as ModelMeta;
    expect(paramsFrom(meta(stored)).limitTable).toEqual(table({ '9/2': 3, '14/4': 5 }));
    expect(paramsFrom(meta(storedParams(RECORD_ONLY))).limitTable).toBeUndefined();
    // Versions without the record cap (up to @6) run as they were measured: no cap.
    const { maxSpellH, ...legacy } = storedParams(RECORD_ONLY);
    expect(maxSpellH).toBe(16);
    expect(paramsFrom(meta(legacy)).maxSpellH).toBeGreaterThan(1e6);
  });
});

describe('elderly-inactivity limit table training', () => {
  const options: LimitTableOptions = {
    fromHour: 6,
    toHour: 20,
    windowH: 0,
    minGaps: 3,
    maxSpellH: 16,
    minLimitH: 2,
    startMarginH: 6,
    minSpells: 40,
    sparseMarginH: 2,
  };
  /** Daily spells from 08:00 (local) of the given lengths, one a day, cycling. */
  const household = (lengths: number[], days = 28): Spell[] =>
    Array.from({ length: days }, (_, d) => ({
      start: DAY0 + d * DAY + 8 * HOUR,
      hours: lengths[d % lengths.length]!,
    }));
  const cell = (t: number[], h: number, m: number): number => t[h * LIMIT_TABLE_M + m]!;

  it('lowers a cell to just above spells that never overrun their record, at no false alert', () => {
    // Every household's 08:00 spells are 2–4 h: once 4 h is on record, 5 h never comes.
    const households = Array.from({ length: 10 }, () => household([2, 3, 4, 3]));
    const t = buildLimitTable(households, 0, options, 480);
    expect(cell(t, 0, 4)).toBe(0); // hours outside fromHour–toHour are left to the other rule
    expect(cell(t, 8, 4)).toBe(5);
  });

  it('holds a cell up where spells overrun the record, and spends a budget where it buys most', () => {
    // Spells of 2–3 h until, one day (a different one in each household), a 6-hour one: lowering
    // the limit of a 3-hour record below 7 h costs alerts.
    const households = Array.from({ length: 20 }, (_, k) =>
      household([...Array.from({ length: k + 3 }, (_, d) => 2 + (d % 2)), 6, 3]),
    );
    const strict = buildLimitTable(households, 0, options, 480);
    expect(cell(strict, 8, 3)).toBe(7);
    const loose = buildLimitTable(households, 30, options, 480);
    expect(cell(loose, 8, 3)).toBeLessThan(7);
  });

  it('leaves a thinly seen cell at its longest spell plus the sparse margin', () => {
    const t = buildLimitTable([household([2, 3, 4, 3], 8)], 100, options, 480);
    expect(cell(t, 8, 4)).toBe(4 + options.sparseMarginH);
  });
});
