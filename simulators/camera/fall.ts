/**
 * Falling-object physics (pure functions, no I/O): 3-D motion with quadratic air drag and wind,
 * FIELD-NOTES §1.2:
 *
 *   m dv/dt = m g − ½ ρ C_d A |v − w| (v − w)
 *   v_t = sqrt(2 m g / (ρ C_d A)),  τ = v_t / g
 *   fall time from rest: t(h) = (v_t / g) · arccosh(exp(g h / v_t²))
 *
 * Objects are described by mass and terminal speed (the FIELD-NOTES table computes v_t at
 * ρ = 1.2 kg/m³); the drag area C_d·A follows from them. Tumbling objects draw their v_t
 * between the side-on and end-on values each throw. World axes: x along the façade, y outward
 * from it, z up; metres, seconds.
 */
import type { Rng } from '../core/rng.ts';

export const G_MS2 = 9.81;
/** Air density, kg/m³: 1.16–1.29 over Shanghai's seasons (FIELD-NOTES §1.2); 1.2 is the table's. */
export const AIR_DENSITY = 1.2;
/** GB 50096-2011: 住宅层高宜为 2.80 m (FIELD-NOTES §1.2). */
export const DEFAULT_FLOOR_HEIGHT_M = 2.8;
/** Window sill / balcony rail above floor level, 0.9–1.1 m [M] (FIELD-NOTES §1.2). */
export const DEFAULT_SILL_M = 1.0;

export interface ObjectClass {
  /** kg */
  massKg: number;
  /** Terminal speed range, m/s at ρ = 1.2 (side-on … end-on for tumbling objects). */
  terminalSpeedMs: [number, number];
  /** Largest dimension, m (box size in the image). */
  sizeM: number;
  /** Flat, light objects flutter sideways (FIELD-NOTES §1.2, leaves and paper). */
  flutter?: { amplitudeM: [number, number]; frequencyHz: [number, number] };
  /** Counts as a thrown object (true) or a hard negative that merely falls (false). */
  isThrowable: boolean;
}

/** Terminal speeds from the FIELD-NOTES §1.2 table ([C] at ρ = 1.2); sizes are typical dimensions. */
export const OBJECT_CLASSES = {
  cigarette_end: { massKg: 0.00025, terminalSpeedMs: [4.3, 9.5], sizeM: 0.028, isThrowable: true },
  bottle_cap: { massKg: 0.0025, terminalSpeedMs: [6.5, 8], sizeM: 0.03, isThrowable: true },
  tissue: { massKg: 0.002, terminalSpeedMs: [5.3, 6.3], sizeM: 0.06, isThrowable: true },
  empty_bottle: { massKg: 0.018, terminalSpeedMs: [4.9, 10.5], sizeM: 0.2, isThrowable: true },
  full_bottle: { massKg: 0.52, terminalSpeedMs: [24, 28], sizeM: 0.2, isThrowable: true },
  egg: { massKg: 0.06, terminalSpeedMs: [33, 37], sizeM: 0.055, isThrowable: true },
  fruit: { massKg: 0.2, terminalSpeedMs: [35, 39], sizeM: 0.08, isThrowable: true },
  garbage_bag: { massKg: 2, terminalSpeedMs: [19, 23], sizeM: 0.4, isThrowable: true },
  flower_pot: { massKg: 2, terminalSpeedMs: [40, 46], sizeM: 0.2, isThrowable: true },
  film_bag: {
    massKg: 0.005,
    terminalSpeedMs: [1.0, 1.5],
    sizeM: 0.3,
    flutter: { amplitudeM: [0.3, 1.0], frequencyHz: [0.3, 0.8] },
    isThrowable: true,
  },
  leaf: {
    massKg: 0.001,
    terminalSpeedMs: [1.0, 2.7],
    sizeM: 0.08,
    flutter: { amplitudeM: [0.2, 0.8], frequencyHz: [0.5, 1.5] },
    isThrowable: false,
  },
  paper: {
    massKg: 0.004,
    terminalSpeedMs: [1.0, 2.7],
    sizeM: 0.2,
    flutter: { amplitudeM: [0.3, 1.2], frequencyHz: [0.3, 1.0] },
    isThrowable: false,
  },
} as const satisfies Record<string, ObjectClass>;

