/**
 * Track → physics features for the classifier. Each says something the field notes name as a
 * separator (FIELD-NOTES §1.2, "Distractor kinematics"): how far and how steadily it fell, whether
 * the drag-fall model explains it, terminal speed, lateral oscillation (leaves, paper, laundry),
 * size and size flicker (wing beats, insects near the lens), climbing (birds), where it started.
 * From @5: the fall actually seen (not extrapolated), vertical reversals (a falling body never
 * turns back up; birds climb, insects dart), box-shape pulsing (wing beats, paper flutter),
 * entry from the side of the frame (birds and blown paper fly in; a throw starts at a window),
 * growth of the box (coming towards the lens) and the sideways speed on entry (blown paper).
 * From @7: where in the frame's height it was first seen and how fast it was already falling —
 * a throw is first seen at its window, still slow (the tracker confirms within a few frames of
 * the release), or entering from the top edge at speed; an insect darting past the lens appears
 * anywhere already at full speed.
 * From @8: where the release point sits against the façade's windows and where the track ended.
 * A throw leaves through a window, so its release lies near a window column's centre line and
 * just above a floor's sill line; an insect's or a rain drop's track, run back by the same fit,
 * starts anywhere on the façade. And a falling body does not vanish in mid-air: a throw's track
 * ends where it leaves the frame or reaches the ground, while an insect turning out of the depth
 * of field or a drop leaving focus is lost in the middle of the view, high above the ground.
 */
import type { FacadePoint } from './geometry.ts';
import { DEFAULT_SILL_M, type FacadeLayout } from './origin.ts';
import type { TraceFit } from './tracer.ts';

export const FEATURE_NAMES = [
  'log_duration_s',
  'log_points',
  'frame_coverage',
  'drop_floors',
  'net_drop_ratio',
  'log_chi2_drag',
  'log_chi2_parabola',
  'parabola_accel_g',
  'log_terminal_speed',
  'log_mean_down_speed',
  'down_step_share',
  'log_max_climb_m',
  'reversals_per_s',
  'log_lateral_ratio',
  'straightness',
  'speed_cv',
  'log_size_m',
  'size_cv',
  'start_height_ratio',
  'start_inside_facade',
  'log_release_speed_ms',
  // Added in @5; older versions read only the names in their meta.json, a prefix of this list.
  'observed_drop_floors',
  'vertical_reversals_per_s',
  'aspect_cv',
  'side_entry',
  'log_size_growth',
  'log_entry_lateral_speed_ms',
  // Added in @7.
  'top_entry',
  'log_entry_down_speed_ms',
  // Added in @8.
  'release_column_offset',
  'release_sill_offset',
  'end_edge_share',
  'end_height_floors',
] as const;

/** Where the track's first box sat in the image. */
export interface ImageEntry {
  /** Share of the frame width from the nearest side edge (0 … 0.5). */
  sideEdgeShare: number;
  /** Share of the frame height from the top edge (0 … 1). */
  topEdgeShare: number;
  /**
   * Where the last box sat: share of the frame from the nearest edge, top, bottom or side
   * (0 … 0.5). Unknown (no frame size) counts as the edge: no evidence of a track lost mid-view.
   */
  endEdgeShare?: number;
}

/** The fitted release point on the façade (metres) and the sill height that floors are read at. */
export interface ReleaseContext {
  x: number;
  z: number;
  sillM: number;
}

