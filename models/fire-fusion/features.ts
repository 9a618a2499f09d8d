/**
 * Shed window → features for the fire-fusion classifier (FIELD-NOTES §3.2–3.4). Shed channels
 * are taken at the worst sensor; the port channels at the most anomalous port (hottest rise over
 * its neighbours), which is also the suspect port named in `fire_risk`. Fusion evidence:
 * nuisances spike one channel briefly (dust, steam, insects: smoke; exhaust: CO; lead-acid end
 * of charge: H₂ with a cool port); a runaway heats one charging port first, then H₂, then CO,
 * then smoke, all rising together.
 */
import { minOver, slopeOver, valueAt, type ShedState } from './shed-state.ts';

export const FEATURE_NAMES = [
  'smoke_db_m',
  'smoke_rise_2min',
  'smoke_elevated_share_5min',
  'co_ppm_log',
  'co_rise_5min_log',
  'h2_ppm_log',
  'h2_rise_5min_log',
  'h2_slope_10min',
  'air_rise_5min_k',
  'humidity_pct',
  'channels_elevated',
  'port_temp_excess_k',
  'port_temp_slope_5min',
  'port_temp_rise_10min_k',
  'port_slope_margin',
  'port_power_kw',
  'port_charging',
  'ports_busy_share',
] as const;

export interface ShedWindow {
  /** Evaluation time, epoch ms. */
  t: number;
  features: number[];
  /** The most anomalous port, or null when the controller has not reported. */
  suspectPort: number | null;
  /** Raw values the decision rules and the evidence use. */
  raw: {
    smokeDbM: number;
    coPpm: number;
    h2Ppm: number;
    /** Rise over the last 5 min (newest minus the window's minimum), ppm. */
    h2Rise5Ppm: number;
    /** VOC (sensors with that channel), ppm, and its 5-min rise; 0 without the channel. */
    vocPpm: number;
    vocRise5Ppm: number;
    airRiseK: number;
    portTempC: number | null;
    portSlopeKPerMin: number;
    /** The suspect port's heating rate over the next port's, K/min. */
    portSlopeMarginKPerMin: number;
    /** The suspect port's state (charging, full, fault, …), null without a controller. */
    portState: string | null;
    /** Some port of the shed is charging. */
    anyCharging: boolean;
    /** Some sensor of the shed reports VOC (then VOC, not H₂ alone, tells a runaway's off-gas). */
    hasVoc: boolean;
    /** Every port's own signals, from which the decider names a port when heat alone does not. */
    ports: PortSignal[];
    /** Each sensor's gases over its own recent baseline: the ratios are read sensor by sensor. */
    gasRises: GasRise[];
  };
}

/** One sensor's newest reading of each gas over its median in the history (15 min), ppm. */
export interface GasRise {
  h2: number;
  co: number;
  /** null for a sensor without a VOC channel. */
  voc: number | null;
}

export interface PortSignal {
  port: number;
  state: string;
  /** Heating rate over 5 min, K/min, and rise over 10 min, K. */
  slopeKPerMin: number;
  rise10K: number;
  /** Share of its power lost since the report before (0 when it drew nothing or gained). */
  powerDropShare: number;
  /** Drew power at some report in the last 10 min. */
  drawing: boolean;
  /** Plugged in for 12 min or more (not a charge just started). */
  established: boolean;
}

const MIN = 60_000;
const BUSY = new Set(['charging', 'full']);

export function shedWindow(state: ShedState, t: number): ShedWindow {
  const { smoke, smokeRise, smokeShare, co, coRise, h2, h2Rise, h2Slope, voc, vocRise, airRise, humidity } =
    shedAir(state, t);
  const { ports, top, second } = rankPorts(state, t);
  const channels = [smoke > 0.05, co > 10, h2 > 5, airRise > 2, (top?.slope ?? 0) > 1].filter(Boolean).length;
  const features = [
    Math.min(smoke, 5),
    Math.min(smokeRise, 5),
    smokeShare,
    Math.log1p(co),
    Math.log1p(Math.max(coRise, 0)),
    Math.log1p(h2),
    Math.log1p(Math.max(h2Rise, 0)),
    clamp(h2Slope, -50, 50),
    clamp(airRise, -10, 50),
    humidity / 100,
    channels,
    clamp(top?.excess ?? 0, -20, 100),
    clamp(top?.slope ?? 0, -20, 60),
    clamp(top?.rise10 ?? 0, -20, 100),
    clamp((top?.slope ?? 0) - (second?.slope ?? 0), -20, 60),
    (top?.power ?? 0) / 1000,
    top && top.p.state === 'charging' ? 1 : 0,
    ports.length ? ports.filter((x) => BUSY.has(x.p.state)).length / ports.length : 0,
  ];
  return {
    t,
    features,
    suspectPort: top?.p.port ?? null,
    raw: {
      smokeDbM: smoke,
      coPpm: co,
      h2Ppm: h2,
      h2Rise5Ppm: Math.max(h2Rise, 0),
      vocPpm: voc,
      vocRise5Ppm: Math.max(vocRise, 0),
      airRiseK: airRise,
      portTempC: top?.temp ?? null,
      portSlopeKPerMin: top?.slope ?? 0,
      portSlopeMarginKPerMin: (top?.slope ?? 0) - (second?.slope ?? 0),
      portState: top?.p.state ?? null,
      anyCharging: ports.some((x) => x.p.state === 'charging'),
      hasVoc: [...state.sensors.values()].some((s) => s.voc.length > 0),
      ports: ports.map((x) => ({
        port: x.p.port,
        state: x.p.state,
        slopeKPerMin: x.slope,
        rise10K: x.rise10,
        powerDropShare: powerDrop(x.p.power, t),
        drawing: x.p.power.some(([ts, w]) => ts > t - 10 * MIN && ts <= t && w > DRAWING_W),
        established: x.p.pluggedSince !== null && t - x.p.pluggedSince >= ESTABLISHED_MS,
      })),
      gasRises: [...state.sensors.values()].map((s) => ({
        h2: overBaseline(s.h2, t),
        co: overBaseline(s.co, t),
        voc: s.voc.length ? overBaseline(s.voc, t) : null,
      })),
    },
  };
}

