/**
 * falling-object: runtime pre- and post-processing (the only file the gateway imports).
 * Track → façade points → drag-fall origin fit → physics features → classifier → decision.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { TrackPoint } from '../../gateway/src/contracts/readings.ts';
import type { ModelMeta } from '../lib/model-store.ts';
import { extractFeatures, type ImageEntry } from './features.ts';
import { cameraCentre, offPlane, toFacade, type FacadePoint, type Homography } from './geometry.ts';
import { alertThreshold, fallPhysics, isBlownFlutter, type FallPhysics } from './physics-gate.ts';
import { DEFAULT_SILL_M, originOf, type FacadeLayout, type Origin } from './origin.ts';
import { DEFAULT_TRACER_OPTIONS, traceOrigin, type TraceFit, type TracerOptions } from './tracer.ts';

export const MODEL_NAME = 'falling-object';
/** The class that means "an object thrown or dropped from the building"; all others are distractors. */
export const POSITIVE_CLASS = 'thrown_object';
/** The simulator's track labels (simulators/camera/track.ts TRACK_LABELS). */
export const CLASSES = [
  'thrown_object',
  'bird',
  'leaf',
  'paper',
  'insect',
  'rain',
  'light',
  'laundry',
] as const;
export type TrackClass = (typeof CLASSES)[number];

/** Long litter tracks are thinned to this many points: the fit stays well under the 1 s budget. */
const MAX_FIT_POINTS = 100;

export interface CameraContext {
  homography: Homography;
  fps: number;
  layout: FacadeLayout;
}

export interface TrackInput {
  fps: number;
  points: readonly TrackPoint[];
  /** Image size, px (the contract Track carries it); the frame centre is taken as principal point. */
  frame?: { w: number; h: number };
}

export interface TrackAnalysis {
  facade: FacadePoint[];
  fit: TraceFit | null;
  origin: Origin | null;
  /**
   * How far it falls, metres: from the fitted release point to the last tracked point if it came
   * to rest there (a balcony, an awning), to the ground if it was still falling when lost.
   */
  dropM: number;
  features: number[];
  /** What the physics gate reads (physics-gate.ts); null without a fit. */
  physics: FallPhysics | null;
}

export interface FallingObjectDecision {
  alert: boolean;
  /** Why not, when `alert` is false. */
  reason: 'ok' | 'not_an_object' | 'short_fall' | 'no_fit' | 'blown_flutter';
  trackClass: TrackClass;
  confidence: number;
  probabilities: Record<TrackClass, number>;
}

export function tracerOptionsFrom(params: Record<string, number>): TracerOptions {
  return {
    pixelNoisePx: params.pixelNoisePx ?? DEFAULT_TRACER_OPTIONS.pixelNoisePx,
    releaseLeadSigmaS: params.releaseLeadSigmaS ?? DEFAULT_TRACER_OPTIONS.releaseLeadSigmaS,
    verticalSpeedSigmaMs: params.verticalSpeedSigmaMs ?? DEFAULT_TRACER_OPTIONS.verticalSpeedSigmaMs,
    horizontalSpeedSigmaMs: params.horizontalSpeedSigmaMs ?? DEFAULT_TRACER_OPTIONS.horizontalSpeedSigmaMs,
  };
}

export function analyseTrack(
  track: TrackInput,
  camera: CameraContext,
  params: Record<string, number> = {},
): TrackAnalysis {
  const all = toFacade(camera.homography, track.fps || camera.fps, track.points);
  const stride = Math.ceil(all.length / MAX_FIT_POINTS);
  const facade = stride > 1 ? all.filter((_, i) => i % stride === 0 || i === all.length - 1) : all;
  const fit = facade.length >= 4 ? traceOrigin(facade, tracerOptionsFrom(params)) : null;
  const sill = params.sillM ?? DEFAULT_SILL_M;
  const release = fit ? releasePoint(fit, track.frame, camera, params.releaseOffsetM ?? 0) : null;
  const origin =
    fit && release
      ? originOf(
          { ...release, sigmaX: fit.sigmaX, sigmaZ: fit.sigmaZ },
          camera.layout,
          sill,
          params.rangeSigmas ?? 2,
        )
      : null;
  const dropM = fit ? fallHeight(fit, all) : 0;
  const features =
    all.length >= 2
      ? extractFeatures(
          all,
          fit,
          camera.layout,
          track.fps || camera.fps,
          imageEntry(track),
          release ? { ...release, sillM: sill } : null,
        )
      : [];
  return { facade: all, fit, origin, dropM, features, physics: fallPhysics(all, fit, features) };
}

