/**
 * A camera's tracker output: what a real tracker reports of a body in view. It confirms the
 * body late (a parameter), loses frames, adds pixel noise, and boxes tiny things as 1 px.
 */
import type { Rng } from '../rng.ts';
import type { SceneMessage } from '../scene.ts';
import type { FacadeCamera } from '../site.ts';
import { apply, invert3, pixelsPerMetre, type Matrix3 } from './camera.ts';

export interface CameraRig {
  camera: FacadeCamera;
  toPixel: Matrix3;
  /** Frame rate of this camera's tracker, 12–30 fps. */
  fps: number;
  /** Pixel noise of box centres, px (σ). */
  noisePx: number;
  /** Share of frames the tracker misses. */
  frameLoss: number;
  /** Exposure time, s: motion blur lengthens boxes of bodies big enough to be seen smeared. */
  exposureS: number;
  nextTrack: number;
}

export function drawRig(rng: Rng, camera: FacadeCamera): CameraRig {
  return {
    camera,
    toPixel: invert3(camera.homography),
    fps: rng.pick([12, 15, 20, 25, 30]),
    noisePx: rng.uniform(0.3, 2),
    frameLoss: rng.uniform(0, 0.12),
    exposureS: rng.uniform(1 / 250, 1 / 50),
    nextTrack: 1,
  };
}

/** Where on the façade a window or balcony of `floor`, `column` is, metres. */
export function windowPoint(rng: Rng, camera: FacadeCamera, floor: number, column: number): [number, number] {
  const columnWidthM = camera.facadeWidthM / camera.windowColumns;
  const x = (column - 0.5) * columnWidthM + rng.uniform(-0.4, 0.4) * columnWidthM;
  // Sill or railing 0.9–1.1 m above the floor slab (field notes, building geometry).
  const z = camera.building.floorHeightM * (floor - 1) + rng.uniform(0.9, 1.1);
  return [x, z];
}

type Point = [number, number, number, number, number];

export interface TrackOut {
  message: SceneMessage;
  /** Time of the last reported frame. */
  endTs: number;
  firstPixel: [number, number];
}

/**
 * The track of a body whose façade positions are `path` (one per frame from `t0Ms`), reported
 * from frame `firstFrame` on. Null when fewer than 3 frames are in view: the tracker never
 * confirms it.
 */
export function facadeTrack(
  rng: Rng,
  rig: CameraRig,
  path: Array<[number, number]>,
  t0Ms: number,
  firstFrame: number,
  sizeM: number,
  shape: (frame: number) => number = () => 1,
): TrackOut | null {
  const pixels = path.map((p) => apply(rig.toPixel, p));
  return pixelTrack(rng, rig, pixels, t0Ms, firstFrame, (i) => {
    const ppm = pixelsPerMetre(rig.toPixel, path[i]!);
    const prev = pixels[Math.max(0, i - 1)]!;
    const cur = pixels[i]!;
    const speedPx = Math.hypot(cur[0] - prev[0], cur[1] - prev[1]) * rig.fps;
    // Bodies under about 1 cm are too faint for their smear to be segmented: they stay a dot.
    const blur = sizeM >= 0.01 ? speedPx * rig.exposureS : 0;
    const side = Math.max(1, Math.round(sizeM * ppm * shape(i)));
    return [side, Math.max(1, Math.round(sizeM * ppm * shape(i) + blur))];
  });
}

/** A track drawn directly in pixels (bodies near the lens, off the façade plane). */
export function pixelTrack(
  rng: Rng,
  rig: CameraRig,
  pixels: Array<[number, number]>,
  t0Ms: number,
  firstFrame: number,
  box: (frame: number) => [number, number],
): TrackOut | null {
  const { w, h } = rig.camera.frame;
  const points: Point[] = [];
  for (let i = firstFrame; i < pixels.length; i++) {
    const [px, py] = pixels[i]!;
    if (px < 0 || py < 0 || px >= w || py >= h) {
      if (points.length) break; // left the view: the track ends
      continue;
    }
    if (points.length && rng.chance(rig.frameLoss)) continue;
    const [bw, bh] = box(i);
    const x = Math.min(w - 1, Math.max(0, Math.round(px + rng.normal(0, rig.noisePx))));
    const y = Math.min(h - 1, Math.max(0, Math.round(py + rng.normal(0, rig.noisePx))));
    points.push([i, x, y, bw, bh]);
  }
  if (points.length < 3) return null;
  const first = points[0]![0];
  const startTs = Math.round(t0Ms + (first * 1000) / rig.fps);
  const endTs = Math.round(t0Ms + (points[points.length - 1]![0] * 1000) / rig.fps);
  const id = `${rig.camera.device.id}-t${rig.nextTrack++}`;
  const payload = {
    track_id: id,
    start_ts: startTs,
    fps: rig.fps,
    frame: { w, h },
    points: points.map(([f, x, y, bw, bh]) => [f - first, x, y, bw, bh]),
  };
  return {
    // The tracker reports a track once it has ended.
    message: {
      ts: endTs + Math.round(rng.uniform(200, 1500)),
      topic: `weige/${rig.camera.device.id}/track`,
      payload: JSON.stringify(payload),
    },
    endTs,
    firstPixel: [points[0]![1], points[0]![2]],
  };
}
