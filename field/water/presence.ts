/**
 * Presence signals of an elderly person living alone, from the same daily life as the water
 * (README.md, "Presence"): the household's smart electricity meter (a standby load always, the
 * appliances a person at home and awake switches on and off, perhaps a light or TV left on by a
 * collapse) and the entrance door contact (opened and closed when the person leaves and comes
 * back, for visitors and short steps out; never after a collapse).
 */
import type { Device } from '../../gateway/src/contracts/site.ts';
import type { Rng } from '../rng.ts';
import type { CollapseTruth, SceneMessage } from '../scene.ts';
import { DAY_MS, HOUR_MS, isoLocal, localMidnight, MINUTE_MS, SECOND_MS } from '../time.ts';
import type { Absence, DayClock, WaterUse } from './routine.ts';

/** The life the water came from: what the presence devices see of it. */
export interface HomeLife {
  startMs: number;
  endMs: number;
  days: DayClock[];
  uses: WaterUse[];
  absences: Absence[];
  /** The collapse, or +∞. */
  stopTs: number;
}

export type LoadKind =
  'fridge' | 'water_heater' | 'lights' | 'kettle' | 'cooker' | 'tv' | 'washer' | 'climate' | 'blanket';

/** What runs in an empty home, with nobody to switch anything: the thermostat loads. */
export const UNATTENDED_LOADS: readonly LoadKind[] = ['fridge', 'water_heater'];

/** An appliance drawing `watts` from `ts` to `endTs`. */
export interface Load {
  ts: number;
  endTs: number;
  watts: number;
  what: LoadKind;
}

export type LeftOn = NonNullable<CollapseTruth['leftOn']>;

const away = (t: number, life: HomeLife): boolean =>
  life.absences.some((a) => t >= a.ts && t < a.endTs) || t >= life.stopTs;

/** The parts of a load the person can have switched on: at home, before a collapse. */
function atHome(load: Load, life: HomeLife): Load[] {
  let parts = [{ ...load, endTs: Math.min(load.endTs, life.stopTs) }];
  for (const a of life.absences)
    parts = parts.flatMap((p) =>
      a.endTs <= p.ts || a.ts >= p.endTs
        ? [p]
        : [
            { ...p, endTs: a.ts },
            { ...p, ts: a.endTs },
          ],
    );
  return parts.filter((p) => p.endTs > p.ts);
}

/** Whether the person is up at `t` on the day whose clock is given. */
const awakeOn = (day: DayClock, t: number): boolean => t >= day.wake && t < day.sleep;

/**
 * Everything the meter sees besides the standby: the fridge always; a storage water heater
 * keeping warm (some homes); the person's appliances while at home; what a collapse left on.
 */
