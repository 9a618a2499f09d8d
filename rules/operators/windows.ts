/**
 * Event-time window functions a rule's facts are built from: `max(temp_c, 5m)`,
 * `rate_per_min(temp_c, 2m)`, `consumption(total_m3, 12h)`… Each declares its arguments (checked
 * when the rule loads), how much history it needs (so the engine keeps exactly that much), and
 * whether its value moves with the clock alone (so the engine re-evaluates it on clock ticks).
 * Functions are pure: samples in, number or string out, `undefined` for "unknown".
 *
 * Durations come back in seconds and rates per minute, so thresholds in rule files read like
 * the field notes (°C/min, m³, s).
 */
import type { FactValue } from './comparison.ts';

/** One value of one field at one event time (epoch ms). Samples are kept sorted by `ts`. */
export interface Sample {
  ts: number;
  v: number | string;
}

export type ArgKind = 'field' | 'duration' | 'number';

export interface ArgSpec {
  name: string;
  kind: ArgKind;
  /** Optional arguments take this value (ms for durations) when left out. */
  default?: number;
}

/** Arguments after compilation: the field name, then numbers (durations in ms). */
export interface WindowArgs {
  field: string;
  params: number[];
}

export interface WindowFunction {
  readonly name: string;
  readonly description: string;
  readonly args: readonly ArgSpec[];
  /** True when the value changes as time passes without new samples (age, span). */
  readonly clockDriven: boolean;
  /** How far behind the newest sample this function looks, in ms. */
  horizonMs(args: WindowArgs): number;
  /** Extra checks beyond argument kinds; null when fine. */
  validate?(args: WindowArgs): string | null;
  evaluate(samples: readonly Sample[], at: number, args: WindowArgs): FactValue;
}

/** A register change smaller than this is meter noise (registers resolve 1 L = 0.001 m³). */
export const REGISTER_EPSILON_M3 = 0.0005;

const num = (s: Sample | undefined): number | undefined => (s && typeof s.v === 'number' ? s.v : undefined);

/** Register differences carry float noise (100.012 - 100.002 = 0.00999…); registers resolve 1 L. */
function roundRegister(m3: number): number {
  return Math.round(m3 * 1e6) / 1e6;
}

/** Index of the last sample with ts <= at, or -1. Samples are sorted, so binary search. */
export function lastIndexAtOrBefore(samples: readonly Sample[], at: number): number {
  let lo = 0;
  let hi = samples.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid]!.ts <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Numeric samples in (at - windowMs, at]. */
function inWindow(samples: readonly Sample[], at: number, windowMs: number): number[] {
  const end = lastIndexAtOrBefore(samples, at);
  const out: number[] = [];
  for (let i = end; i >= 0 && samples[i]!.ts > at - windowMs; i--) {
    const v = samples[i]!.v;
    if (typeof v === 'number') out.push(v);
  }
  return out.reverse();
}

function aggregate(
  name: string,
  description: string,
  reduce: (xs: number[]) => number | undefined,
): WindowFunction {
  return {
    name,
    description,
    args: [
      { name: 'field', kind: 'field' },
      { name: 'window', kind: 'duration' },
    ],
    clockDriven: false,
    horizonMs: (a) => a.params[0]!,
    evaluate: (samples, at, a) => reduce(inWindow(samples, at, a.params[0]!)),
  };
}

