/**
 * Façade-camera scenes: thrown objects with ground truth (floor, column, release time) among the
 * things that really fill such a view — condensate drips from one spot for hours, dripping
 * laundry, rain off the eaves, rain, birds, insects near the lens, leaves, paper, quilts.
 */
import { Rng } from '../rng.ts';
import { openScene, type Scene, type SceneSpan, type ThrowTruth } from '../scene.ts';
import { facadeCameras } from '../site.ts';
import type { Site } from '../../gateway/src/contracts/site.ts';
import { DAY_MS, HOUR_MS } from '../time.ts';
import { THROWN } from './bodies.ts';
import { addDistractors } from './distractors.ts';
import { drawWind, fall, fallTimeS, type Wind } from './physics.ts';
import { drawRig, facadeTrack, windowPoint, type CameraRig } from './tracks.ts';

export interface ThrowOptions {
  /** Throws per camera-day, drawn uniformly (oversampled: real throws are rare). */
  throwsPerDay: [number, number];
}

export const DEFAULT_THROW_OPTIONS: ThrowOptions = { throwsPerDay: [2, 6] };

export function generateThrows(site: Site, span: SceneSpan, opts = DEFAULT_THROW_OPTIONS): Scene {
  const { seed, startMs, days } = span;
  const rng = new Rng(seed);
  const cameras = facadeCameras(site);
  const scene = openScene(
    'throws',
    span,
    cameras.map((c) => c.device.id),
  );
  for (const camera of cameras) {
    const camRng = rng.fork(camera.device.id);
    const rig = drawRig(camRng, camera);
    for (let day = 0; day < days; day++) {
      const dayStart = startMs + day * DAY_MS;
      const wind = drawWind(camRng);
      const throwCount = camRng.int(opts.throwsPerDay[0], opts.throwsPerDay[1]);
      for (let n = 0; n < throwCount; n++) {
        // Mostly waking hours, 06:00–23:00 local.
        const releaseTs = dayStart + Math.round(camRng.uniform(6, 23) * HOUR_MS);
        const truth = addThrow(camRng, rig, wind, releaseTs, scene);
        if (truth) scene.truth.push(truth);
      }
      addDistractors(camRng, rig, wind, dayStart, scene);
    }
  }
  return scene;
}

function addThrow(rng: Rng, rig: CameraRig, wind: Wind, releaseTs: number, scene: Scene): ThrowTruth | null {
  const camera = rig.camera;
  const body = rng.pick(THROWN);
  const floor = rng.int(2, camera.building.floors);
  const column = rng.int(1, camera.windowColumns);
  const [x, z] = windowPoint(rng, camera, floor, column);
  const vtMS = rng.uniform(body.vtMS[0], body.vtMS[1]);
  const sizeM = rng.uniform(body.sizeM[0], body.sizeM[1]);
  // Tossed out or dropped: sideways −2…2 m/s, upwards −1…2 m/s.
  const start = { x, z, vx: rng.uniform(-2, 2), vz: rng.uniform(-1, 2) };
  const maxS = Math.min(60, fallTimeS(z, vtMS) * 1.5 + 2);
  const path = fall(rng, { ...body, vtMS }, start, wind, rig.fps, maxS);
  // A real tracker confirms 0.1–1 s after release (widened to 0.05–1.2 s); a short fall from a
  // low floor may leave too few frames, and then the tracker confirms as soon as it can.
  for (let delayS = rng.uniform(0.05, 1.2); delayS >= 0.02; delayS /= 2) {
    const firstFrame = Math.round(delayS * rig.fps);
    const track = facadeTrack(rng, rig, path, releaseTs, firstFrame, sizeM);
    if (!track) continue;
    scene.messages.push(track.message);
    return {
      danger: 'throws',
      kind: 'throw',
      id: `throw-${track.message.topic.split('/')[1]}-${releaseTs}`,
      ts: releaseTs,
      endTs: track.endTs,
      camera: camera.device.id,
      building: camera.building.id,
      facade: camera.facadeId,
      floor,
      column,
      object: body.name,
      trackId: (JSON.parse(track.message.payload) as { track_id: string }).track_id,
      trackDelayS: Math.round((firstFrame / rig.fps) * 1000) / 1000,
      fps: rig.fps,
    };
  }
  return null;
}
