/**
 * What a camera's motion tracker makes of a 3-D trajectory: per-frame box centre and size in
 * pixels, with position noise, motion blur, dropped frames, a confirmation delay before the first
 * reported frame, and loss of objects too small to see (FIELD-NOTES §1.2, pixel footprint: a
 * cigarette end at 40–60 m is sub-pixel, visible only through motion blur).
 */
import type { TrackPoint } from '../../gateway/src/contracts/readings.ts';
import type { Rng } from '../core/rng.ts';
import type { FacadeCamera, Vec3 } from './projection.ts';

export interface DetectorNoise {
  /** Centre position noise, px (1σ). Default 1.0. */
  positionPx?: number;
  /** Probability a frame's detection is missing. Default 0.03. */
  dropRate?: number;
  /** Frames before the tracker confirms a track (drawn 0…max). Default 2. */
  maxConfirmFrames?: number;
  /**
   * Seconds from the start of the motion before the tracker confirms it, drawn uniformly; when
   * given it replaces `maxConfirmFrames` (real trackers confirm 0.1–1 s after release, issue 13).
   */
  confirmDelayS?: [number, number];
  /** Exposure time, s: vertical smear = speed × exposure (1/50 s is typical). Default 0.02. */
  exposureS?: number;
  /** Boxes below this area (px²) are detected only with probability `smallDetectRate`. Default 4. */
  minAreaPx?: number;
  smallDetectRate?: number;
}

export const DEFAULT_NOISE: Required<Omit<DetectorNoise, 'confirmDelayS'>> = {
  positionPx: 1.0,
  dropRate: 0.03,
  maxConfirmFrames: 2,
  exposureS: 0.02,
  minAreaPx: 4,
  smallDetectRate: 0.5,
};

/** One true position per frame: frame number since the event began, world point, object size. */
export interface WorldFrame {
  frame: number;
  p: Vec3;
  sizeM: number;
  /** Multiplies the box height (wing beats, flutter, streaks); default 1. */
  aspect?: number;
  /** Extra blur in pixels, added to both sides (defocus of near-lens objects). */
  blurPx?: number;
}

export interface Rendered {
  /** Track points with frame indices relative to the first reported frame. */
  points: TrackPoint[];
  /** Frame number (in WorldFrame numbering) of the first reported frame. */
  firstFrame: number;
  /** The true world point of each reported point, same order: [frameIndex, x, y, z]. */
  truth: Array<[number, number, number, number]>;
}

export function renderDetections(
  camera: FacadeCamera,
  frames: readonly WorldFrame[],
  rng: Rng,
  noise: DetectorNoise = {},
): Rendered {
  const n = { ...DEFAULT_NOISE, ...noise };
  const confirm = noise.confirmDelayS
    ? Math.round(rng.uniform(...noise.confirmDelayS) * camera.fps)
    : rng.int(0, n.maxConfirmFrames);
  const points: TrackPoint[] = [];
  const truth: Array<[number, number, number, number]> = [];
  let firstFrame = -1;
  let prev: { u: number; v: number } | null = null;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    const pr = camera.project3d(f.p);
    if (pr.depthM <= 0.05) {
      prev = null;
      continue;
    }
    const speed = prev ? Math.hypot(pr.u - prev.u, pr.v - prev.v) : 0;
    const dir = prev ? { du: Math.abs(pr.u - prev.u), dv: Math.abs(pr.v - prev.v) } : { du: 0, dv: 0 };
    prev = { u: pr.u, v: pr.v };
    if (i < confirm || !camera.inFrame(pr.u, pr.v)) continue;
    const size = camera.sizePx(f.sizeM, pr.depthM);
    // Smear along the motion over the exposure (a fraction of the inter-frame displacement).
    const smear = speed > 0 ? n.exposureS * camera.fps : 0;
    const blur = f.blurPx ?? 0;
    const w = Math.max(2, size + dir.du * smear + blur);
    const h = Math.max(2, size * (f.aspect ?? 1) + dir.dv * smear + blur);
    if (rng.chance(n.dropRate)) continue;
    if (w * h < n.minAreaPx && !rng.chance(n.smallDetectRate)) continue;
    const sd = n.positionPx + 0.03 * Math.max(w, h);
    if (firstFrame < 0) firstFrame = f.frame;
    const idx = f.frame - firstFrame;
    points.push([
      idx,
      round1(clamp(pr.u + rng.normal(0, sd), 0, camera.frame.w - 1)),
      round1(clamp(pr.v + rng.normal(0, sd), 0, camera.frame.h - 1)),
      Math.round(w),
      Math.round(h),
    ]);
    truth.push([idx, f.p[0], f.p[1], f.p[2]]);
  }
  return { points, firstFrame: Math.max(0, firstFrame), truth };
}

const round1 = (v: number): number => Math.round(v * 10) / 10;
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
