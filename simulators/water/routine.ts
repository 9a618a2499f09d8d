/**
 * A household's water use, one day at a time, as discrete draw-offs (FIELD-NOTES §2.4 event
 * library [M]): toilet flushes 4–9 L with a 30–90 s refill, 4–8 a day and 0–3 at night for
 * older people; hand/face washes 0.5–3 L; kettle 1–3 L a day; cooking and dishes 5–20 L a meal;
 * showers 30–60 L over 5–15 min every 1–3 days (more in summer); washing machine 40–80 L in 2–4
 * fills every 2–5 days; hand laundry 10–30 L. Daily clock: wake 05:30–07:30, sleep 21:00–23:00
 * for elderly people, outings of 1–4 h. A single elderly person lands at 40–150 L/day, median
 * about 80 L (FIELD-NOTES §2.4 assumption, consistent with Crouch et al. 2021 and Fan et al. 2013).
 *
 * Toilet visits follow the bladder, not a lottery: it fills at a roughly steady rate while awake,
 * so voids come quasi-periodically — 4–8 times a day including the night (FIELD-NOTES §2.4 event
 * library), which by day is every 2½–5 h [M] — with the interval varying from void to void (fluid
 * intake, tea after meals: coefficient of variation 0.35 [M]). Drawing the day's flushes
 * uniformly between waking and sleep instead makes exponential-looking gaps and 6–12 h dry
 * afternoons at home that a real bladder does not allow. On top of the waking void people void
 * before bed [M], before going out and again on coming home, and wash their hands on coming in
 * [M]: an outing of 1–4 h is a dry spell bracketed by water use, and a void due while out
 * happens elsewhere (the schedule restarts from the return visit). A meal due while out is cooked
 * on coming home unless eaten out (30 %) [M].
 *
 * Pure: the same profile, day and seed give the same events. Each day draws from its own forked
 * stream, so any day can be generated on its own, in any order.
 */
import type { Household } from '../../gateway/src/contracts/site.ts';
import type { Rng } from '../core/rng.ts';
import { HOUR_MS, localDayOfYear, localWeekday } from '../core/time.ts';

export type UsageKind =
  'flush' | 'hand_wash' | 'kettle' | 'cooking' | 'shower' | 'washing_machine' | 'hand_laundry' | 'cleaning';

export interface UsageEvent {
  /** Epoch ms. */
  start: number;
  durationS: number;
  litres: number;
  kind: UsageKind;
}

export interface Person {
  elderly: boolean;
  /** Out at work or school on weekdays (about 07:30–18:00). */
  working: boolean;
  /** Local hour of waking / going to sleep. */
  wakeH: number;
  sleepH: number;
  /** Litres per flush (the toilet's cistern), 4–9 L. */
  flushL: number;
  flushesPerDay: number;
  /** Mean night-time flushes (nocturia): 0–3 a night for older adults. */
  nightFlushes: number;
  showerEveryDays: number;
}

export interface HouseholdProfile {
  householdId: string;
  people: Person[];
  /** Washing machine every N days (0 = washes by hand). */
  laundryEveryDays: number;
  /** Probability of an outing (1–4 h) on a given day, elderly people. */
  outingProbability: number;
  /** Cooking volume per meal, litres, before scaling by household size. */
  mealL: number;
}

/** Draws a household's habits once (each household is its own person). */
export function householdProfile(
  h: Pick<Household, 'id' | 'residents' | 'elderly' | 'livesAlone'>,
  rng: Rng,
): HouseholdProfile {
  const people: Person[] = [];
  const n = Math.max(1, h.residents);
  // Who lives there: alone → one elder; an elderly couple; or younger adults with an elder or two.
  const elders = h.livesAlone ? 1 : h.elderly ? (n <= 2 ? n : rng.int(1, 2)) : 0;
  for (let i = 0; i < n; i++) {
    const elderly = i < elders;
    people.push({
      elderly,
      working: !elderly,
      wakeH: elderly ? rng.uniform(5.5, 7.5) : rng.uniform(6.3, 7.5),
      sleepH: elderly ? rng.uniform(21, 23) : rng.uniform(22.5, 24),
      flushL: elderly ? rng.uniform(4, 7.5) : rng.uniform(4, 9),
      // Daytime voids including the waking and bedtime ones (FIELD-NOTES §2.4: 4–8 a day with the night).
      flushesPerDay: rng.uniform(4.5, 6.5),
      nightFlushes: elderly ? rng.uniform(0.3, 1.5) : rng.uniform(0, 0.5),
      showerEveryDays: elderly ? rng.uniform(2, 3.5) : rng.uniform(1, 1.5),
    });
  }
  return {
    householdId: h.id,
    people,
    laundryEveryDays: h.livesAlone ? (rng.chance(0.3) ? 0 : rng.uniform(3, 6)) : rng.uniform(2, 5),
    outingProbability: rng.uniform(0.4, 0.9),
    mealL: h.livesAlone ? rng.uniform(3, 8) : rng.uniform(6, 14),
  };
}