export type ObjectClassName = keyof typeof OBJECT_CLASSES;
export const OBJECT_CLASS_NAMES = Object.keys(OBJECT_CLASSES) as ObjectClassName[];

/** One concrete object for one fall. */
export interface FallingObject {
  className: ObjectClassName | 'custom';
  massKg: number;
  /** C_d·A, m². */
  dragAreaM2: number;
  sizeM: number;
  flutter: { amplitudeM: number; frequencyHz: number; phase: number } | null;
}

export function terminalSpeed(massKg: number, dragAreaM2: number, airDensity = AIR_DENSITY): number {
  return Math.sqrt((2 * massKg * G_MS2) / (airDensity * dragAreaM2));
}

export function dragAreaFor(massKg: number, terminalSpeedMs: number, airDensity = AIR_DENSITY): number {
  return (2 * massKg * G_MS2) / (airDensity * terminalSpeedMs ** 2);
}

/** Release height of floor k: h = floorHeight·(k − 1) + sill (FIELD-NOTES §1.2 fall-time table). */
export function releaseHeight(
  floor: number,
  floorHeightM = DEFAULT_FLOOR_HEIGHT_M,
  sillM = DEFAULT_SILL_M,
): number {
  return floorHeightM * (floor - 1) + sillM;
}

/** Floor whose window a release height belongs to (inverse of releaseHeight, rounded). */
export function floorOfHeight(
  heightM: number,
  floorHeightM = DEFAULT_FLOOR_HEIGHT_M,
  sillM = DEFAULT_SILL_M,
): number {
  return Math.max(1, Math.round((heightM - sillM) / floorHeightM) + 1);
}

export function freeFallTime(heightM: number): number {
  return Math.sqrt((2 * heightM) / G_MS2);
}

/** Analytic fall time from rest with quadratic drag, still air. */
export function fallTimeWithDrag(heightM: number, terminalSpeedMs: number): number {
  const vt = terminalSpeedMs;
  return (vt / G_MS2) * Math.acosh(Math.exp((G_MS2 * heightM) / vt ** 2));
}

/** Speed after falling from rest for `timeS` with quadratic drag: v_t·tanh(g t / v_t). */
export function speedAfter(timeS: number, terminalSpeedMs: number): number {
  return terminalSpeedMs * Math.tanh((G_MS2 * timeS) / terminalSpeedMs);
}

/** Draws one object of a class: v_t uniform in its range, flutter parameters if it flutters. */
export function sampleObject(className: ObjectClassName, rng: Rng): FallingObject {
  const c: ObjectClass = OBJECT_CLASSES[className];
  const vt = rng.uniform(c.terminalSpeedMs[0], c.terminalSpeedMs[1]);
  return {
    className,
    massKg: c.massKg,
    dragAreaM2: dragAreaFor(c.massKg, vt),
    sizeM: c.sizeM,
    flutter: c.flutter
      ? {
          amplitudeM: rng.uniform(c.flutter.amplitudeM[0], c.flutter.amplitudeM[1]),
          frequencyHz: rng.uniform(c.flutter.frequencyHz[0], c.flutter.frequencyHz[1]),
          phase: rng.uniform(0, 2 * Math.PI),
        }
      : null,
  };
}

/** The mid-range object of a class (deterministic, for tests and tables). */
export function typicalObject(className: ObjectClassName): FallingObject {
  const c: ObjectClass = OBJECT_CLASSES[className];
  const vt = (c.terminalSpeedMs[0] + c.terminalSpeedMs[1]) / 2;
  return {
    className,
    massKg: c.massKg,
    dragAreaM2: dragAreaFor(c.massKg, vt),
    sizeM: c.sizeM,
    flutter: null,
  };
}

