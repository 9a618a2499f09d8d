/**
 * A lithium pack's thermal runaway while charging, on the published timeline: electrolyte VOCs,
 * then H₂ 2–11 min before visible smoke (bench claims 2–8 min; Jin et al. 2020 measured 639 s),
 * then CO, then smoke, then flame 1–4 min later (Jin: 130 s), the port heating on the way.
 */
import type { Rng } from '../rng.ts';
import type { RunawayTruth } from '../scene.ts';
import { HOUR_MS, MINUTE_MS, SECOND_MS } from '../time.ts';
import type { Air } from './air.ts';

export interface RunawayPlan {
  truth: RunawayTruth;
  vocTs: number;
  heatTs: number;
  heatKPerMin: number;
  smokeRampMs: number;
  peaks: { vocPpm: number; h2Ppm: number; coPpm: number; fireCoPpm: number; fireKPerMin: number };
  faultTs: number | null;
  /** The shed's devices are silent from here (burnt, then repaired) until `silentEndTs`. */
  silentTs: number;
  silentEndTs: number;
}

export function planRunaway(
  rng: Rng,
  shed: string,
  charger: string,
  port: number,
  h2Ts: number,
): RunawayPlan {
  const smokeTs = h2Ts + rng.uniform(2, 11) * MINUTE_MS;
  const vocTs = h2Ts - rng.uniform(0, 5) * MINUTE_MS;
  const coTs = smokeTs - rng.uniform(0.3, Math.min(4, (smokeTs - h2Ts) / MINUTE_MS - 0.2)) * MINUTE_MS;
  const flameTs = smokeTs + rng.uniform(1, 4) * MINUTE_MS;
  // Cell heating trails the VOCs by 5–15 min (vendor bench claim), but starts before smoke.
  const heatTs = Math.min(vocTs + rng.uniform(5, 15) * MINUTE_MS, smokeTs - MINUTE_MS);
  const r = (ms: number): number => Math.round(ms);
  const silentTs = flameTs + 15 * MINUTE_MS;
  return {
    truth: {
      danger: 'sheds',
      kind: 'runaway',
      id: `runaway-${shed}-${r(h2Ts)}`,
      ts: r(Math.min(vocTs, h2Ts)),
      h2Ts: r(h2Ts),
      coTs: r(coTs),
      smokeTs: r(smokeTs),
      flameTs: r(flameTs),
      endTs: r(silentTs),
      shed,
      charger,
      port,
    },
    vocTs,
    heatTs,
    heatKPerMin: rng.uniform(1, 6),
    smokeRampMs: rng.uniform(1, 4) * MINUTE_MS,
    peaks: {
      vocPpm: rng.uniform(10, 200),
      h2Ppm: rng.uniform(50, 1000),
      coPpm: rng.uniform(20, 300),
      fireCoPpm: rng.uniform(500, 2000),
      fireKPerMin: rng.uniform(10, 30),
    },
    faultTs: rng.chance(0.5) ? smokeTs + rng.uniform(0, 60) * SECOND_MS : null,
    silentTs: r(silentTs),
    silentEndTs: r(silentTs + 6 * HOUR_MS),
  };
}

const ramp = (t: number, from: number, to: number): number =>
  Math.max(0, Math.min(1, (t - from) / (to - from)));

/** What the runaway adds to the shed air at `t`. */
export function runawayAir(p: RunawayPlan, t: number): Partial<Air> {
  const { smokeTs, flameTs, h2Ts, coTs } = p.truth;
  if (t < p.truth.ts) return {};
  const afterFlameMin = Math.max(0, (t - flameTs) / MINUTE_MS);
  const x = ramp(t, h2Ts, smokeTs);
  return {
    vocPpm: p.peaks.vocPpm * ramp(t, p.vocTs, smokeTs) ** 2 * (t >= smokeTs ? 2 : 1),
    h2Ppm:
      t < h2Ts ? 0 : ((p.peaks.h2Ppm * (Math.exp(3 * x) - 1)) / (Math.exp(3) - 1)) * (t >= smokeTs ? 1.5 : 1),
    coPpm: p.peaks.coPpm * ramp(t, coTs, smokeTs) ** 2 + (t >= flameTs ? p.peaks.fireCoPpm : 0),
    smokeDbM: t < smokeTs ? 0 : Math.min(10, (2 * (t - smokeTs)) / p.smokeRampMs + 3 * afterFlameMin),
    tempC: Math.min(300, p.peaks.fireKPerMin * afterFlameMin),
  };
}

/** Extra heat on the runaway port, K: 1–6 K/min from `heatTs`, then ≥ 1 K/s from smoke on. */
export function runawayPortHeatK(p: RunawayPlan, t: number): number {
  const slow = Math.max(0, Math.min(t, p.truth.smokeTs) - p.heatTs) / MINUTE_MS;
  const fast = Math.max(0, t - p.truth.smokeTs) / MINUTE_MS;
  return Math.min(600, p.heatKPerMin * slow + 60 * fast);
}
