/**
 * Water-meter scenes for elderly people living alone: each household's routine through its own
 * meter's cadence (the Sanchuan NB-IoT daily batch of hourly registers, or canonical hourly,
 * half-hourly or quarter-hourly registers, some batched), lost uploads, and collapses; where the
 * site fits them, the same life through the electricity meter and the entrance door (presence.ts).
 */
import type { Device, Site } from '../../gateway/src/contracts/site.ts';
import { Rng } from '../rng.ts';
import {
  openScene,
  type CollapseTruth,
  type PresenceSignal,
  type Scene,
  type SceneMessage,
  type SceneSpan,
} from '../scene.ts';
import { aloneHouseholds } from '../site.ts';
import { compactLocal, DAY_MS, HOUR_MS, isoLocal, localHour, MINUTE_MS } from '../time.ts';
import { doorMessages, drawLoads, electricityMessages, type HomeLife } from './presence.ts';
import { drawAbsences, drawPersona, drawUses, litresBy } from './routine.ts';

export interface WaterOptions {
  /** Share of households that collapse during the scene (oversampled: real collapses are rare). */
  collapseShare: number;
}

export const DEFAULT_WATER_OPTIONS: WaterOptions = { collapseShare: 0.3 };

/** The goal's "daytime incident": local 08:00–20:00. */
export function isDaytime(ts: number): boolean {
  const h = localHour(ts);
  return h >= 8 && h < 20;
}

export function generateWater(site: Site, span: SceneSpan, opts = DEFAULT_WATER_OPTIONS): Scene {
  const { seed, startMs, days } = span;
  const rng = new Rng(seed);
  const endMs = startMs + days * DAY_MS;
  const homes = aloneHouseholds(site);
  const scene = openScene(
    'water',
    span,
    homes.map((h) => h.household.id),
    Object.fromEntries(homes.map((h) => [h.household.id, presenceOf(h)])),
  );
  for (const { household, meter, electricity, door } of homes) {
    const r = rng.fork(household.id);
    const persona = drawPersona(r);
    const absences = drawAbsences(r, persona, startMs, days);
    let stopTs = Number.POSITIVE_INFINITY;
    let collapse: CollapseTruth | null = null;
    if (r.chance(opts.collapseShare)) {
      // Late enough for a detector to have learnt the household (at least the scene's first 40 %).
      // Not on the last day, so that even a daily-batch meter reports the silence within the scene.
      const latestDay = Math.max(days - 1, 0.5);
      let onset = startMs + r.uniform(Math.min(Math.max(1, 0.4 * days), latestDay), latestDay) * DAY_MS;
      if (r.chance(0.7))
        onset = startMs + Math.floor((onset - startMs) / DAY_MS) * DAY_MS + r.uniform(8, 20) * HOUR_MS;
      const during = absences.find((a) => onset >= a.ts && onset < a.endTs);
      if (during) onset = during.endTs + r.uniform(1, 3) * HOUR_MS;
      if (onset < endMs - HOUR_MS) {
        stopTs = Math.round(onset);
        collapse = {
          danger: 'water',
          kind: 'collapse',
          id: `collapse-${household.id}`,
          ts: stopTs,
          endTs: endMs,
          household: household.id,
          device: meter.id,
          daytime: isDaytime(stopTs),
          leftOn: null,
        };
        scene.truth.push(collapse);
      }
    }
    for (const a of absences) {
      if (a.ts >= stopTs || a.ts >= endMs) continue;
      scene.truth.push({
        danger: 'water',
        kind: 'absence',
        id: `${a.cause}-${household.id}-${a.ts}`,
        ts: a.ts,
        endTs: Math.min(a.endTs, endMs),
        household: household.id,
        cause: a.cause,
        announced: false,
      });
    }
    const { uses, days: clock } = drawUses(r, persona, absences, startMs, days, stopTs);
    const baseL = Math.round(r.uniform(10_000, 2_000_000));
    const register = (t: number): number => baseL + Math.floor(litresBy(uses, t));
    const messages =
      meter.codec === 'sanchuan-nbiot'
        ? sanchuan(r, meter, register, startMs, days)
        : canonical(r, meter, register, startMs, days);
    scene.messages.push(...messages.filter((m) => m.ts >= startMs && m.ts <= endMs));
    // The presence devices draw from streams of their own, so the water of a seed stays as it was.
    const life: HomeLife = { startMs, endMs, days: clock, uses, absences, stopTs };
    if (electricity) {
      const { loads, leftOn } = drawLoads(rng.fork(`${household.id}:loads`), life);
      if (collapse) collapse.leftOn = leftOn;
      const sent = electricityMessages(rng.fork(electricity.id), electricity, loads, life);
      scene.messages.push(...sent.filter((m) => m.ts <= endMs));
    }
    if (door)
      scene.messages.push(...doorMessages(rng.fork(door.id), door, life).filter((m) => m.ts <= endMs));
  }
  return scene;
}

