/**
 * Physics origin tracer: fits free fall with quadratic air drag to a track on the façade plane
 * and runs it back to the release point (issue 6 §1; FIELD-NOTES §1.2).
 *
 *   dv/dt = (0, −g) − c·|v|·v,   c = g / v_t²   (v_t: terminal speed)
 *
 * Unknowns: release time (before the first detection), release point, initial velocity and the
 * drag coefficient. Light litter reaches v_t within about a second and then falls at constant
 * speed; a flower pot falls almost freely; both are the same model with a different c, so the
 * tracer never demands g-acceleration. Release time and height trade off along the trajectory,
 * so weak priors (release shortly before the first detection, small initial speed) pin the fit;
 * their widths are tuning parameters recorded in the model's meta.json.
 */
import type { FacadePoint } from './geometry.ts';

export const G_MS2 = 9.81;

export interface TracerOptions {
  /** Detector noise at the box centre, pixels (1σ). */
  pixelNoisePx: number;
  /** Prior width on the time between release and first detection, seconds. */
  releaseLeadSigmaS: number;
  /** Prior width on the initial vertical speed (a throw, not a launch), m/s. */
  verticalSpeedSigmaMs: number;
  /** Prior width on the initial horizontal speed, m/s. */
  horizontalSpeedSigmaMs: number;
}

export const DEFAULT_TRACER_OPTIONS: TracerOptions = {
  pixelNoisePx: 1.5,
  releaseLeadSigmaS: 0.12,
  verticalSpeedSigmaMs: 2.5,
  horizontalSpeedSigmaMs: 3,
};

export interface TraceFit {
  /** Release time, seconds relative to the track's frame 0. */
  releaseT: number;
  releaseX: number;
  releaseZ: number;
  /** 1σ of the release point from the fit's covariance, metres. */
  sigmaX: number;
  sigmaZ: number;
  initialVelocity: [number, number];
  terminalSpeedMs: number;
  /** Observation χ² per degree of freedom (≈ 1 for a body obeying the model). */
  chi2PerDof: number;
  rmsM: number;
  /** Fitted path from release to the last point: [t, x, z], t relative to frame 0. */
  trajectory: Array<[number, number, number]>;
}

// Parameter vector: [lead, x0, z0, vx0, vz0, logC].
type Params = [number, number, number, number, number, number];
const N_PARAMS = 6;
const LOG_C_MIN = -12; // v_t ≈ 1200 m/s: free fall
const LOG_C_MAX = 2; // v_t ≈ 1.2 m/s: a fluttering bag
const STEP_S = 0.02;

/** Positions of the drag model at `times` (ascending, ≥ release), from release at `t0`. */
export function integrateDragFall(
  t0: number,
  state: [number, number, number, number],
  c: number,
  times: readonly number[],
): Array<[number, number]> {
  let [x, z, vx, vz] = state;
  let t = t0;
  const out: Array<[number, number]> = [];
  for (const target of times) {
    while (t < target - 1e-9) {
      const h = Math.min(STEP_S, target - t);
      // RK4 on a(u) = (−c|u|·ux, −g − c|u|·uz), written out: this runs millions of times per
      // replayed day, and a small array per stage kept the garbage collector busy.
      let s = hypot(vx, vz);
      const a1x = -c * s * vx;
      const a1z = -G_MS2 - c * s * vz;
      const u2x = vx + (h / 2) * a1x;
      const u2z = vz + (h / 2) * a1z;
      s = hypot(u2x, u2z);
      const a2x = -c * s * u2x;
      const a2z = -G_MS2 - c * s * u2z;
      const u3x = vx + (h / 2) * a2x;
      const u3z = vz + (h / 2) * a2z;
      s = hypot(u3x, u3z);
      const a3x = -c * s * u3x;
      const a3z = -G_MS2 - c * s * u3z;
      const u4x = vx + h * a3x;
      const u4z = vz + h * a3z;
      s = hypot(u4x, u4z);
      const a4x = -c * s * u4x;
      const a4z = -G_MS2 - c * s * u4z;
      x += (h / 6) * (vx + 2 * u2x + 2 * u3x + u4x);
      z += (h / 6) * (vz + 2 * u2z + 2 * u3z + u4z);
      vx += (h / 6) * (a1x + 2 * a2x + 2 * a3x + a4x);
      vz += (h / 6) * (a1z + 2 * a2z + 2 * a3z + a4z);
      t += h;
    }
    out.push([x, z]);
  }
  return out;
}

/**
 * Math.hypot of two numbers, to the last bit: V8's algorithm (scale by the larger magnitude, sum
 * the squares, root, scale back) without the builtin's argument array, which made the drag
 * integration allocate four times per step (test/models/falling-object/tracer.test.ts).
 */