export function extractFeatures(
  pts: readonly FacadePoint[],
  fit: TraceFit | null,
  layout: FacadeLayout,
  fps: number,
  entry: ImageEntry = { sideEdgeShare: 0.5, topEdgeShare: 0.5 },
  release: ReleaseContext | null = fit ? { x: fit.releaseX, z: fit.releaseZ, sillM: DEFAULT_SILL_M } : null,
): number[] {
  const n = pts.length;
  const first = pts[0]!;
  const last = pts[n - 1]!;
  const duration = Math.max(last.t - first.t, 1 / fps);
  const frames = Math.round(duration * fps) + 1;
  const buildingHeight = layout.floors * layout.floorHeightM;

  const { path, downSteps, climb, reversals, lateral, verticalReversals, speeds } = pathStats(pts);
  const startZ = fit ? fit.releaseZ : first.z;
  const drop = startZ - last.z;
  const netDisp = Math.hypot(last.x - first.x, last.z - first.z);
  const sizes = pts.map((p) => p.sizeM);
  const para = parabolaFit(pts);
  const raw = [
    Math.log(duration),
    Math.log(n),
    Math.min(1, n / frames),
    clamp(drop / layout.floorHeightM, -5, 40),
    (first.z - last.z) / Math.max(path, 1e-3),
    Math.log1p(fit ? fit.chi2PerDof : 1e4),
    Math.log1p(para.chi2PerDof),
    clamp(para.accelMs2 / 9.81, -5, 5),
    Math.log(Math.min(fit ? fit.terminalSpeedMs : 1, 200)),
    Math.log(Math.max((first.z - last.z) / duration, 0.05)),
    downSteps / Math.max(n - 1, 1),
    Math.log1p(climb),
    reversals / duration,
    Math.log1p(lateral / Math.max(Math.abs(first.z - last.z), 0.1)),
    netDisp / Math.max(path, 1e-3),
    coefficientOfVariation(speeds),
    Math.log(mean(sizes)),
    coefficientOfVariation(sizes),
    clamp(startZ / buildingHeight, -1, 3),
    first.x >= -1 && first.x <= layout.widthM + 1 && startZ <= buildingHeight + 2 ? 1 : 0,
    Math.log1p(fit ? Math.hypot(fit.initialVelocity[0], fit.initialVelocity[1]) : 0),
    clamp((first.z - last.z) / layout.floorHeightM, -20, 40),
    verticalReversals / duration,
    coefficientOfVariation(pts.map((p) => p.aspect ?? 1)),
    clamp(entry.sideEdgeShare, 0, 0.5),
    clamp(Math.log(mean(quarter(sizes, 'last')) / Math.max(mean(quarter(sizes, 'first')), 1e-6)), -5, 5),
    Math.log1p(entrySpeed(pts).lateral),
    clamp(entry.topEdgeShare, 0, 1),
    Math.log1p(entrySpeed(pts).down),
    release ? columnOffset(release.x, layout) : 1,
    release ? sillOffset(release.z, release.sillM, layout) : 1,
    clamp(entry.endEdgeShare ?? 0, 0, 0.5),
    clamp(last.z / layout.floorHeightM, -2, 40),
  ];
  // Degenerate tracks (one pixel, zero duration) must not hand NaN or ±∞ to the network.
  return raw.map((v) => (Number.isFinite(v) ? Math.max(-FEATURE_LIMIT, Math.min(FEATURE_LIMIT, v)) : 0));
}

/** The track step by step: path length, descending steps, climb, direction reversals, speeds. */
function pathStats(pts: readonly FacadePoint[]) {
  let path = 0;
  let downSteps = 0;
  let climb = 0;
  let minZ = pts[0]!.z;
  let reversals = 0;
  let lastDx = 0;
  let lateral = 0;
  let verticalReversals = 0;
  let lastDz = 0;
  const speeds: number[] = [];
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const dx = b.x - a.x;
    const dz = b.z - a.z;
    const dt = Math.max(b.t - a.t, 1e-3);
    path += Math.hypot(dx, dz);
    lateral += Math.abs(dx);
    if (dz < 0) downSteps++;
    minZ = Math.min(minZ, b.z);
    climb = Math.max(climb, b.z - minZ);
    // Count direction changes of the horizontal motion above the noise floor.
    if (Math.abs(dx) > 2 * b.scaleM) {
      if (lastDx !== 0 && Math.sign(dx) !== Math.sign(lastDx)) reversals++;
      lastDx = dx;
    }
    if (Math.abs(dz) > 2 * b.scaleM) {
      if (lastDz !== 0 && Math.sign(dz) !== Math.sign(lastDz)) verticalReversals++;
      lastDz = dz;
    }
    speeds.push(Math.hypot(dx, dz) / dt);
  }
  return { path, downSteps, climb, reversals, lateral, verticalReversals, speeds };
}

const FEATURE_LIMIT = 1e3;
/** How long the entry speed is measured over, seconds. */
const ENTRY_S = 0.3;

