/**
 * Things that make a shed's sensors twitch without a fire (FIELD-NOTES §3.4): dust from sweeping,
 * steam or fog, cigarette smoke, insects in the optical chamber (EN 54-7 notes its 1.3 mm mesh does
 * not stop all small insects), motorbike exhaust, a barbecue nearby. Each spikes one sensor (or
 * both, weaker at the far one) briefly. Lead-acid H₂ comes from the charging ports themselves.
 * Magnitudes are our assumptions [M], chosen to sit around detector thresholds: GB 4715-2024
 * photoelectric sensitivity 0.05–0.3 dB/m.
 */
import type { Rng } from '../core/rng.ts';
import { HOUR_MS } from '../core/time.ts';

export const NUISANCE_CAUSES = ['dust', 'steam', 'cigarette', 'insect', 'exhaust', 'bbq'] as const;
export type NuisanceCause = (typeof NUISANCE_CAUSES)[number];

export interface Nuisance {
  cause: NuisanceCause;
  start: number;
  durationS: number;
  /** Index of the sensor it hits hardest. */
  sensor: number;
  smokeDbM: number;
  coPpm: number;
  h2Ppm: number;
  humidityPct: number;
}

interface CauseSpec {
  weight: number;
  /** Local hours when it happens. */
  hours: [number, number];
  durationS: [number, number];
  smokeDbM: [number, number];
  coPpm: [number, number];
  h2Ppm: [number, number];
  humidityPct: number;
  /** Whether the far sensor feels it (at 30 %). */
  spreads: boolean;
}

const SPECS: Record<NuisanceCause, CauseSpec> = {
  dust: {
    weight: 3,
    hours: [6.5, 9.5],
    durationS: [30, 180],
    smokeDbM: [0.05, 0.3],
    coPpm: [0, 0],
    h2Ppm: [0, 0],
    humidityPct: 0,
    spreads: false,
  },
  steam: {
    weight: 1,
    hours: [5, 9],
    durationS: [300, 1200],
    smokeDbM: [0.05, 0.2],
    coPpm: [0, 0],
    h2Ppm: [0, 0],
    humidityPct: 25,
    spreads: true,
  },
  cigarette: {
    weight: 2,
    hours: [17, 23],
    durationS: [120, 360],
    smokeDbM: [0.03, 0.12],
    coPpm: [3, 15],
    h2Ppm: [0, 2],
    humidityPct: 0,
    spreads: true,
  },
  insect: {
    weight: 1.5,
    hours: [19, 29],
    durationS: [10, 40],
    smokeDbM: [0.2, 1.5],
    coPpm: [0, 0],
    h2Ppm: [0, 0],
    humidityPct: 0,
    spreads: false,
  },
  exhaust: {
    weight: 2,
    hours: [7, 21],
    durationS: [60, 240],
    smokeDbM: [0, 0.04],
    coPpm: [15, 80],
    h2Ppm: [0, 3],
    humidityPct: 0,
    spreads: true,
  },
  bbq: {
    weight: 0.3,
    hours: [17, 21],
    durationS: [1200, 3600],
    smokeDbM: [0.05, 0.15],
    coPpm: [5, 20],
    h2Ppm: [0, 0],
    humidityPct: 0,
    spreads: true,
  },
};

/** Draws one nuisance on the local day starting at `dayStart`. */
export function drawNuisance(rng: Rng, dayStart: number, sensors: number): Nuisance {
  const total = NUISANCE_CAUSES.reduce((s, c) => s + SPECS[c].weight, 0);
  let x = rng.uniform(0, total);
  let cause: NuisanceCause = 'dust';
  for (const c of NUISANCE_CAUSES) {
    x -= SPECS[c].weight;
    if (x <= 0) {
      cause = c;
      break;
    }
  }
  const s = SPECS[cause];
  return {
    cause,
    start: dayStart + rng.uniform(s.hours[0], s.hours[1]) * HOUR_MS,
    durationS: rng.uniform(s.durationS[0], s.durationS[1]),
    sensor: rng.int(0, Math.max(0, sensors - 1)),
    smokeDbM: rng.uniform(s.smokeDbM[0], s.smokeDbM[1]),
    coPpm: rng.uniform(s.coPpm[0], s.coPpm[1]),
    h2Ppm: rng.uniform(s.h2Ppm[0], s.h2Ppm[1]),
    humidityPct: s.humidityPct,
  };
}

/** A nuisance's contribution at sensor `index` and time `t`: a rise, plateau and decay. */
export function nuisanceAt(
  n: Nuisance,
  index: number,
  t: number,
): { smoke: number; co: number; h2: number; humidity: number } {
  const dt = (t - n.start) / 1000;
  if (dt < 0 || dt > n.durationS * 1.5) return { smoke: 0, co: 0, h2: 0, humidity: 0 };
  const ramp = n.durationS * 0.15;
  const shape =
    dt < ramp ? dt / ramp : dt < n.durationS ? 1 : Math.max(0, 1 - (dt - n.durationS) / (0.5 * n.durationS));
  const k = index === n.sensor ? 1 : SPECS[n.cause].spreads ? 0.3 : 0;
  return {
    smoke: n.smokeDbM * shape * k,
    co: n.coPpm * shape * k,
    h2: n.h2Ppm * shape * k,
    humidity: n.humidityPct * shape * k,
  };
}