/** Summer peak (mid-July) 1.4×, winter 0.7× for showers and laundry; Shanghai's hot humid summers. */
export function seasonalFactor(dayStartMs: number): number {
  const doy = localDayOfYear(dayStartMs);
  return 1.05 + 0.35 * Math.cos((2 * Math.PI * (doy - 196)) / 365);
}

interface DayContext {
  /** Filled with the elder's outings of the day, [leaves, back] epoch ms (presence signals). */
  outings?: Array<[number, number]>;
  /** Local midnight of the day. */
  dayStartMs: number;
  /** Extra visitors for part of the day (family visit). */
  visit?: { fromH: number; toH: number; people: number };
}

type AddUse = (h: number, durationS: number, litres: number, kind: UsageKind) => void;

interface PersonDay {
  weekend: boolean;
  season: number;
  /** The elders' outings of the day, local hours. */
  awayWindows: ReadonlyArray<[number, number]>;
  isAway: (h: number, p: Person) => boolean;
}

/** One person's own uses of the day: waking, voids around outings and work, night, washing, shower. */
function personUses(p: Person, d: PersonDay, add: AddUse, rng: Rng): void {
  const { weekend, season, awayWindows, isAway } = d;
  const wake = p.wakeH + (weekend && p.working ? rng.uniform(0.5, 1.5) : 0) + rng.normal(0, 0.25);
  const sleep = p.sleepH + rng.normal(0, 0.3);
  // Morning: flush, wash.
  add(wake + rng.uniform(0, 0.2), rng.uniform(30, 90), p.flushL, 'flush');
  add(wake + rng.uniform(0.2, 0.4), rng.uniform(20, 90), rng.uniform(1, 3), 'hand_wash');
  const flush = (h: number, washChance: number): void => {
    add(h, rng.uniform(30, 90), p.flushL, 'flush');
    if (rng.chance(washChance)) add(h + 0.02, rng.uniform(15, 45), rng.uniform(0.5, 1.5), 'hand_wash');
  };
  // Daytime voids, quasi-periodic from the waking one to the bedtime one (header comment).
  const voids = Math.max(3, Math.round(p.flushesPerDay + rng.normal(0, 0.7)));
  const meanGapH = (sleep - wake) / (voids - 1);
  const outings = p.elderly ? awayWindows : [];
  let last = wake;
  for (;;) {
    const due = last + meanGapH * Math.min(2, Math.max(0.4, 1 + 0.35 * rng.normal()));
    const out = outings.find(([from]) => from > last && from < due);
    if (out) {
      // Void before leaving unless just been; on return wash hands and, usually, void.
      const leave = out[0] - rng.uniform(0.05, 0.3);
      if (leave > last + 0.5) flush(leave, 0.8);
      const back = out[1] + rng.uniform(0.02, 0.15);
      add(back, rng.uniform(15, 45), rng.uniform(0.5, 1.5), 'hand_wash');
      last = back + rng.uniform(0, 0.4);
      if (rng.chance(0.85)) flush(last, 0.3);
      continue;
    }
    if (due >= sleep - 0.5) break;
    last = due;
    // Out at work: that void happens there.
    if (!isAway(due, p)) flush(due, 0.8);
  }
  flush(sleep - rng.uniform(0.3, 0.7), 0);
  // Night: nocturia flushes between sleep and next wake (counted on this day, after sleep).
  const nights = rng.poisson(p.nightFlushes);
  for (let i = 0; i < nights; i++)
    add(rng.uniform(sleep + 1, 24 + p.wakeH - 0.5), rng.uniform(30, 90), p.flushL, 'flush');
  // Evening wash before bed.
  add(sleep - rng.uniform(0.2, 0.6), rng.uniform(30, 120), rng.uniform(1, 3), 'hand_wash');
  // Shower, evening mostly; more often in summer.
  if (rng.chance(Math.min(1, season / p.showerEveryDays))) {
    const h = rng.chance(0.75) ? rng.uniform(19, Math.max(19.5, sleep - 0.5)) : wake + rng.uniform(0.3, 1);
    add(h, rng.uniform(5, 15) * 60, rng.uniform(30, 60) * (p.elderly ? 0.75 : 1), 'shower');
  }
}