export function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  // NaN compares false, so a NaN never becomes the max (hypot(∞, NaN) is ∞).
  let max = 0;
  if (x > max) max = x;
  if (y > max) max = y;
  if (max === Infinity) return Infinity;
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (max === 0) return 0;
  const nx = x / max;
  const ny = y / max;
  return Math.sqrt(nx * nx + ny * ny) * max;
}

/** Faster than anyone throws from a window, m/s: a fit this fast has explained flutter or parallax. */
const MAX_THROW_SPEED_MS = 8;

export function traceOrigin(
  points: readonly FacadePoint[],
  options: TracerOptions = DEFAULT_TRACER_OPTIONS,
): TraceFit | null {
  const whole = robustFit(points, options);
  if (!whole) return null;
  // The release point comes from the head of the track: later on, flutter, wind gusts and the
  // parallax of an object thrown towards the camera bend the path away from the plane model.
  const t0 = points[0]!.t;
  const head = points.filter((p) => p.t - t0 <= HEAD_S);
  if (head.length < 6 || head.length === points.length) return whole;
  const near = robustFit(head, options);
  if (!near) return whole;
  return {
    ...whole,
    releaseT: near.releaseT,
    releaseX: near.releaseX,
    releaseZ: near.releaseZ,
    sigmaX: near.sigmaX,
    sigmaZ: near.sigmaZ,
  };
}

/** Length of the head of a track that locates the release point, seconds. */
const HEAD_S = 0.6;

function robustFit(points: readonly FacadePoint[], options: TracerOptions): TraceFit | null {
  const fit = fitDragFall(points, options);
  if (!fit || Math.hypot(...fit.initialVelocity) <= MAX_THROW_SPEED_MS) return fit;
  // Refit with tight priors: release at the first detection, from (nearly) rest.
  return fitDragFall(points, {
    ...options,
    releaseLeadSigmaS: options.releaseLeadSigmaS / 3,
    verticalSpeedSigmaMs: options.verticalSpeedSigmaMs / 4,
    horizontalSpeedSigmaMs: options.horizontalSpeedSigmaMs / 4,
  });
}

function fitDragFall(points: readonly FacadePoint[], options: TracerOptions): TraceFit | null {
  if (points.length < 4) return null;
  const t0 = points[0]!.t;
  const times = points.map((p) => p.t - t0);
  const sigmas = points.map((p) => Math.max(options.pixelNoisePx * p.scaleM, 0.005));

  const residuals = (p: Params): number[] => {
    const lead = Math.abs(p[0]);
    const logC = clamp(p[5], LOG_C_MIN, LOG_C_MAX);
    const path = integrateDragFall(-lead, [p[1], p[2], p[3], p[4]], Math.exp(logC), times);
    const r: number[] = [];
    for (let i = 0; i < points.length; i++) {
      r.push((path[i]![0] - points[i]!.x) / sigmas[i]!, (path[i]![1] - points[i]!.z) / sigmas[i]!);
    }
    r.push(
      lead / options.releaseLeadSigmaS,
      p[3] / options.horizontalSpeedSigmaMs,
      p[4] / options.verticalSpeedSigmaMs,
      (logC - Math.log(G_MS2 / 100)) / 4,
    );
    return r;
  };

  const first = points[0]!;
  const k = Math.min(3, points.length - 1);
  const dt = Math.max(points[k]!.t - first.t, 1e-3);
  const vx = (points[k]!.x - first.x) / dt;
  let best: { p: Params; cost: number; jtj: number[][] } | null = null;
  // Several drag regimes as starting points: litter, a bottle, a flower pot.
  for (const vt of [4, 12, 60]) {
    const start: Params = [0.04, first.x, first.z, vx, 0, Math.log(G_MS2 / (vt * vt))];
    const fit = levenbergMarquardt(residuals, start);
    if (!best || fit.cost < best.cost) best = fit;
  }
  if (!best) return null;
  const p = best.p;
  const nObs = points.length * 2;
  const obsCost = residuals(p)
    .slice(0, nObs)
    .reduce((s, v) => s + v * v, 0);
  const dof = Math.max(nObs - N_PARAMS, 1);
  const chi2PerDof = obsCost / dof;
  const cov = invert(best.jtj);
  // Scale the covariance by the reduced χ² when the model fits worse than the noise says.
  const scale = Math.max(1, chi2PerDof);
  const lead = Math.abs(p[0]);
  const c = Math.exp(clamp(p[5], LOG_C_MIN, LOG_C_MAX));
  const lastT = times[times.length - 1]!;
  const sampleTimes = Array.from({ length: 25 }, (_, i) => (i / 24) * (lastT + lead));
  const traj = integrateDragFall(-lead, [p[1], p[2], p[3], p[4]], c, sampleTimes);
  let sq = 0;
  const fitted = integrateDragFall(-lead, [p[1], p[2], p[3], p[4]], c, times);
  for (let i = 0; i < points.length; i++)
    sq += (fitted[i]![0] - points[i]!.x) ** 2 + (fitted[i]![1] - points[i]!.z) ** 2;
  return {
    releaseT: t0 - lead,
    releaseX: p[1],
    releaseZ: p[2],
    sigmaX: Math.sqrt(Math.max(cov?.[1]?.[1] ?? 1, 0) * scale),
    sigmaZ: Math.sqrt(Math.max(cov?.[2]?.[2] ?? 1, 0) * scale),
    initialVelocity: [p[3], p[4]],
    terminalSpeedMs: Math.sqrt(G_MS2 / c),
    chi2PerDof,
    rmsM: Math.sqrt(sq / points.length),
    trajectory: traj.map(([x, z], i) => [round(t0 + sampleTimes[i]! - lead, 3), round(x, 3), round(z, 3)]),
  };
}