/**
 * Wind: a log profile w(z) = w_ref·ln(z/z0)/ln(z_ref/z0) (FIELD-NOTES §1.2: 0–8 m/s at roof
 * height, turbulence intensity 0.1–0.3), plus gusts as an Ornstein–Uhlenbeck process.
 */
export interface Wind {
  /** Mean speed at the reference height, m/s. */
  speedMs: number;
  /** Direction the wind blows towards, degrees from +x (along the façade) towards +y (outward). */
  towardsDeg: number;
  /** Reference (roof) height, m. */
  referenceHeightM: number;
  /** Turbulence intensity σ/mean, 0.1–0.3. */
  turbulence: number;
  /** Roughness length, m (0.5–1 for suburbs and towns). */
  roughnessM?: number;
}

export const CALM: Wind = { speedMs: 0, towardsDeg: 0, referenceHeightM: 40, turbulence: 0 };

export interface FallOptions {
  object: FallingObject;
  /** Release point, m (z = height above ground). */
  release: { x: number; y?: number; z: number };
  /** Initial velocity, m/s (a throw); zero for a drop. */
  velocity?: { x?: number; y?: number; z?: number };
  wind?: Wind;
  /** Needed only for gusts (turbulence > 0). */
  rng?: Rng;
  /** Sample spacing of the returned trajectory, s (1/fps). Default 1/25. */
  sampleIntervalS?: number;
  /** Integration step, s. Default 2 ms. */
  stepS?: number;
  airDensity?: number;
  /** Stop even if the ground was not reached. Default 180 s. */
  maxDurationS?: number;
}

export interface FallSample {
  /** Seconds since release. */
  t: number;
  x: number;
  y: number;
  z: number;
  vx: number;
  vy: number;
  vz: number;
}

export interface FallResult {
  samples: FallSample[];
  /** Time from release to ground (z = 0), s, interpolated between integration steps. */
  impactTimeS: number;
  impactSpeedMs: number;
  terminalSpeedMs: number;
}

/**
 * Integrates the fall with RK4 from release to the ground. Samples are taken every
 * `sampleIntervalS` starting at t = 0; the last sample is the impact. Flutter, for flat light
 * objects, adds a lateral oscillation along the façade on top of the drag-limited descent.
 */
export function simulateFall(options: FallOptions): FallResult {
  const rho = options.airDensity ?? AIR_DENSITY;
  const { massKg, dragAreaM2, flutter } = options.object;
  const wind = options.wind ?? CALM;
  const stepS = options.stepS ?? 0.002;
  const sampleS = options.sampleIntervalS ?? 1 / 25;
  const maxS = options.maxDurationS ?? 180;
  // Gust factor: OU process with a 2 s correlation time, σ = turbulence intensity.
  const gustTauS = 2;
  let gust = 0;
  const accel = equationsOfMotion(options);
  let state = [
    options.release.x,
    options.release.y ?? 0,
    options.release.z,
    options.velocity?.x ?? 0,
    options.velocity?.y ?? 0,
    options.velocity?.z ?? 0,
  ];
  const sample = flutterSampler(flutter);

  const samples: FallSample[] = [sample(0, state)];
  let t = 0;
  let nextSample = sampleS;
  for (;;) {
    if (wind.turbulence > 0 && options.rng) {
      const sigma = wind.turbulence;
      gust += (-gust / gustTauS) * stepS + sigma * Math.sqrt((2 * stepS) / gustTauS) * options.rng.normal();
    }
    const next = rungeKuttaStep(state, stepS, (st) => accel(st, gust));
    const tNext = t + stepS;
    if (next[2]! <= 0) {
      // Interpolate the ground crossing within the step.
      const frac = state[2]! / (state[2]! - next[2]!);
      const hit = state.map((v, i) => v + frac * (next[i]! - v));
      const impactTimeS = t + frac * stepS;
      hit[2] = 0;
      while (nextSample < impactTimeS - 1e-9) {
        // A sample may fall inside this last step.
        const f = (nextSample - t) / stepS;
        samples.push(
          sample(
            nextSample,
            state.map((v, i) => v + f * (next[i]! - v)),
          ),
        );
        nextSample += sampleS;
      }
      samples.push(sample(impactTimeS, hit));
      const speed = Math.hypot(hit[3]!, hit[4]!, hit[5]!);
      return {
        samples,
        impactTimeS,
        impactSpeedMs: speed,
        terminalSpeedMs: terminalSpeed(massKg, dragAreaM2, rho),
      };
    }
    while (nextSample <= tNext + 1e-9) {
      const f = (nextSample - t) / stepS;
      samples.push(
        sample(
          nextSample,
          state.map((v, i) => v + f * (next[i]! - v)),
        ),
      );
      nextSample += sampleS;
    }
    state = next;
    t = tNext;
    if (t >= maxS) {
      return {
        samples,
        impactTimeS: Number.POSITIVE_INFINITY,
        impactSpeedMs: Math.hypot(state[3]!, state[4]!, state[5]!),
        terminalSpeedMs: terminalSpeed(massKg, dragAreaM2, rho),
      };
    }
  }
}

