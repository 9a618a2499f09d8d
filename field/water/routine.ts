/**
 * One elderly person living alone, day by day: when they are away (outings, nights away,
 * hospital stays) and each water use at home (the event library of README.md), until a
 * collapse, after which no water is used.
 */
import type { Rng } from '../rng.ts';
import type { AbsenceTruth } from '../scene.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from '../time.ts';

export type UseKind = 'flush' | 'wash' | 'kettle' | 'meal' | 'shower' | 'washer' | 'laundry';

export interface WaterUse {
  ts: number;
  litres: number;
  durationMs: number;
  /** What the water was for: the electricity scene switches the matching appliance on. */
  what: UseKind;
}

/** One day's clock: when the person got up and went to bed (epoch ms). */
export interface DayClock {
  wake: number;
  sleep: number;
}

export interface DailyLife {
  uses: WaterUse[];
  /** From the day before the scene to the day after it. */
  days: DayClock[];
}

export interface Absence {
  ts: number;
  endTs: number;
  cause: AbsenceTruth['cause'];
}

export interface Persona {
  wakeH: number;
  sleepH: number;
  flushL: number;
  nocturiaPerNight: number;
  showerEveryDays: number;
  washerEveryDays: number;
  /** Share of days with a 2–6 h outing (up to half of the days). */
  longOutingShare: number;
  /** Share of days with a 1–2 h errand. */
  errandShare: number;
  /** Unannounced nights away (family, friends) per day at home. */
  nightAwayPerDay: number;
  hospitalPerDay: number;
  /** Scales cooking, washing and showers: 40–150 L a day in all. */
  volumeScale: number;
}

export function drawPersona(rng: Rng): Persona {
  return {
    wakeH: rng.uniform(5.5, 7.5),
    sleepH: rng.uniform(21, 23),
    flushL: rng.uniform(4, 9),
    nocturiaPerNight: rng.uniform(0, 3),
    showerEveryDays: rng.uniform(1, 3),
    washerEveryDays: rng.uniform(2, 5),
    longOutingShare: rng.uniform(0, 0.5),
    errandShare: rng.uniform(0.2, 0.8),
    nightAwayPerDay: rng.logUniform(0.003, 0.03),
    hospitalPerDay: rng.uniform(0, 0.004),
    volumeScale: rng.uniform(0.5, 1.4),
  };
}

const within = (t: number, spans: Absence[]): boolean => spans.some((a) => t >= a.ts && t < a.endTs);

