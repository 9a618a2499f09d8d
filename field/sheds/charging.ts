/**
 * Charging sessions on a shed's ports: lithium packs (CC then CV taper, then full) and lead-acid
 * packs (longer, and gassing hydrogen near the end of the charge), plus the overcharged lithium
 * pack that runs away.
 */
import type { Rng } from '../rng.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../time.ts';

export type Chemistry = 'lithium' | 'lead_acid';

export interface Session {
  port: number;
  chemistry: Chemistry;
  plugTs: number;
  /** End of charging: the controller reports `full` from here. */
  fullTs: number;
  unplugTs: number;
  fullVoltageV: number;
  ccCurrentA: number;
  /** Lead-acid end-of-charge gassing, if any: [from, to, ppm at the shed sensor]. */
  gassing: [number, number, number] | null;
}

export interface PortReading {
  state: 'idle' | 'charging' | 'full' | 'fault' | 'off';
  powerW: number;
  voltageV: number;
  currentA: number;
  /** Rise of the port's temperature over the shed air, K. */
  heatK: number;
}

/** Nominal full-charge voltages of e-bike packs: lithium 48/60/72 V class, lead-acid 48/60 V. */
const LITHIUM_FULL_V = [54.6, 67.2, 84];
const LEAD_ACID_FULL_V = [57.6, 59, 72, 73.5];

export function drawSession(rng: Rng, port: number, plugTs: number, chemistry: Chemistry): Session {
  const hours = chemistry === 'lithium' ? rng.uniform(3, 8) : rng.uniform(6, 10);
  const fullTs = plugTs + hours * HOUR_MS;
  // Hydrogen at the end of a lead-acid charge: 20–200 ppm for 20–40 min (see README.md).
  const gassingMs = rng.uniform(20, 40) * MINUTE_MS;
  return {
    port,
    chemistry,
    plugTs: Math.round(plugTs),
    fullTs: Math.round(fullTs),
    unplugTs: Math.round(fullTs + rng.uniform(0.5, 10) * HOUR_MS),
    fullVoltageV: rng.pick(chemistry === 'lithium' ? LITHIUM_FULL_V : LEAD_ACID_FULL_V),
    ccCurrentA: chemistry === 'lithium' ? rng.uniform(2, 5) : rng.uniform(1.8, 3),
    gassing:
      chemistry === 'lead_acid'
        ? [Math.round(fullTs - gassingMs), Math.round(fullTs), rng.uniform(20, 200)]
        : null,
  };
}

/** A day's sessions on every port: each port is used on 30–80 % of days, mostly in the evening. */
export function drawSessions(
  rng: Rng,
  ports: number,
  startMs: number,
  days: number,
  lithiumShare: number,
  useShare: number,
): Session[][] {
  return Array.from({ length: ports }, (_, i) => {
    const out: Session[] = [];
    for (let d = 0; d < days; d++) {
      if (!rng.chance(useShare)) continue;
      const hour = rng.chance(0.7) ? rng.uniform(17, 23) : rng.uniform(8, 16);
      const plug = startMs + d * DAY_MS + hour * HOUR_MS;
      if (out.length && out[out.length - 1]!.unplugTs > plug) continue;
      out.push(drawSession(rng, i + 1, plug, rng.chance(lithiumShare) ? 'lithium' : 'lead_acid'));
    }
    return out;
  });
}

export function sessionAt(sessions: Session[], t: number): Session | null {
  return sessions.find((s) => t >= s.plugTs && t < s.unplugTs) ?? null;
}

/** The controller's view of a port at `t`: CC, then a CV taper over the last quarter, then full. */
export function portAt(s: Session | null, t: number): PortReading {
  if (!s) return { state: 'idle', powerW: 0, voltageV: 0, currentA: 0, heatK: 0 };
  if (t >= s.fullTs) return { state: 'full', powerW: 2, voltageV: s.fullVoltageV, currentA: 0, heatK: 1 };
  const progress = (t - s.plugTs) / (s.fullTs - s.plugTs);
  const taper = progress < 0.75 ? 1 : Math.max(0.08, 1 - (progress - 0.75) / 0.25);
  const currentA = s.ccCurrentA * taper;
  const voltageV = s.fullVoltageV * (progress < 0.75 ? 0.88 + 0.14 * progress : 1);
  return {
    state: 'charging',
    powerW: (voltageV * currentA) / 0.85,
    voltageV,
    currentA,
    heatK: 2.5 * currentA,
  };
}