/**
 * d(state)/dt for state [x, y, z, vx, vy, vz] and a gust factor: gravity, and quadratic drag
 * against the log-profile wind.
 */
function equationsOfMotion(options: FallOptions): (s: number[], gustFactor: number) => number[] {
  const rho = options.airDensity ?? AIR_DENSITY;
  const { massKg, dragAreaM2 } = options.object;
  const k = (0.5 * rho * dragAreaM2) / massKg;
  const wind = options.wind ?? CALM;
  const z0 = wind.roughnessM ?? 0.7;
  const dirX = Math.cos((wind.towardsDeg * Math.PI) / 180);
  const dirY = Math.sin((wind.towardsDeg * Math.PI) / 180);
  const profileNorm = Math.log(Math.max(wind.referenceHeightM, z0 * 1.01) / z0);
  const windAt = (z: number): number =>
    wind.speedMs <= 0 ? 0 : (wind.speedMs * Math.log(Math.max(z, z0) / z0)) / profileNorm;
  return (s, gustFactor) => {
    const w = windAt(s[2]!) * (1 + gustFactor);
    const rx = s[3]! - w * dirX;
    const ry = s[4]! - w * dirY;
    const rz = s[5]!;
    const rel = Math.sqrt(rx * rx + ry * ry + rz * rz);
    return [s[3]!, s[4]!, s[5]!, -k * rel * rx, -k * rel * ry, -G_MS2 - k * rel * rz];
  };
}

/** One classic fourth-order Runge–Kutta step of `stepS` seconds. */
function rungeKuttaStep(state: number[], stepS: number, derivative: (s: number[]) => number[]): number[] {
  const k1 = derivative(state);
  const k2 = derivative(state.map((v, i) => v + (stepS / 2) * k1[i]!));
  const k3 = derivative(state.map((v, i) => v + (stepS / 2) * k2[i]!));
  const k4 = derivative(state.map((v, i) => v + stepS * k3[i]!));
  return state.map((v, i) => v + (stepS / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
}

/** A sample of the state at `t`, with the flutter (a lateral swing along the façade) on top. */
function flutterSampler(flutter: FallingObject['flutter']): (t: number, s: number[]) => FallSample {
  const lateral = (t: number): { dx: number; dvx: number } => {
    if (!flutter) return { dx: 0, dvx: 0 };
    const w = 2 * Math.PI * flutter.frequencyHz;
    return {
      dx: flutter.amplitudeM * (Math.sin(w * t + flutter.phase) - Math.sin(flutter.phase)),
      dvx: flutter.amplitudeM * w * Math.cos(w * t + flutter.phase),
    };
  };
  return (t, s) => {
    const f = lateral(t);
    return { t, x: s[0]! + f.dx, y: s[1]!, z: s[2]!, vx: s[3]! + f.dvx, vy: s[4]!, vz: s[5]! };
  };
}