function levenbergMarquardt(
  f: (p: Params) => number[],
  start: Params,
): { p: Params; cost: number; jtj: number[][] } {
  let p = [...start] as Params;
  let r = f(p);
  let cost = sumSq(r);
  let lambda = 1e-2;
  let jtj: number[][] = [];
  for (let iter = 0; iter < 60; iter++) {
    const J = jacobian(f, p, r);
    jtj = multiplyTranspose(J);
    const jtr = Array.from({ length: N_PARAMS }, (_, a) => J.reduce((s, row, i) => s + row[a]! * r[i]!, 0));
    let improved = false;
    for (let attempt = 0; attempt < 8; attempt++) {
      const damped = jtj.map((row, a) => row.map((v, b) => (a === b ? v * (1 + lambda) + 1e-9 : v)));
      const step = solve(
        damped,
        jtr.map((v) => -v),
      );
      if (!step) {
        lambda *= 10;
        continue;
      }
      const candidate = p.map((v, i) => v + step[i]!) as Params;
      const rc = f(candidate);
      const cc = sumSq(rc);
      if (cc < cost) {
        const gain = cost - cc;
        p = candidate;
        r = rc;
        cost = cc;
        lambda = Math.max(lambda / 3, 1e-7);
        improved = gain > 1e-6 * Math.max(cost, 1);
        break;
      }
      lambda *= 4;
    }
    if (!improved) break;
  }
  return { p, cost, jtj };
}

function jacobian(f: (p: Params) => number[], p: Params, r0: number[]): number[][] {
  const J = r0.map(() => new Array<number>(N_PARAMS).fill(0));
  for (let a = 0; a < N_PARAMS; a++) {
    const h = 1e-5 * Math.max(1, Math.abs(p[a]!));
    const q = [...p] as Params;
    q[a] = p[a]! + h;
    const r1 = f(q);
    for (let i = 0; i < r0.length; i++) J[i]![a] = (r1[i]! - r0[i]!) / h;
  }
  return J;
}

function multiplyTranspose(J: number[][]): number[][] {
  const out = Array.from({ length: N_PARAMS }, () => new Array<number>(N_PARAMS).fill(0));
  for (const row of J)
    for (let a = 0; a < N_PARAMS; a++) for (let b = 0; b < N_PARAMS; b++) out[a]![b]! += row[a]! * row[b]!;
  return out;
}

/** Gaussian elimination with partial pivoting; null when singular. */
function solve(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let i = col + 1; i < n; i++) if (Math.abs(M[i]![col]!) > Math.abs(M[piv]![col]!)) piv = i;
    if (Math.abs(M[piv]![col]!) < 1e-12) return null;
    [M[col], M[piv]] = [M[piv]!, M[col]!];
    for (let i = col + 1; i < n; i++) {
      const factor = M[i]![col]! / M[col]![col]!;
      for (let j = col; j <= n; j++) M[i]![j]! -= factor * M[col]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = M[i]![n]!;
    for (let j = i + 1; j < n; j++) s -= M[i]![j]! * x[j]!;
    x[i] = s / M[i]![i]!;
  }
  return x;
}

function invert(A: number[][]): number[][] | null {
  const n = A.length;
  const cols: number[][] = [];
  for (let i = 0; i < n; i++) {
    const e = new Array<number>(n).fill(0);
    e[i] = 1;
    const col = solve(A, e);
    if (!col) return null;
    cols.push(col);
  }
  return A.map((_, i) => cols.map((col) => col[i]!));
}

const sumSq = (r: number[]): number => r.reduce((s, v) => s + v * v, 0);
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const round = (v: number, digits: number): number => Number(v.toFixed(digits));