/** Absences over the scene, not overlapping one another. */
export function drawAbsences(rng: Rng, p: Persona, startMs: number, days: number): Absence[] {
  const out: Absence[] = [];
  const free = (ts: number, endTs: number): boolean => out.every((a) => endTs <= a.ts || ts >= a.endTs);
  const add = (ts: number, endTs: number, cause: Absence['cause']): void => {
    if (free(ts, endTs)) out.push({ ts: Math.round(ts), endTs: Math.round(endTs), cause });
  };
  for (let d = 0; d < days; d++) {
    const day = startMs + d * DAY_MS;
    const at = (h: number): number => day + h * HOUR_MS;
    if (rng.chance(p.hospitalPerDay))
      add(at(rng.uniform(8, 20)), at(rng.uniform(8, 20)) + rng.uniform(2, 14) * DAY_MS, 'hospital');
    if (rng.chance(p.nightAwayPerDay))
      add(at(rng.uniform(9, 19)), at(rng.uniform(9, 20)) + rng.int(1, 3) * DAY_MS, 'night_away');
    if (rng.chance(p.longOutingShare)) {
      const leave = at(rng.uniform(8, 16));
      add(leave, leave + rng.uniform(2, 6) * HOUR_MS, 'outing');
    }
    if (rng.chance(p.errandShare)) {
      const leave = at(rng.uniform(8, 17));
      add(leave, leave + rng.uniform(1, 2) * HOUR_MS, 'outing');
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** Water uses at home, dropped while away or after `stopTs` (a collapse), and each day's clock. */
export function drawUses(
  rng: Rng,
  p: Persona,
  absences: Absence[],
  startMs: number,
  days: number,
  stopTs: number,
): DailyLife {
  const uses: WaterUse[] = [];
  const clock: DayClock[] = [];
  const use = (ts: number, litres: number, durationS: number, what: UseKind): void => {
    const t = Math.round(ts);
    if (
      t + durationS * SECOND_MS < stopTs &&
      !within(t, absences) &&
      !within(t + durationS * SECOND_MS, absences)
    )
      uses.push({ ts: t, litres, durationMs: Math.round(durationS * SECOND_MS), what });
  };
  const flush = (ts: number): void => use(ts, p.flushL * rng.uniform(0.9, 1.1), rng.uniform(30, 90), 'flush');
  const meal = (ts: number): void =>
    use(ts, rng.uniform(5, 20) * p.volumeScale, rng.uniform(300, 1200), 'meal');
  for (let d = -1; d <= days; d++) {
    const day = startMs + d * DAY_MS;
    const at = (h: number): number => day + h * HOUR_MS;
    const wake = at(p.wakeH + rng.normal(0, 0.3));
    const sleep = at(p.sleepH + rng.normal(0, 0.3));
    clock.push({ wake: Math.round(wake), sleep: Math.round(sleep) });
    flush(wake);
    use(wake + rng.uniform(1, 10) * MINUTE_MS, rng.uniform(0.5, 3), rng.uniform(20, 120), 'wash');
    use(wake + rng.uniform(5, 30) * MINUTE_MS, rng.uniform(1, 3), rng.uniform(10, 40), 'kettle');
    meal(wake + rng.uniform(0.3, 1.5) * HOUR_MS);
    meal(at(rng.uniform(11, 12.5)));
    meal(at(rng.uniform(17, 19)));
    for (let t = wake + rng.uniform(1.5, 4) * HOUR_MS; t < sleep; t += rng.uniform(1.5, 4) * HOUR_MS) {
      flush(t);
      if (rng.chance(0.7))
        use(t + rng.uniform(60, 180) * SECOND_MS, rng.uniform(0.5, 3), rng.uniform(20, 90), 'wash');
    }
    if (rng.chance(1 / p.showerEveryDays))
      use(at(rng.uniform(18, 21.5)), rng.uniform(30, 60) * p.volumeScale, rng.uniform(300, 900), 'shower');
    if (rng.chance(1 / p.washerEveryDays)) {
      const t = at(rng.uniform(8, 11));
      for (let k = rng.int(2, 4), i = 0; i < k; i++)
        use(t + i * 15 * MINUTE_MS, (rng.uniform(40, 80) * p.volumeScale) / k, 240, 'washer');
    }
    if (rng.chance(0.2))
      use(at(rng.uniform(9, 16)), rng.uniform(10, 30) * p.volumeScale, rng.uniform(300, 900), 'laundry');
    use(sleep - rng.uniform(5, 30) * MINUTE_MS, rng.uniform(1, 3), rng.uniform(30, 120), 'wash');
    flush(sleep - rng.uniform(0, 5) * MINUTE_MS);
    const nightMs = at(p.wakeH + 24) - sleep;
    for (let n = rng.poisson(p.nocturiaPerNight); n > 0; n--) flush(sleep + rng.uniform(0.1, 0.95) * nightMs);
  }
  // Leaving and coming home show in the water: a flush before going, a wash 5–90 min after return.
  for (const a of absences) {
    flush(a.ts - rng.uniform(5, 30) * MINUTE_MS);
    use(a.endTs + rng.uniform(5, 90) * MINUTE_MS, rng.uniform(0.5, 3), rng.uniform(20, 90), 'wash');
  }
  return { uses: uses.sort((a, b) => a.ts - b.ts), days: clock };
}

/** Litres through the meter by `t`: each use flows evenly over its duration. */
export function litresBy(uses: WaterUse[], t: number): number {
  let sum = 0;
  for (const u of uses) {
    if (u.ts >= t) break;
    sum += u.litres * Math.min(1, (t - u.ts) / u.durationMs);
  }
  return sum;
}