export const WINDOW_FUNCTIONS: readonly WindowFunction[] = [
  {
    name: 'latest',
    description: 'newest value at or before the evaluation time; unknown if older than max_age (when given)',
    args: [
      { name: 'field', kind: 'field' },
      { name: 'max_age', kind: 'duration', default: 0 },
    ],
    clockDriven: false,
    horizonMs: () => 0,
    evaluate: (samples, at, a) => {
      const s = samples[lastIndexAtOrBefore(samples, at)];
      if (!s) return undefined;
      const maxAge = a.params[0]!;
      return maxAge > 0 && at - s.ts > maxAge ? undefined : s.v;
    },
  },
  aggregate('min', 'smallest value in the window', (xs) => (xs.length ? Math.min(...xs) : undefined)),
  aggregate('max', 'largest value in the window', (xs) => (xs.length ? Math.max(...xs) : undefined)),
  aggregate('avg', 'mean value in the window', (xs) =>
    xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : undefined,
  ),
  aggregate('sum', 'sum of the values in the window', (xs) => xs.reduce((s, x) => s + x, 0)),
  aggregate('count', 'number of samples (readings or events) in the window', (xs) => xs.length),
  {
    name: 'rate_per_min',
    description:
      'rise per minute across the window, from the oldest to the newest sample in it (needs two samples at least 20 s apart)',
    args: [
      { name: 'field', kind: 'field' },
      { name: 'window', kind: 'duration' },
    ],
    clockDriven: false,
    horizonMs: (a) => a.params[0]!,
    evaluate: (samples, at, a) => {
      const end = lastIndexAtOrBefore(samples, at);
      const last = samples[end];
      if (!last || typeof last.v !== 'number') return undefined;
      let first: Sample | undefined;
      for (let i = end - 1; i >= 0 && samples[i]!.ts >= last.ts - a.params[0]!; i--)
        if (typeof samples[i]!.v === 'number') first = samples[i];
      if (!first || last.ts - first.ts < 20_000) return undefined;
      return (((last.v as number) - (first.v as number)) / (last.ts - first.ts)) * 60_000;
    },
  },
  {
    name: 'consumption',
    description:
      'use from a cumulative register over the window ending at the newest reading (newest minus the register at the window start); unknown until readings cover the whole window, or when the reading before the window start is more than a window older',
    args: [
      { name: 'field', kind: 'field' },
      { name: 'window', kind: 'duration' },
    ],
    clockDriven: false,
    horizonMs: (a) => a.params[0]!,
    evaluate: (samples, at, a) => {
      const end = lastIndexAtOrBefore(samples, at);
      const last = num(samples[end]);
      if (last === undefined) return undefined;
      // Register readings are exact whatever the gap between them, so the difference of two is
      // the use in between, even across a daily NB-IoT batch.
      const windowMs = a.params[0]!;
      const from = samples[end]!.ts - windowMs;
      const startIdx = lastIndexAtOrBefore(samples, from);
      // The register at the window start must be known: a reading at most one window earlier.
      // Across a longer gap (a lost daily batch) the difference is not this window's use.
      if (startIdx < 0 || from - samples[startIdx]!.ts > windowMs) return undefined;
      const start = num(samples[startIdx]);
      return start === undefined ? undefined : roundRegister(Math.max(0, last - start));
    },
  },
  {
    name: 'unchanged_for',
    description:
      'seconds the value has stayed the same, measured between readings (up to the given horizon); a register that keeps reporting the same total shows no use',
    args: [
      { name: 'field', kind: 'field' },
      { name: 'horizon', kind: 'duration' },
    ],
    clockDriven: false,
    horizonMs: (a) => a.params[0]!,
    evaluate: (samples, at, a) => {
      const end = lastIndexAtOrBefore(samples, at);
      const last = samples[end];
      if (!last) return undefined;
      let runStart = last.ts;
      for (let i = end - 1; i >= 0; i--) {
        const s = samples[i]!;
        const same =
          typeof s.v === 'number' && typeof last.v === 'number'
            ? Math.abs(s.v - last.v) < REGISTER_EPSILON_M3
            : s.v === last.v;
        if (!same) break;
        runStart = s.ts;
      }
      return Math.min(last.ts - runStart, a.params[0]!) / 1000;
    },
  },
  {
    name: 'flow_every_slot',
    description:
      'share (0..1) of the slots in the window with register use. Slots are the intervals between readings, merged up to at least `slot`, so hourly registers are judged hour by hour; unknown across a gap of more than one missing reading (a gap proves nothing)',
    args: [
      { name: 'field', kind: 'field' },
      { name: 'window', kind: 'duration' },
      { name: 'slot', kind: 'duration', default: 1_800_000 },
    ],
    clockDriven: false,
    horizonMs: (a) => a.params[0]!,
    validate: (a) =>
      a.params[1]! <= 0 || a.params[1]! > a.params[0]! ? 'slot must be within the window' : null,
    evaluate: (samples, at, a) => {
      const [windowMs, slotMin] = a.params as [number, number];
      const end = lastIndexAtOrBefore(samples, at);
      if (end < 0) return undefined;
      const startIdx = lastIndexAtOrBefore(samples, samples[end]!.ts - windowMs);
      if (startIdx < 0) return undefined;
      // Chunks of consecutive readings at least `slotMin` long: [from, to] sample indexes.
      const chunks: Array<[number, number]> = [];
      let from = startIdx;
      for (let i = startIdx + 1; i <= end; i++)
        if (samples[i]!.ts - samples[from]!.ts >= slotMin * 0.9 || i === end) {
          chunks.push([from, i]);
          from = i;
        }
      if (chunks.length === 0) return undefined;
      const lengths = chunks.map(([f, t]) => samples[t]!.ts - samples[f]!.ts);
      // The reporting cadence is the shortest full slot (the forced last one may be short). Not
      // the median: a few sparse readings (alarm uplinks before a daily batch has arrived) would
      // outnumber the regular ones and pass off hours without data as slots with use.
      const full = lengths.filter((l) => l >= slotMin * 0.9);
      const typical = Math.max(slotMin, Math.min(...(full.length ? full : lengths)));
      // One lost reading doubles a slot (tolerated); a longer gap, or a slot spanning half the
      // window, proves nothing about the hours inside it.
      const longest = Math.max(...lengths);
      if (longest > typical * 2.5 || longest > windowMs / 2) return undefined;
      let used = 0;
      for (const [f, t] of chunks) {
        const a0 = num(samples[f]);
        const a1 = num(samples[t]);
        if (a0 !== undefined && a1 !== undefined && a1 - a0 > REGISTER_EPSILON_M3) used++;
      }
      return used / chunks.length;
    },
  },
  {
    name: 'age',
    description: 'seconds since the newest sample (grows with the clock while nothing arrives)',
    args: [{ name: 'field', kind: 'field' }],
    clockDriven: true,
    horizonMs: () => 0,
    evaluate: (samples, at) => {
      const s = samples[lastIndexAtOrBefore(samples, at)];
      return s ? Math.max(0, at - s.ts) / 1000 : undefined;
    },
  },
  {
    name: 'span',
    description:
      'seconds the samples have kept coming with gaps no longer than max_gap (a fire lane blocked in event after event); 0 once max_gap passes without one',
    args: [
      { name: 'field', kind: 'field' },
      { name: 'max_gap', kind: 'duration' },
      { name: 'horizon', kind: 'duration', default: 6 * 3600_000 },
    ],
    clockDriven: true,
    horizonMs: (a) => a.params[1]!,
    evaluate: (samples, at, a) => {
      const [maxGap] = a.params as [number];
      const end = lastIndexAtOrBefore(samples, at);
      if (end < 0) return undefined;
      if (at - samples[end]!.ts > maxGap) return 0;
      let start = samples[end]!.ts;
      for (let i = end - 1; i >= 0 && start - samples[i]!.ts <= maxGap; i--) start = samples[i]!.ts;
      return (samples[end]!.ts - start) / 1000;
    },
  },
];

const BY_NAME = new Map(WINDOW_FUNCTIONS.map((f) => [f.name, f]));

export function windowFunction(name: string): WindowFunction | undefined {
  return BY_NAME.get(name);
}
