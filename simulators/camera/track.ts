/**
 * Camera tracks with ground truth, as pure functions (no I/O, no clock): the simulator's cameras
 * publish them, and models/ trains on them. Every generator takes a camera calibration (or a
 * FacadeCamera), an event time and an Rng or seed, and returns `SimTrack`s: the contract `Track`
 * (gateway/src/contracts/readings.ts) plus a `TrackTruth` saying what really moved.
 *
 *   import { generateFallTrack } from '../../simulators/camera/track.ts';
 *   const { track, truth } = generateFallTrack({ camera: device.calibration!, facade: { widthM: 24,
 *     windowColumns: 4 }, floor: 9, object: 'tissue', startTs: Date.now(), rng: 42 });
 *
 * Distractors (birds, leaves, paper, insects, rain, lights, laundry) are in distractors.ts.
 */
import type { Track } from '../../gateway/src/contracts/readings.ts';
import type { CameraCalibration } from '../../gateway/src/contracts/site.ts';
import { Rng } from '../core/rng.ts';
import { isoLocal } from '../core/time.ts';
import { renderDetections, type DetectorNoise, type WorldFrame } from './detector.ts';
import {
  DEFAULT_FLOOR_HEIGHT_M,
  DEFAULT_SILL_M,
  OBJECT_CLASSES,
  OBJECT_CLASS_NAMES,
  releaseHeight,
  sampleObject,
  simulateFall,
  type FallingObject,
  type ObjectClassName,
  type Wind,
} from './fall.ts';
import { FacadeCamera } from './projection.ts';

export const TRACK_LABELS = [
  'thrown_object',
  'bird',
  'leaf',
  'paper',
  'insect',
  'rain',
  'light',
  'laundry',
] as const;
export type TrackLabel = (typeof TRACK_LABELS)[number];

/** What really happened behind a track. */
export interface TrackTruth {
  label: TrackLabel;
  /** True only for objects thrown or dropped from the building (the positive class). */
  isThrow: boolean;
  /** Epoch ms when the motion began (release for falls); frame 0 of the track is later. */
  eventTs: number;
  /** Frames between the event start and the track's frame 0 (confirmation delay, entry into view). */
  firstFrameOffset: number;
  objectClass?: ObjectClassName | 'custom';
  floor?: number;
  /** 1-based window column counted from façade x = 0. */
  column?: number;
  /** Release point (metres: x along façade, y out from it, z above ground). */
  release?: { x: number; y: number; z: number };
  thrown?: boolean;
  terminalSpeedMs?: number;
  /** Epoch ms the object reached the ground (may be after the track ended out of view). */
  impactTs?: number;
  /** Free-text variant (e.g. 'glint', 'window_light', 'headlight' for lights). */
  variant?: string;
  /** The true world point of every track point: [frameIndex, x, y, z] in metres. */
  world: Array<[number, number, number, number]>;
}

export interface SimTrack {
  track: Track;
  truth: TrackTruth;
}

export interface TrackIds {
  siteId?: string;
  deviceId?: string;
  /** Default: `t-` plus 8 hex digits drawn from the rng. */
  trackId?: string;
}

/** Common options of every track generator. */
export interface TrackOptions {
  camera: FacadeCamera | CameraCalibration;
  /** Epoch ms when the motion begins. */
  startTs: number;
  rng: Rng | number | string;
  noise?: DetectorNoise;
  ids?: TrackIds;
  /** Façade being watched (for window positions). Default 24 m wide, 4 columns. */
  facade?: { widthM: number; windowColumns?: number };
  /** Storeys of the watched building (caps release floors). Default 14. */
  floors?: number;
  floorHeightM?: number;
}

export interface FallTrackOptions extends TrackOptions {
  /** Floor the object leaves from (1 = ground floor). */
  floor: number;
  /** Window column, 1-based; default drawn at random. */
  column?: number;
  /** Object class or a concrete object; default a random throwable class. */
  object?: ObjectClassName | FallingObject;
  /** Thrown outward (true) or dropped (false); default drawn (60 % thrown). */
  thrown?: boolean;
  wind?: Wind;
  /**
   * Where in the opening the object leaves: within ± `halfWidthM` of the column's centre line and
   * `aboveSillM` above the sill. Default a window: ±0.6 m, −0.1…+0.2 m; a balcony is wider, and
   * an object held up or tossed leaves higher.
   */
  opening?: { halfWidthM: number; aboveSillM: [number, number] };
}

const WINDOW_OPENING = { halfWidthM: 0.6, aboveSillM: [-0.1, 0.2] as [number, number] };

export function asCamera(c: FacadeCamera | CameraCalibration): FacadeCamera {
  return c instanceof FacadeCamera ? c : new FacadeCamera(c);
}