export function drawLoads(r: Rng, life: HomeLife): { loads: Load[]; leftOn: LeftOn | null } {
  const from = life.startMs - DAY_MS;
  const to = life.endMs + DAY_MS;
  const { loads, heaterW } = thermostatLoads(r, from, to);
  const person = (ts: number, durationMs: number, watts: number, what: LoadKind): void => {
    loads.push(...atHome({ ts: Math.round(ts), endTs: Math.round(ts + durationMs), watts, what }, life));
  };
  const lightsW = r.uniform(10, 60);
  const duskH = r.uniform(16.5, 18);
  const kettleW = r.uniform(1500, 2200);
  const extraBoilsPerDay = r.uniform(0, 2);
  const cookElectricShare = r.uniform(0, 1);
  const tvW = r.uniform(50, 150);
  const tvSpellsPerDay = r.uniform(0, 4);
  const washerW = r.uniform(200, 500);
  const climateW = r.chance(0.5) ? r.uniform(500, 1500) : 0;
  const climateDayShare = r.uniform(0.2, 1);
  const blanketW = r.chance(0.3) ? r.uniform(40, 100) : 0;
  for (const day of life.days) {
    const midnight = localMidnight(day.wake);
    const dusk = midnight + duskH * HOUR_MS;
    // Lights from dusk to bed, and in the morning before 07:00.
    if (day.sleep > dusk) person(dusk, day.sleep - dusk, lightsW * r.uniform(0.7, 1.3), 'lights');
    const seven = midnight + 7 * HOUR_MS;
    if (day.wake < seven) person(day.wake, seven - day.wake, lightsW * r.uniform(0.5, 1), 'lights');
    const awakeMs = day.sleep - day.wake;
    const anyTime = (): number => day.wake + r.uniform(0, awakeMs);
    for (let n = r.poisson(extraBoilsPerDay); n > 0; n--)
      person(anyTime(), r.uniform(2, 5) * MINUTE_MS, kettleW, 'kettle');
    for (let n = r.poisson(tvSpellsPerDay); n > 0; n--) {
      // Half the spells in the evening, the rest any time of the day.
      const evening = r.chance(0.5) && day.sleep > dusk;
      const ts = evening ? dusk + r.uniform(0, day.sleep - dusk) : anyTime();
      person(ts, Math.min(r.uniform(0.5, 2.5) * HOUR_MS, day.sleep - ts), tvW, 'tv');
    }
    if (climateW && r.chance(climateDayShare))
      for (let n = r.int(1, 2); n > 0; n--) person(anyTime(), r.uniform(1, 4) * HOUR_MS, climateW, 'climate');
    if (blanketW) person(day.sleep - 0.5 * HOUR_MS, r.uniform(1, 3) * HOUR_MS, blanketW, 'blanket');
  }
  let washerUntil = 0;
  for (const u of life.uses) {
    if (u.what === 'kettle') person(u.ts, r.uniform(2, 5) * MINUTE_MS, kettleW, 'kettle');
    if (u.what === 'meal' && r.chance(cookElectricShare)) {
      const cookMs = r.uniform(10, 40) * MINUTE_MS;
      person(u.ts - r.uniform(0, 30) * MINUTE_MS, cookMs, r.uniform(600, 2000), 'cooker');
    }
    // Reheating after a shower is the person's doing, so it stops when they leave or collapse.
    if (u.what === 'shower' && heaterW) person(u.ts, r.uniform(20, 60) * MINUTE_MS, heaterW, 'water_heater');
    // One wash cycle from the first fill of a load.
    if (u.what === 'washer' && u.ts > washerUntil) {
      const cycleMs = r.uniform(45, 90) * MINUTE_MS;
      person(u.ts, cycleMs, washerW, 'washer');
      washerUntil = u.ts + cycleMs;
    }
  }
  const leftOn = life.stopTs < life.endMs ? drawLeftOn(r, life) : null;
  if (leftOn === 'lights') loads.push({ ts: life.stopTs, endTs: to, watts: lightsW, what: 'lights' });
  if (leftOn === 'tv') {
    // Some TVs switch themselves off after 4 h without a key press; others stay on.
    const autoOff = r.chance(0.5) ? 4 * HOUR_MS : to - life.stopTs;
    loads.push({ ts: life.stopTs, endTs: life.stopTs + autoOff, watts: tvW, what: 'tv' });
  }
  return { loads: loads.sort((a, b) => a.ts - b.ts), leftOn };
}

/** What runs whether anyone is home or not, from `from` to `to`; `heaterW` 0 without a heater. */
function thermostatLoads(r: Rng, from: number, to: number): { loads: Load[]; heaterW: number } {
  const loads: Load[] = [];
  // Fridge compressor: 60–150 W, cycling every 30–90 min at a 25–50 % duty.
  const fridgeW = r.uniform(60, 150);
  const periodMs = r.uniform(30, 90) * MINUTE_MS;
  const duty = r.uniform(0.25, 0.5);
  for (let t = from + r.uniform(0, periodMs); t < to;) {
    const on = periodMs * duty * r.uniform(0.8, 1.2);
    loads.push({ ts: Math.round(t), endTs: Math.round(t + on), watts: fridgeW, what: 'fridge' });
    t += on + periodMs * (1 - duty) * r.uniform(0.8, 1.2);
  }
  // A storage water heater (电热水器) in 40 % of homes: keeps warm for 2–10 min every 4–12 h.
  const heaterW = r.chance(0.4) ? r.uniform(1500, 3000) : 0;
  if (heaterW) {
    const everyMs = r.uniform(4, 12) * HOUR_MS;
    for (let t = from + r.uniform(0, everyMs); t < to; t += everyMs * r.uniform(0.8, 1.2)) {
      const endTs = Math.round(t + r.uniform(2, 10) * MINUTE_MS);
      loads.push({ ts: Math.round(t), endTs, watts: heaterW, what: 'water_heater' });
    }
  }
  return { loads, heaterW };
}

/** Half the collapses leave a steady load on: lights, or (awake) the TV. */
function drawLeftOn(r: Rng, life: HomeLife): LeftOn | null {
  if (!r.chance(0.5)) return null;
  const day = life.days.find(
    (d) => life.stopTs >= d.wake - 6 * HOUR_MS && life.stopTs < d.wake + 18 * HOUR_MS,
  );
  return day && awakeOn(day, life.stopTs) && r.chance(0.5) ? 'tv' : 'lights';
}

