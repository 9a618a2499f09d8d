/**
 * Rain as the falling-object detector sees it (FIELD-NOTES §1.2): half the time many short
 * near-vertical streaks at 4–9 m/s (Gunn & Kinzer 1949) through the view, half the time drips from
 * one spot of the façade — air-conditioner condensate, laundry on a rack, an eave — each drop a
 * free fall from rest at a raindrop's terminal speed, repeating every 2–60 s (issue 13: 97 % of
 * the field's false throw alerts).
 */
import type { Rng } from '../core/rng.ts';
import type { WorldFrame } from './detector.ts';
import {
  AIR_DENSITY,
  dragAreaFor,
  simulateFall,
  releaseHeight,
  type FallingObject,
  type Wind,
} from './fall.ts';
import type { FacadeCamera } from './projection.ts';
import { asCamera, asRng, buildTrack, columnCentreX, type SimTrack, type TrackOptions } from './track.ts';

export interface RainOptions extends TrackOptions {
  wind?: Wind;
  /** Rain: drops per call (each its own track). Default 12. */
  drops?: number;
}

export function rain(camera: FacadeCamera, rng: Rng, o: RainOptions): Array<SimTrack | null> {
  return rng.chance(0.5) ? dripSpot(camera, rng, o) : streaks(camera, rng, o);
}

const DRIP_SPOTS = ['condensate', 'laundry', 'eave'] as const;

/** `drops` drops (default 12) falling one after another from one spot of the façade. */
export function generateDripSpot(
  options: RainOptions & { variant?: (typeof DRIP_SPOTS)[number] },
): SimTrack[] {
  return dripSpot(asCamera(options.camera), asRng(options.rng), options).filter(
    (t): t is SimTrack => t !== null,
  );
}
const WATER_DENSITY = 1000;

/**
 * Drops falling one after another from one spot of the façade: an air-conditioner's condensate
 * pipe beside a window, a rack of wet laundry out of a balcony, an eave after rain. Each drop
 * (2–5 mm, terminal speed 6.5–9.2 m/s, Gunn & Kinzer 1949) falls from rest to the ground; each is
 * its own track, the next 2–60 s later (±30 %).
 */
function dripSpot(
  camera: FacadeCamera,
  rng: Rng,
  o: RainOptions & { variant?: (typeof DRIP_SPOTS)[number] },
): Array<SimTrack | null> {
  const facade = o.facade ?? { widthM: 24, windowColumns: 4 };
  const columns = facade.windowColumns ?? 4;
  const floorHeightM = o.floorHeightM ?? 2.8;
  const floors = o.floors ?? 14;
  const variant = o.variant ?? rng.pick(DRIP_SPOTS);
  const x = columnCentreX(rng.int(1, columns), facade.widthM, columns) + rng.uniform(-2, 2);
  const floor = rng.int(2, floors);
  const spot =
    variant === 'eave'
      ? { x, y: rng.uniform(0, 0.6), z: floors * floorHeightM + rng.uniform(0, 0.5) }
      : variant === 'laundry'
        ? { x, y: rng.uniform(0.5, 1.2), z: releaseHeight(floor, floorHeightM) + rng.uniform(0.3, 1.5) }
        : { x, y: rng.uniform(0.3, 0.8), z: (floor - 1) * floorHeightM + rng.uniform(0.3, 2.2) };
  const periodS = rng.uniform(2, 60);
  const out: Array<SimTrack | null> = [];
  let startTs = o.startTs;
  for (let d = 0; d < (o.drops ?? 12); d++) {
    const diameterM = rng.uniform(0.002, 0.005);
    const massKg = (WATER_DENSITY * Math.PI * diameterM ** 3) / 6;
    const drop: FallingObject = {
      className: 'custom',
      massKg,
      dragAreaM2: dragAreaFor(massKg, rng.uniform(6.5, 9.2), AIR_DENSITY),
      sizeM: diameterM,
      flutter: null,
    };
    const fall = simulateFall({
      object: drop,
      release: { x: spot.x + rng.normal(0, 0.01), y: spot.y, z: spot.z },
      ...(o.wind ? { wind: o.wind } : {}),
      rng,
      sampleIntervalS: 1 / camera.fps,
    });
    const frames: WorldFrame[] = fall.samples.map((s, i) => ({
      frame: i,
      p: [s.x, s.y, s.z],
      sizeM: diameterM,
    }));
    out.push(
      buildTrack(camera, frames, { ...o, startTs, ids: { ...o.ids, trackId: undefined } }, rng, {
        label: 'rain',
        isThrow: false,
        eventTs: startTs,
        variant,
        release: spot,
        terminalSpeedMs: fall.terminalSpeedMs,
      }),
    );
    startTs += Math.round(periodS * rng.uniform(0.7, 1.3) * 1000);
  }
  return out;
}

/** Rain falling through the view: short streaks, each in focus for a few frames. */
function streaks(camera: FacadeCamera, rng: Rng, o: RainOptions): Array<SimTrack | null> {
  const fps = camera.fps;
  const out: Array<SimTrack | null> = [];
  const drops = o.drops ?? 12;
  const slant = rng.uniform(-0.15, 0.15); // wind-driven, shared by the shower
  for (let d = 0; d < drops; d++) {
    const depth = rng.uniform(1.5, 20);
    const start = camera.toWorld([
      ((rng.uniform(0, 1) - 0.5) * camera.frame.w * depth) / camera.focalPx,
      ((rng.uniform(0, 0.7) - 0.5) * camera.frame.h * depth) / camera.focalPx,
      depth,
    ]);
    const vt = rng.uniform(4, 9);
    // Drops are in focus only briefly: 3–10 frames each.
    const n = rng.int(3, 10);
    const frames: WorldFrame[] = [];
    for (let i = 0; i < n; i++) {
      const t = i / fps;
      frames.push({
        frame: i,
        p: [start[0] + slant * vt * t, start[1], start[2] - vt * t],
        sizeM: 0.003,
        aspect: 1,
      });
    }
    const offsetMs = Math.round(rng.uniform(0, 1000));
    // A streak is seen only while in focus: the tracker reports it from its first frame.
    const { confirmDelayS: _late, ...given } = o.noise ?? {};
    const noise = { ...given, exposureS: given.exposureS ?? 0.02, maxConfirmFrames: 0 };
    out.push(
      buildTrack(
        camera,
        frames,
        { ...o, noise, startTs: o.startTs + offsetMs, ids: { ...o.ids, trackId: undefined } },
        rng,
        {
          label: 'rain',
          isThrow: false,
          eventTs: o.startTs + offsetMs,
        },
      ),
    );
  }
  return out;
}