/** First or last quarter of a series (at least one value). */
function quarter(xs: readonly number[], which: 'first' | 'last'): number[] {
  const k = Math.max(1, Math.floor(xs.length / 4));
  return which === 'first' ? xs.slice(0, k) : xs.slice(-k);
}

/**
 * Speed over the first ENTRY_S seconds, m/s: sideways (blown paper arrives at wind speed) and
 * downwards (never negative).
 */
function entrySpeed(pts: readonly FacadePoint[]): { lateral: number; down: number } {
  const t0 = pts[0]!.t;
  const head = pts.filter((p) => p.t - t0 <= ENTRY_S);
  const end = head.length >= 2 ? head[head.length - 1]! : pts[Math.min(1, pts.length - 1)]!;
  const dt = Math.max(end.t - t0, 1e-3);
  return { lateral: Math.abs(end.x - pts[0]!.x) / dt, down: Math.max(0, pts[0]!.z - end.z) / dt };
}
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * Distance of x from the nearest window column's centre line, as a share of half a column's width:
 * 0 on the centre line, 1 on the boundary between two columns or off the façade's side.
 */
export function columnOffset(x: number, layout: FacadeLayout): number {
  const width = layout.widthM / layout.windowColumns;
  const inColumn = x / width - Math.floor(x / width);
  const offset = Math.abs(inColumn - 0.5) * 2;
  return x < 0 || x > layout.widthM ? 1 : offset;
}

/**
 * Distance of a height from the nearest floor's sill line ((k − 1)·storey + sill), as a share of
 * half a storey: 0 on a sill, 1 midway between two.
 */
export function sillOffset(z: number, sillM: number, layout: FacadeLayout): number {
  const storeys = (z - sillM) / layout.floorHeightM;
  return Math.min(1, Math.abs(storeys - Math.round(storeys)) * 2);
}

/** The baseline's model: z(t) = a t² + b t + c by least squares (constant acceleration). */
export function parabolaFit(pts: readonly FacadePoint[]): {
  accelMs2: number;
  coefficients: [number, number, number];
  chi2PerDof: number;
  r2: number;
} {
  const t0 = pts[0]!.t;
  // Normal equations for [a, b, c] over (t², t, 1).
  const S = [0, 0, 0, 0, 0];
  const T = [0, 0, 0];
  for (const p of pts) {
    const t = p.t - t0;
    const pow = [1, t, t * t, t * t * t, t * t * t * t];
    for (let k = 0; k < 5; k++) S[k]! += pow[k]!;
    T[0]! += p.z * t * t;
    T[1]! += p.z * t;
    T[2]! += p.z;
  }
  const A = [
    [S[4]!, S[3]!, S[2]!],
    [S[3]!, S[2]!, S[1]!],
    [S[2]!, S[1]!, S[0]!],
  ];
  const sol = solve3(A, T as [number, number, number]) ?? [0, 0, mean(pts.map((p) => p.z))];
  let sse = 0;
  let chi = 0;
  const zMean = mean(pts.map((p) => p.z));
  let sst = 0;
  for (const p of pts) {
    const t = p.t - t0;
    const r = sol[0] * t * t + sol[1] * t + sol[2] - p.z;
    sse += r * r;
    chi += (r / Math.max(1.5 * p.scaleM, 0.005)) ** 2;
    sst += (p.z - zMean) ** 2;
  }
  return {
    accelMs2: 2 * sol[0],
    coefficients: sol,
    chi2PerDof: chi / Math.max(pts.length - 3, 1),
    r2: sst > 0 ? 1 - sse / sst : 0,
  };
}

function solve3(A: number[][], b: [number, number, number]): [number, number, number] | null {
  const det = (m: number[][]): number =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
    m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
    m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const d = det(A);
  if (Math.abs(d) < 1e-12) return null;
  const col = (k: number): number[][] => A.map((row, i) => row.map((v, j) => (j === k ? b[i]! : v)));
  return [det(col(0)) / d, det(col(1)) / d, det(col(2)) / d];
}

const mean = (xs: readonly number[]): number => xs.reduce((s, v) => s + v, 0) / Math.max(xs.length, 1);

function coefficientOfVariation(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  const v = mean(xs.map((x) => (x - m) ** 2));
  return Math.sqrt(v) / Math.max(Math.abs(m), 1e-6);
}
