/**
 * Presence signals of a household watched for inactivity (issue 13): its smart electricity
 * meter's register and its entrance door contact, made from the same ground truth as its water —
 * hours with water use (the resident is up), outings and absences (the home is empty: standby
 * load only, the door opened on leaving and coming back), and an inactivity incident: a collapse
 * switches nothing, so whatever was on (a TV, a light) stays on and a home with nothing on stays
 * at standby. Ranges: docs/sources.md §2
 * ("Presence"); every one is [M] or ours.
 */
import type { Rng } from '../core/rng.ts';

const HOUR = 3_600_000;
const LOCAL_OFFSET = 8 * HOUR;

export interface PresenceRanges {
  /** Electricity meter cadence, minutes (one per household). */
  cadencesMin: readonly number[];
  /** Share of electricity reports lost, drawn per household from [min, max]. */
  lostRate: readonly [number, number];
  /** Standby load (fridge, chargers, router), W. */
  standbyW: readonly [number, number];
  /** Load while up and at home (TV, lights, fan), W above standby. */
  awakeW: readonly [number, number];
  /** Share of the resident's waking hours at home with something on (TV, lights), per household. */
  onShare: readonly [number, number];
  /** Visitors a day (each opens the door twice), and the door contact's lost messages. */
  visitorsPerDay: readonly [number, number];
  doorLostRate: number;
}

export const PRESENCE_RANGES: PresenceRanges = {
  cadencesMin: [15, 30, 60],
  lostRate: [0, 0.05],
  standbyW: [30, 80],
  awakeW: [30, 200],
  onShare: [0.4, 0.95],
  visitorsPerDay: [0, 0.5],
  doorLostRate: 0.01,
};

export interface PresenceInput {
  startMs: number;
  endMs: number;
  /** Event times (ms) of hours in which the resident used water. */
  activeHours: ReadonlySet<number>;
  /** The home is empty: outings and absences, [from, to] epoch ms. */
  away: ReadonlyArray<readonly [number, number]>;
  incidentAt: number | null;
}

export interface PresenceSignals {
  electricity: Array<{ ts: number; kwh: number; arrivedAt: number }>;
  doorOpenings: Array<{ ts: number; arrivedAt: number }>;
}

export function presenceSignals(input: PresenceInput, ranges: PresenceRanges, rng: Rng): PresenceSignals {
  const cadence = rng.pick([...ranges.cadencesMin]) * 60_000;
  const lost = rng.uniform(...ranges.lostRate);
  const standby = rng.uniform(...ranges.standbyW);
  const onShare = rng.uniform(...ranges.onShare);
  const awayAt = (t: number): boolean => input.away.some(([a, b]) => t >= a && t < b);
  const hourOf = (t: number): number => Math.floor(t / HOUR) * HOUR;
  const localHour = (t: number): number => new Date(t + LOCAL_OFFSET).getUTCHours();
  /** Up: water used this hour or within the two hours around it, by day; asleep otherwise. */
  const upAt = (t: number): boolean => {
    const h = hourOf(t);
    const near = [h - HOUR, h, h + HOUR].some((x) => input.activeHours.has(x));
    const day = localHour(t) >= 7 && localHour(t) < 21;
    return near || (day && [h - 2 * HOUR, h + 2 * HOUR].some((x) => input.activeHours.has(x)));
  };
  const electricity: PresenceSignals['electricity'] = [];
  let kwh = rng.uniform(1_000, 20_000);
  /** What was on when the resident collapsed: it stays on. */
  let onAtCollapse: number | null = null;
  let on = 0;
  for (let t = Math.ceil(input.startMs / cadence) * cadence; t < input.endMs; t += cadence) {
    const mid = t - cadence / 2;
    let w = standby + rng.normal(0, 8);
    if (input.incidentAt !== null && mid >= input.incidentAt) w += onAtCollapse ??= on;
    else if (!awayAt(mid) && upAt(mid)) {
      // What is on changes through the day; cooking and the kettle lift an interval.
      if (rng.chance(0.3)) {
        on = rng.chance(onShare) ? rng.uniform(...ranges.awakeW) : 0;
      }
      w += on + (input.activeHours.has(hourOf(mid)) && rng.chance(0.3) ? rng.uniform(200, 800) : 0);
    } else on = 0;
    kwh += (Math.max(0, w) * cadence) / HOUR / 1000;
    if (!rng.chance(lost))
      electricity.push({ ts: t, kwh: Number(kwh.toFixed(3)), arrivedAt: t + rng.uniform(5, 600) * 1000 });
  }
  const doorOpenings: PresenceSignals['doorOpenings'] = [];
  const open = (t: number): void => {
    if (t >= input.startMs && t < input.endMs && !rng.chance(ranges.doorLostRate))
      doorOpenings.push({ ts: Math.round(t), arrivedAt: Math.round(t + rng.uniform(1, 30) * 1000) });
  };
  for (const [from, to] of input.away) {
    open(from);
    open(to);
  }
  const visitorsPerDay = rng.uniform(...ranges.visitorsPerDay);
  for (let day = input.startMs; day < input.endMs; day += 24 * HOUR) {
    const visits = rng.poisson(visitorsPerDay);
    for (let i = 0; i < visits; i++) {
      const at = day + rng.uniform(9, 19) * HOUR;
      if (awayAt(at) || (input.incidentAt !== null && at >= input.incidentAt)) continue;
      open(at);
      open(at + rng.uniform(2, 60) * 60_000);
    }
  }
  doorOpenings.sort((a, b) => a.ts - b.ts);
  return { electricity, doorOpenings };
}