export function asRng(r: Rng | number | string): Rng {
  return r instanceof Rng ? r : new Rng(r);
}

/** The wire payload of `weige/{id}/track` (shared/CONTRACT.md "Camera track"). */
export function trackPayload(track: Track): Record<string, unknown> {
  return {
    track_id: track.trackId,
    start_ts: isoLocal(track.startTs),
    fps: track.fps,
    frame: { ...track.frame },
    points: track.points,
    ...(track.snapshotUrl ? { snapshot_url: track.snapshotUrl } : {}),
    ...(track.clipUrl ? { clip_url: track.clipUrl } : {}),
  };
}

/** Centre x of a window column on a façade. */
export function columnCentreX(column: number, widthM: number, columns: number): number {
  return ((column - 0.5) * widthM) / columns;
}

/** Builds the Track from per-frame world positions (shared by every generator). */
export function buildTrack(
  camera: FacadeCamera,
  frames: WorldFrame[],
  options: TrackOptions,
  rng: Rng,
  truth: Omit<TrackTruth, 'firstFrameOffset' | 'world'>,
): SimTrack | null {
  const rendered = renderDetections(camera, frames, rng, options.noise);
  if (rendered.points.length < 2) return null;
  const trackId = options.ids?.trackId ?? `t-${rng.int(0, 0xffffffff).toString(16).padStart(8, '0')}`;
  const startTs = Math.round(options.startTs + (rendered.firstFrame * 1000) / camera.fps);
  return {
    track: {
      siteId: options.ids?.siteId ?? 'sim',
      deviceId: options.ids?.deviceId ?? 'camera',
      trackId,
      startTs,
      fps: camera.fps,
      frame: { ...camera.frame },
      points: rendered.points,
      snapshotUrl: null,
      clipUrl: null,
    },
    truth: { ...truth, firstFrameOffset: rendered.firstFrame, world: rendered.truth },
  };
}

/** Classes that count as thrown objects (the positives). */
export const THROWABLE_CLASSES = OBJECT_CLASS_NAMES.filter((n) => OBJECT_CLASSES[n].isThrowable);

/**
 * An object thrown or dropped from window `column` of `floor`, falling with drag and wind to
 * the ground. Returns null only if the camera saw fewer than 2 frames of it.
 */
export function generateFallTrack(options: FallTrackOptions): SimTrack | null {
  const camera = asCamera(options.camera);
  const rng = asRng(options.rng);
  const facade = options.facade ?? { widthM: 24, windowColumns: 4 };
  const columns = facade.windowColumns ?? Math.max(1, Math.round(facade.widthM / 6));
  const column = options.column ?? rng.int(1, columns);
  const floorHeightM = options.floorHeightM ?? DEFAULT_FLOOR_HEIGHT_M;
  const object =
    typeof options.object === 'object'
      ? options.object
      : sampleObject(options.object ?? rng.pick(THROWABLE_CLASSES), rng);
  const thrown = options.thrown ?? rng.chance(0.6);
  // Within the opening, from about the sill (0.9–1.1 m above the floor, FIELD-NOTES §1.2).
  const opening = options.opening ?? WINDOW_OPENING;
  const release = {
    x: columnCentreX(column, facade.widthM, columns) + rng.uniform(-opening.halfWidthM, opening.halfWidthM),
    y: rng.uniform(0.2, 0.6),
    z: releaseHeight(options.floor, floorHeightM, DEFAULT_SILL_M) + rng.uniform(...opening.aboveSillM),
  };
  // A throw: outward 1–4 m/s, sideways ±1 m/s, up to 2 m/s upward (an underarm toss).
  const velocity = thrown
    ? { x: rng.uniform(-1, 1), y: rng.uniform(1, 4), z: rng.uniform(-0.5, 2) }
    : { x: 0, y: rng.uniform(0, 0.3), z: 0 };
  const fall = simulateFall({
    object,
    release,
    velocity,
    ...(options.wind ? { wind: options.wind } : {}),
    rng,
    sampleIntervalS: 1 / camera.fps,
  });
  const frames: WorldFrame[] = fall.samples.map((s, i) => ({
    frame: i,
    p: [s.x, s.y, s.z],
    sizeM: object.sizeM,
    aspect: object.flutter
      ? 0.6 + 0.4 * Math.abs(Math.cos(s.t * 2 * Math.PI * object.flutter.frequencyHz))
      : 1,
  }));
  return buildTrack(camera, frames, options, rng, {
    label: 'thrown_object',
    isThrow: true,
    eventTs: options.startTs,
    objectClass: object.className,
    floor: options.floor,
    column,
    release,
    thrown,
    terminalSpeedMs: fall.terminalSpeedMs,
    impactTs: Math.round(options.startTs + fall.impactTimeS * 1000),
  });
}