/** The shed's air at `t`, each channel at its worst sensor. */
function shedAir(state: ShedState, t: number) {
  let smoke = 0;
  let smokeRise = 0;
  let smokeShare = 0;
  let co = 0;
  let coRise = 0;
  let h2 = 0;
  let h2Rise = 0;
  let h2Slope = 0;
  let voc = 0;
  let vocRise = 0;
  let airRise = 0;
  let humidity = 0;
  for (const s of state.sensors.values()) {
    const sm = valueAt(s.smoke, t) ?? 0;
    smoke = Math.max(smoke, sm);
    smokeRise = Math.max(smokeRise, sm - (minOver(s.smoke, t, 2 * MIN) ?? sm));
    const recent = s.smoke.filter(([ts]) => ts > t - 5 * MIN && ts <= t);
    if (recent.length)
      smokeShare = Math.max(smokeShare, recent.filter(([, v]) => v > 0.05).length / recent.length);
    const c = valueAt(s.co, t) ?? 0;
    co = Math.max(co, c);
    coRise = Math.max(coRise, c - (minOver(s.co, t, 5 * MIN) ?? c));
    const h = valueAt(s.h2, t) ?? 0;
    h2 = Math.max(h2, h);
    h2Rise = Math.max(h2Rise, h - (minOver(s.h2, t, 5 * MIN) ?? h));
    h2Slope = Math.max(h2Slope, slopeOver(s.h2, t, 10 * MIN));
    const g = valueAt(s.voc, t) ?? 0;
    voc = Math.max(voc, g);
    vocRise = Math.max(vocRise, g - (minOver(s.voc, t, 5 * MIN) ?? g));
    const temp = valueAt(s.temp, t);
    if (temp !== null) airRise = Math.max(airRise, temp - (minOver(s.temp, t, 5 * MIN) ?? temp));
    humidity = Math.max(humidity, valueAt(s.humidity, t) ?? 0);
  }
  return { smoke, smokeRise, smokeShare, co, coRise, h2, h2Rise, h2Slope, voc, vocRise, airRise, humidity };
}

/** The ports at `t`, most anomalous first: heating rate plus excess over the median busy port. */
function rankPorts(state: ShedState, t: number) {
  const ports = [...state.ports.values()].map((p) => ({
    p,
    temp: valueAt(p.temp, t),
    slope: slopeOver(p.temp, t, 5 * MIN),
    rise10: (valueAt(p.temp, t) ?? 0) - (minOver(p.temp, t, 10 * MIN) ?? valueAt(p.temp, t) ?? 0),
    power: valueAt(p.power, t) ?? 0,
  }));
  const busyTemps = ports.filter((x) => BUSY.has(x.p.state) && x.temp !== null).map((x) => x.temp!);
  const median = busyTemps.length ? busyTemps.sort((a, b) => a - b)[Math.floor(busyTemps.length / 2)]! : null;
  const ranked = ports
    .filter((x) => x.temp !== null)
    .map((x) => ({ ...x, excess: median === null ? 0 : x.temp! - median }))
    .map((x) => ({ ...x, score: x.slope + 0.3 * x.excess }))
    .sort((a, b) => b.score - a.score);
  return { ports, top: ranked[0], second: ranked[1] };
}

/**
 * Newest value at or before `t` over the median of the history up to `t` (0 without readings): a
 * median, not the lowest, so that one low noise reading does not make the next look like a rise.
 */
function overBaseline(series: Array<[number, number]>, t: number): number {
  const upTo = series.filter(([ts]) => ts <= t).map(([, v]) => v);
  if (upTo.length === 0) return 0;
  const median = [...upTo].sort((a, b) => a - b)[Math.floor(upTo.length / 2)]!;
  return Math.max(0, upTo.at(-1)! - median);
}

/** A port drawing less than this is not charging, W. */
const DRAWING_W = 20;

/**
 * A port plugged this long is well into its charge: a charge just started warms its port 1 K/min
 * or more for its first minutes (towards 2.5 K per A above the air); a runaway's pack has been
 * plugged for an hour or more.
 */
const ESTABLISHED_MS = 12 * MIN;

/** Share of the power lost between the last two reports at or before `t`. */
function powerDrop(power: Array<[number, number]>, t: number): number {
  const upTo = power.filter(([ts]) => ts <= t);
  const [before, now] = [upTo.at(-2)?.[1], upTo.at(-1)?.[1]];
  if (before === undefined || now === undefined || before <= DRAWING_W) return 0;
  return Math.max(0, (before - now) / before);
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