/** kWh drawn by `t` since `fromMs`: a constant standby plus every load's overlap. */
function energyKwh(standbyW: number, loads: Load[], fromMs: number, t: number): number {
  let wattMs = standbyW * (t - fromMs);
  for (const l of loads) {
    if (l.ts >= t) break;
    wattMs += l.watts * Math.max(0, Math.min(l.endTs, t) - Math.max(l.ts, fromMs));
  }
  return wattMs / (1000 * HOUR_MS);
}

const powerAt = (standbyW: number, loads: Load[], t: number): number =>
  loads.reduce((w, l) => (l.ts <= t && t < l.endTs ? w + l.watts : w), standbyW);

/**
 * A smart electricity meter on the canonical topic: its register (0.01 kWh) frozen every 15, 30
 * or 60 min on the clock; a third of meters batch 2–4 readings, a third of the others add the
 * instantaneous `power_w`; 0.5–5 % of messages lost and 0–3 % held back 1–12 h.
 */
export function electricityMessages(r: Rng, meter: Device, loads: Load[], life: HomeLife): SceneMessage[] {
  const standbyW = r.uniform(5, 30);
  const intervalMs = r.pick([15, 30, 60]) * MINUTE_MS;
  const batch = r.chance(1 / 3) ? r.int(2, 4) : 1;
  const withPower = batch === 1 && r.chance(1 / 3);
  const loss = r.uniform(0.005, 0.05);
  const lateShare = r.uniform(0, 0.03);
  const baseKwh = r.uniform(500, 20_000);
  const out: SceneMessage[] = [];
  let pending: Array<{ ts: string; total_kwh: number }> = [];
  for (let t = life.startMs; t <= life.endMs; t += intervalMs) {
    const kwh = Math.floor((baseKwh + energyKwh(standbyW, loads, life.startMs, t)) * 100) / 100;
    pending.push({ ts: isoLocal(t), total_kwh: kwh });
    if (pending.length < batch) continue;
    const sent = pending;
    pending = [];
    if (r.chance(loss)) continue;
    const late = r.chance(lateShare) ? r.uniform(1, 12) * HOUR_MS : 0;
    const payload =
      batch > 1
        ? { readings: sent }
        : withPower
          ? { ...sent[0]!, power_w: Math.round(powerAt(standbyW, loads, t)) }
          : sent[0]!;
    out.push({
      ts: Math.round(t + r.uniform(5, 180) * SECOND_MS + late),
      topic: `weige/${meter.id}/telemetry`,
      payload: JSON.stringify(payload),
    });
  }
  return out;
}

/**
 * The entrance door contact: open and close (3–30 s apart) when the person leaves and when they
 * come back; visitors 0–0.5 a day (10–120 min, in and out); short steps out (rubbish, a parcel)
 * 0–1.5 a day; nothing after a collapse. Sent 0.2–3 s after each change, 0–2 % lost.
 */
export function doorMessages(r: Rng, door: Device, life: HomeLife): SceneMessage[] {
  const changes: Array<{ ts: number; open: 0 | 1 }> = [];
  const passage = (t: number): void => {
    changes.push(
      { ts: Math.round(t), open: 1 },
      { ts: Math.round(t + r.uniform(3, 30) * SECOND_MS), open: 0 },
    );
  };
  for (const a of life.absences) {
    if (a.ts >= life.stopTs) continue;
    passage(a.ts);
    passage(a.endTs);
  }
  const visitsPerDay = r.uniform(0, 0.5);
  const stepsPerDay = r.uniform(0, 1.5);
  // In and out again while the person is home and up, wholly before a collapse.
  const twice = (day: DayClock, gapMs: number): void => {
    const t = day.wake + r.uniform(0, day.sleep - day.wake);
    if (away(t, life) || away(t + gapMs, life) || t + gapMs >= day.sleep) return;
    passage(t);
    passage(t + gapMs);
  };
  for (const day of life.days) {
    for (let n = r.poisson(visitsPerDay); n > 0; n--) twice(day, r.uniform(10, 120) * MINUTE_MS);
    for (let n = r.poisson(stepsPerDay); n > 0; n--) twice(day, r.uniform(1, 10) * MINUTE_MS);
  }
  const loss = r.uniform(0, 0.02);
  let battery = r.uniform(60, 100);
  return changes
    .sort((a, b) => a.ts - b.ts)
    .flatMap(({ ts, open }) => {
      battery = Math.max(0, battery - 0.001);
      if (ts < life.startMs || ts > life.endMs || r.chance(loss)) return [];
      const payload = { ts: isoLocal(ts), door_open: open, battery_pct: Math.round(battery) };
      return [
        {
          ts: Math.round(ts + r.uniform(0.2, 3) * SECOND_MS),
          topic: `weige/${door.id}/telemetry`,
          payload: JSON.stringify(payload),
        },
      ];
    });
}