function presenceOf(h: { electricity: Device | null; door: Device | null }): PresenceSignal[] {
  return [...(h.electricity ? ['electricity' as const] : []), ...(h.door ? ['door' as const] : [])];
}

/** How a meter model turns the register into messages over the scene. */
type Cadence = (
  r: Rng,
  meter: Device,
  register: (t: number) => number,
  startMs: number,
  days: number,
) => SceneMessage[];

/**
 * Sanchuan NB-IoT: registers frozen at each local hour, one batch a day uploaded 0.25–6 h after
 * midnight (peak-shifted per meter), 0–3 % of uploads lost. Payload as the codec documents it.
 */
const sanchuan: Cadence = (r, meter, register, startMs, days) => {
  const offsetMs = r.uniform(0.25, 6) * HOUR_MS;
  const loss = r.uniform(0, 0.03);
  let batteryV = r.uniform(3.3, 3.6);
  const out: SceneMessage[] = [];
  for (let d = 0; d < days; d++) {
    const day = startMs + d * DAY_MS;
    batteryV -= 0.0003;
    if (r.chance(loss)) continue;
    const cumulativeL = Array.from({ length: 24 }, (_, h) => register(day + h * HOUR_MS));
    const payload = {
      meterNo: meter.id,
      startTime: compactLocal(day),
      intervalMin: 60,
      cumulativeL,
      batteryV: Math.round(batteryV * 100) / 100,
    };
    out.push({
      ts: Math.round(day + DAY_MS + offsetMs + r.uniform(0, 10) * MINUTE_MS),
      topic: `vendor/sanchuan/${meter.id}/up`,
      payload: JSON.stringify(payload),
    });
  }
  return out;
};

/**
 * Canonical meter: a register every 15, 30 or 60 min at a fixed offset, either sent one by one or
 * (a third of meters) batched 2–6 at a time; 0.5–5 % of messages lost.
 */
const canonical: Cadence = (r, meter, register, startMs, days) => {
  const intervalMs = r.pick([15, 30, 60, 60, 60]) * MINUTE_MS;
  const offsetMs = r.uniform(0, intervalMs);
  const batch = r.chance(1 / 3) ? r.int(2, 6) : 1;
  const loss = r.uniform(0.005, 0.05);
  let battery = r.uniform(60, 100);
  const out: SceneMessage[] = [];
  let pending: Array<{ ts: string; total_m3: number }> = [];
  for (let t = startMs + offsetMs; t < startMs + days * DAY_MS; t += intervalMs) {
    const ts = Math.round(t + r.uniform(-30, 30) * 1000);
    pending.push({ ts: isoLocal(ts), total_m3: register(ts) / 1000 });
    if (pending.length < batch) continue;
    battery = Math.max(0, battery - 0.002);
    const sent = pending;
    pending = [];
    if (r.chance(loss)) continue;
    const payload =
      batch === 1
        ? { ...sent[0]!, battery_pct: Math.round(battery) }
        : { readings: sent, battery_pct: Math.round(battery) };
    out.push({
      ts: ts + Math.round(r.uniform(1, 20) * 1000),
      topic: `weige/${meter.id}/telemetry`,
      payload: JSON.stringify(payload),
    });
  }
  return out;
};
