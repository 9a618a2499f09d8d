/**
 * What a shed's sensors breathe: the weather, the nuisances around a shed (cooking, exhaust,
 * smoking, dust, insects, fog, a sun-heated roof, lead-acid hydrogen) and a thermal runaway, as
 * additive plumes over each sensor's own offset, drift and noise.
 */
import type { Rng } from '../rng.ts';
import { DAY_MS, HOUR_MS, localHour, MINUTE_MS } from '../time.ts';

export interface Air {
  smokeDbM: number;
  tempC: number;
  coPpm: number;
  h2Ppm: number;
  vocPpm: number;
  humidityPct: number;
}

/** A plume: peaks in `peak` (added to the air), rising over the first fifth, fading over the last fifth. */
export interface Plume {
  ts: number;
  endTs: number;
  peak: Partial<Air>;
}

export function plumeAt(p: Plume, t: number): number {
  if (t < p.ts || t >= p.endTs) return 0;
  const edge = (p.endTs - p.ts) / 5;
  return Math.min(1, (t - p.ts) / edge, (p.endTs - t) / edge);
}

/** Weather of the scene: a season's mean, a daily swing, sunny days, foggy nights. */
export interface Weather {
  meanC: number;
  swingC: number;
  sunny: boolean[];
  foggy: boolean[];
}

export function drawWeather(rng: Rng, days: number): Weather {
  return {
    meanC: rng.uniform(2, 32),
    swingC: rng.uniform(3, 6),
    sunny: Array.from({ length: days + 1 }, () => rng.chance(0.5)),
    foggy: Array.from({ length: days + 1 }, () => rng.chance(0.15)),
  };
}

/** Shed air temperature and humidity: coolest at 05:00, warmest at 14:00. */
export function ambient(
  w: Weather,
  startMs: number,
  t: number,
): { tempC: number; humidityPct: number; fog: boolean } {
  const h = localHour(t);
  const day = Math.floor((t - startMs) / DAY_MS);
  const tempC = w.meanC + w.swingC * Math.cos(((h - 14) / 24) * 2 * Math.PI);
  const fog = Boolean(w.foggy[day]) && (h < 8 || h > 22);
  return { tempC, humidityPct: fog ? 97 : 70 - 20 * Math.cos(((h - 5) / 24) * 2 * Math.PI), fog };
}

/** Sun on a metal roof: 0.5–2 °C/min from 10:00 up to 50–60 °C, down again after 14:00. */
export function roofHeatK(rng: Rng, w: Weather, dayStart: number): Plume | null {
  if (w.meanC < 15) return null;
  const peakC = rng.uniform(50, 60);
  const riseMin = Math.max(10, (peakC - w.meanC - w.swingC) / rng.uniform(0.5, 2));
  const ts = dayStart + 10 * HOUR_MS;
  return {
    ts,
    endTs: ts + Math.max(4 * HOUR_MS, riseMin * MINUTE_MS * 5),
    peak: { tempC: peakC - w.meanC - w.swingC },
  };
}

/** The sensor itself: zero offsets, daily drift and noise (σ), per channel. */
export interface SensorFlaws {
  offset: Air;
  driftPerDay: Air;
  noise: Air;
  /** Electrochemical CO cells also answer to H₂ (and H₂ cells to CO): share of the other gas read. */
  crossH2Co: number;
}

export function drawFlaws(rng: Rng): SensorFlaws {
  return {
    offset: {
      smokeDbM: rng.uniform(0, 0.02),
      tempC: rng.uniform(-0.5, 0.5),
      coPpm: rng.uniform(-1, 3),
      h2Ppm: rng.uniform(0, 3),
      vocPpm: rng.uniform(0, 1),
      humidityPct: rng.uniform(-3, 3),
    },
    driftPerDay: {
      smokeDbM: rng.uniform(-0.001, 0.003),
      tempC: 0,
      coPpm: rng.uniform(-0.2, 0.2),
      h2Ppm: rng.uniform(-0.2, 0.3),
      vocPpm: rng.uniform(-0.05, 0.05),
      humidityPct: 0,
    },
    noise: {
      smokeDbM: rng.uniform(0.002, 0.01),
      tempC: rng.uniform(0.05, 0.3),
      coPpm: rng.uniform(0.3, 2),
      h2Ppm: rng.uniform(0.3, 2),
      vocPpm: rng.uniform(0.05, 0.5),
      humidityPct: rng.uniform(0.5, 2),
    },
    crossH2Co: rng.uniform(0.1, 0.4),
  };
}

/** What the sensor reports for the true air `a`, `days` into the scene. */
export function sense(rng: Rng, f: SensorFlaws, a: Air, days: number): Air {
  const read = (k: keyof Air, extra = 0): number =>
    a[k] + extra + f.offset[k] + f.driftPerDay[k] * days + rng.normal(0, f.noise[k]);
  return {
    smokeDbM: Math.max(0, read('smokeDbM')),
    tempC: read('tempC'),
    coPpm: Math.max(0, read('coPpm', f.crossH2Co * a.h2Ppm)),
    h2Ppm: Math.max(0, read('h2Ppm', f.crossH2Co * a.coPpm)),
    vocPpm: Math.max(0, read('vocPpm')),
    humidityPct: Math.min(100, Math.max(0, read('humidityPct'))),
  };
}

export function addAir(a: Air, p: Partial<Air>, share: number): void {
  for (const k of Object.keys(p) as Array<keyof Air>) a[k] += (p[k] ?? 0) * share;
}