/**
 * The release point on the façade. An object leaves a window or balcony about an arm's length
 * (`offsetM`) out from the façade plane, so the homography, which maps onto that plane, puts it
 * too high by the parallax (z − camera height)·offset/distance (up to a floor's third at the top
 * of a tall building): move it back along the camera ray. Versions without the parameter keep
 * the plane point.
 */
function releasePoint(
  fit: TraceFit,
  frame: { w: number; h: number } | undefined,
  camera: CameraContext,
  offsetM: number,
): { x: number; z: number } {
  const plane = { x: fit.releaseX, z: fit.releaseZ };
  if (offsetM <= 0 || !frame) return plane;
  const centre = cameraCentre(camera.homography, frame);
  return centre ? offPlane(plane, centre, offsetM) : plane;
}

/**
 * Where the first box sat: 0 at a side edge, 0.5 in the middle; 0 at the top edge, 1 at the
 * bottom. And how far the last box sat from the nearest edge of the frame (0 … 0.5).
 */
function imageEntry(track: TrackInput): ImageEntry {
  const sorted = [...track.points].sort((p, q) => p[0] - q[0]);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!track.frame || !first || !last) return { sideEdgeShare: 0.5, topEdgeShare: 0.5 };
  const { w, h } = track.frame;
  return {
    sideEdgeShare: Math.min(first[1], w - 1 - first[1]) / w,
    topEdgeShare: first[2] / h,
    endEdgeShare: Math.min(Math.min(last[1], w - 1 - last[1]) / w, Math.min(last[2], h - 1 - last[2]) / h),
  };
}

/** Downward speed below which an object at the end of its track is taken to have landed, m/s. */
const STILL_FALLING_MS = 1;

function fallHeight(fit: TraceFit, pts: readonly FacadePoint[]): number {
  const last = pts[pts.length - 1]!;
  const observed = fit.releaseZ - last.z;
  const [a, b] = fit.trajectory.slice(-2) as [[number, number, number], [number, number, number]];
  const vz = (b[2] - a[2]) / Math.max(b[0] - a[0], 1e-3);
  return vz < -STILL_FALLING_MS ? Math.max(observed, fit.releaseZ) : observed;
}

/** Class probabilities for a batch of analyses, in one model call. */
export function classify(
  tf: typeof import('@tensorflow/tfjs'),
  model: LayersModel,
  meta: ModelMeta,
  analyses: ReadonlyArray<{ features: number[] }>,
): Array<Record<TrackClass, number>> {
  const rows = analyses.map((a) => standardise(a.features, meta));
  if (rows.length === 0) return [];
  const flat = tf.tidy(() => (model.predict(tf.tensor2d(rows)) as Tensor).dataSync());
  const k = meta.classes.length;
  return rows.map((_, i) => {
    const out = {} as Record<TrackClass, number>;
    for (const c of CLASSES) out[c] = 0;
    meta.classes.forEach((c, j) => (out[c as TrackClass] = flat[i * k + j]!));
    return out;
  });
}

export function decide(
  track: { fitted: boolean; dropM: number; physics?: FallPhysics | null },
  probabilities: Record<TrackClass, number>,
  meta: ModelMeta,
  floorHeightM: number,
): FallingObjectDecision {
  const ranked = (Object.entries(probabilities) as Array<[TrackClass, number]>).sort((a, b) => b[1] - a[1]);
  const pThrown = probabilities[POSITIVE_CLASS];
  const physics = track.physics ?? null;
  const threshold = alertThreshold(physics, meta.thresholds.alert ?? 0.5);
  const minDropM = (meta.thresholds.minDropFloors ?? 2) * floorHeightM;
  const blown = physics !== null && isBlownFlutter(physics);
  const thrown = pThrown >= threshold && !blown;
  const trackClass = thrown ? POSITIVE_CLASS : ranked.find(([c]) => c !== POSITIVE_CLASS)![0];
  const base = { trackClass, confidence: thrown ? pThrown : 1 - pThrown, probabilities };
  if (!track.fitted) return { alert: false, reason: 'no_fit', ...base };
  if (pThrown < threshold) return { alert: false, reason: 'not_an_object', ...base };
  if (blown) return { alert: false, reason: 'blown_flutter', ...base };
  // Deployed systems alarm only past two floors of travel (FIELD-NOTES §1.1, Wenzhou pilot).
  if (track.dropM < minDropM) return { alert: false, reason: 'short_fall', ...base };
  return { alert: true, reason: 'ok', ...base };
}

export function standardise(features: readonly number[], meta: ModelMeta): number[] {
  return meta.features.names.map((_, i) => {
    const v = Number.isFinite(features[i]) ? features[i]! : 0;
    return (v - meta.features.mean[i]!) / (meta.features.std[i]! || 1);
  });
}
