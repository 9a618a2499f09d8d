/**
 * One shed's recent multi-sensor picture, built from canonical readings on event time: the shed
 * sensors (smoke, heat, CO, H₂) and the charging controller's per-port power and temperature.
 * Readings may arrive late or out of order; each channel keeps a short time-sorted history.
 */
import type { Reading } from '../../gateway/src/contracts/readings.ts';

/** How much history each channel keeps, ms. */
const HISTORY_MS = 15 * 60_000;

export type Series = Array<[number, number]>;

/** Port states with a pack plugged in and on charge (a `full` pack still trickles). */
export const PLUGGED_STATES = new Set(['charging', 'full', 'fault']);

export interface PortSnapshot {
  port: number;
  state: string;
  /** Event time since which the port has been plugged without a break, or null. */
  pluggedSince: number | null;
  temp: Series;
  power: Series;
}

export class ShedState {
  readonly sensors = new Map<string, Record<'smoke' | 'temp' | 'co' | 'h2' | 'voc' | 'humidity', Series>>();
  readonly ports = new Map<number, PortSnapshot>();
  /** Latest event time seen, ms. */
  latestTs = 0;

  constructor(readonly placeId: string) {}

  add(reading: Reading): void {
    this.latestTs = Math.max(this.latestTs, reading.ts);
    if (reading.kind === 'smoke_sensor') {
      let s = this.sensors.get(reading.deviceId);
      if (!s)
        this.sensors.set(
          reading.deviceId,
          (s = { smoke: [], temp: [], co: [], h2: [], voc: [], humidity: [] }),
        );
      const v = reading.values;
      if (v.smoke_db_m !== undefined) insert(s.smoke, reading.ts, v.smoke_db_m);
      if (v.temp_c !== undefined) insert(s.temp, reading.ts, v.temp_c);
      if (v.co_ppm !== undefined) insert(s.co, reading.ts, v.co_ppm);
      if (v.h2_ppm !== undefined) insert(s.h2, reading.ts, v.h2_ppm);
      if (v.voc_ppm !== undefined) insert(s.voc, reading.ts, v.voc_ppm);
      if (v.humidity_pct !== undefined) insert(s.humidity, reading.ts, v.humidity_pct);
    } else if (reading.kind === 'charging_controller' && reading.port !== null) {
      let p = this.ports.get(reading.port);
      if (!p)
        this.ports.set(
          reading.port,
          (p = { port: reading.port, state: 'idle', pluggedSince: null, temp: [], power: [] }),
        );
      if (reading.ts >= (p.temp.at(-1)?.[0] ?? 0)) {
        p.state = reading.labels.state ?? p.state;
        if (!PLUGGED_STATES.has(p.state)) p.pluggedSince = null;
        else p.pluggedSince ??= reading.ts;
      }
      if (reading.values.temp_c !== undefined) insert(p.temp, reading.ts, reading.values.temp_c);
      if (reading.values.power_w !== undefined) insert(p.power, reading.ts, reading.values.power_w);
    } else return;
    this.prune();
  }

  private prune(): void {
    const cutoff = this.latestTs - HISTORY_MS;
    for (const s of this.sensors.values()) for (const series of Object.values(s)) trim(series, cutoff);
    for (const p of this.ports.values()) {
      trim(p.temp, cutoff);
      trim(p.power, cutoff);
    }
  }
}

function insert(series: Series, ts: number, v: number): void {
  if (!Number.isFinite(v)) return;
  let i = series.length;
  while (i > 0 && series[i - 1]![0] > ts) i--;
  if (series[i - 1]?.[0] === ts) series[i - 1] = [ts, v];
  else series.splice(i, 0, [ts, v]);
}

function trim(series: Series, cutoff: number): void {
  let n = 0;
  while (n < series.length && series[n]![0] < cutoff) n++;
  if (n) series.splice(0, n);
}

/** Latest value at or before `t`. */
export function valueAt(series: Series, t: number): number | null {
  for (let i = series.length - 1; i >= 0; i--) if (series[i]![0] <= t) return series[i]![1];
  return null;
}

/** Minimum over (t − windowMs, t]. */
export function minOver(series: Series, t: number, windowMs: number): number | null {
  let m: number | null = null;
  for (const [ts, v] of series) if (ts > t - windowMs && ts <= t) m = m === null ? v : Math.min(m, v);
  return m;
}

/** Least-squares slope over (t − windowMs, t], units per minute; 0 with fewer than 2 points. */
export function slopeOver(series: Series, t: number, windowMs: number): number {
  const pts = series.filter(([ts]) => ts > t - windowMs && ts <= t);
  if (pts.length < 2) return 0;
  const mx = pts.reduce((s, [x]) => s + x, 0) / pts.length;
  const my = pts.reduce((s, [, y]) => s + y, 0) / pts.length;
  let num = 0;
  let den = 0;
  for (const [x, y] of pts) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den > 0 ? (num / den) * 60_000 : 0;
}