/** One day's draw-offs for the household, sorted by start time. */
export function dayEvents(profile: HouseholdProfile, ctx: DayContext, rng: Rng): UsageEvent[] {
  const day = ctx.dayStartMs;
  const weekday = localWeekday(day);
  const weekend = weekday === 0 || weekday === 6;
  const season = seasonalFactor(day);
  const events: UsageEvent[] = [];
  const at = (h: number): number => day + h * HOUR_MS;
  const add = (h: number, durationS: number, litres: number, kind: UsageKind): void => {
    if (litres > 0) events.push({ start: Math.round(at(h)), durationS, litres, kind });
  };
  const awayWindows: Array<[number, number]> = [];
  const isAway = (h: number, p: Person): boolean =>
    (p.working && !weekend && h > 7.6 && h < 17.8) ||
    (p.elderly && awayWindows.some(([a, b]) => h >= a && h < b));

  const elderly = profile.people.filter((p) => p.elderly);
  if (elderly.length && rng.chance(profile.outingProbability)) {
    // Market in the morning or a walk in the afternoon, 1–4 h (FIELD-NOTES §2.4 daily clock).
    const from = rng.chance(0.6) ? rng.uniform(8, 10) : rng.uniform(14, 16);
    const to = from + rng.uniform(1, 4);
    awayWindows.push([from, to]);
    ctx.outings?.push([at(from), at(to)]);
  }

  for (const p of profile.people) personUses(p, { weekend, season, awayWindows, isAway }, add, rng);

  // Meals are cooked once for whoever is home (5–20 L each, FIELD-NOTES §2.4).
  const first = profile.people[0]!;
  const home = (h: number): number =>
    profile.people.filter((p) => !isAway(h, p)).length + (visitAt(ctx, h) ?? 0);
  const meal = (due: number): void => {
    let h = due;
    if (home(h) === 0) {
      // A meal due while the elder is out (the morning market) is cooked on coming home, unless
      // eaten out (30 %) [M].
      const out = awayWindows.find(([from, to]) => h >= from && h < to);
      if (!out || !rng.chance(0.7)) return;
      h = out[1] + rng.uniform(0.1, 0.5);
    }
    const n = home(h);
    if (n === 0) return;
    const litres = profile.mealL * (1 + 0.35 * (n - 1)) * rng.uniform(0.7, 1.3);
    // Cooking and washing up come in a few bursts over 15–30 min.
    const bursts = rng.int(2, 4);
    for (let b = 0; b < bursts; b++)
      add(h + b * rng.uniform(0.1, 0.2), rng.uniform(40, 180), litres / bursts, 'cooking');
  };
  meal(first.wakeH + rng.uniform(0.4, 1));
  meal(rng.uniform(11, 12.5));
  meal(rng.uniform(17, 19));
  if (elderly.length) add(first.wakeH + rng.uniform(0.3, 0.8), 20, rng.uniform(1, 3), 'kettle');

  // Laundry: a machine in 2–4 fills, or by hand.
  if (profile.laundryEveryDays > 0) {
    const every = profile.laundryEveryDays / Math.max(0.8, season * (profile.people.length > 2 ? 1.5 : 1));
    if (rng.chance(Math.min(1, 1 / every))) {
      const h = weekend ? rng.uniform(9, 11) : rng.uniform(8, 10);
      const total = rng.uniform(40, 80);
      const fills = rng.int(2, 4);
      for (let f = 0; f < fills; f++)
        add(h + f * rng.uniform(0.2, 0.35), rng.uniform(180, 300), total / fills, 'washing_machine');
    }
  } else if (rng.chance(0.35 * season)) {
    add(rng.uniform(8, 10.5), rng.uniform(300, 900), rng.uniform(10, 30), 'hand_laundry');
  }

  // A visit: visitors flush and wash too.
  if (ctx.visit) {
    const extra = ctx.visit.people * rng.int(1, 3);
    for (let i = 0; i < extra; i++)
      add(rng.uniform(ctx.visit.fromH, ctx.visit.toH), rng.uniform(30, 90), first.flushL, 'flush');
    if (rng.chance(0.3))
      add(rng.uniform(ctx.visit.fromH, ctx.visit.toH), 1200, rng.uniform(20, 40), 'cleaning');
  }
  return events.sort((a, b) => a.start - b.start);
}

function visitAt(ctx: DayContext, h: number): number | null {
  return ctx.visit && h >= ctx.visit.fromH && h < ctx.visit.toH ? ctx.visit.people : null;
}

/** Litres drawn in [from, to) by a list of events (each spread evenly over its duration). */
export function litresBetween(events: readonly UsageEvent[], from: number, to: number): number {
  let total = 0;
  for (const e of events) {
    const end = e.start + e.durationS * 1000;
    if (end <= from || e.start >= to) continue;
    const overlap = Math.min(end, to) - Math.max(e.start, from);
    total += (e.litres * overlap) / (e.durationS * 1000);
  }
  return total;
}
