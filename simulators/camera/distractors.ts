/**
 * Hard negatives for the falling-object detector, each with its own kinematics
 * (FIELD-NOTES §1.2 "Distractor kinematics"):
 * - birds: 8–23 m/s cruising (Alerstam et al. 2007), flapping/climbing/gliding segments and
 *   turns, wing beats 3–20 Hz changing the box shape; enter and leave at the frame edge;
 * - leaves and paper: flutter with low terminal speed (1–2.7 m/s), from foreground trees or blown in;
 * - insects close to the lens (0.2–3 m): 0.4–2 m/s, erratic heading, large defocused blobs;
 * - rain: short streaks through the view, or drops from one spot of the façade (rain.ts);
 * - lights: window lights switching (no translation), glass glint creeping, headlights sweeping;
 * - laundry and quilts flapping about a fixed anchor under a window.
 * Every generator returns SimTrack[] (rain gives many, the others one or none).
 */
import type { Rng } from '../core/rng.ts';
import type { WorldFrame } from './detector.ts';
import { sampleObject, simulateFall, releaseHeight, type Wind } from './fall.ts';
import type { FacadeCamera, Vec3 } from './projection.ts';
import { asCamera, asRng, buildTrack, columnCentreX, type SimTrack, type TrackLabel } from './track.ts';
import { rain, type RainOptions } from './rain.ts';

export type DistractorLabel = Exclude<TrackLabel, 'thrown_object'>;
export const DISTRACTOR_LABELS: DistractorLabel[] = [
  'bird',
  'leaf',
  'paper',
  'insect',
  'rain',
  'light',
  'laundry',
];

/** Every generator's options; rain's (`drops`) included. */
export type DistractorOptions = RainOptions;

export function generateDistractor(label: DistractorLabel, options: DistractorOptions): SimTrack[] {
  const camera = asCamera(options.camera);
  const rng = asRng(options.rng);
  const make = GENERATORS[label];
  return make(camera, rng, options).filter((t): t is SimTrack => t !== null);
}

type Generator = (camera: FacadeCamera, rng: Rng, o: DistractorOptions) => Array<SimTrack | null>;

const GENERATORS: Record<DistractorLabel, Generator> = {
  bird: (camera, rng, o) => [bird(camera, rng, o)],
  leaf: (camera, rng, o) => [flutterer(camera, rng, o, 'leaf')],
  paper: (camera, rng, o) => [flutterer(camera, rng, o, 'paper')],
  insect: (camera, rng, o) => [insect(camera, rng, o)],
  rain: (camera, rng, o) => rain(camera, rng, o),
  light: (camera, rng, o) => [light(camera, rng, o)],
  laundry: (camera, rng, o) => [laundry(camera, rng, o)],
};

/** A world point at a pixel and depth (camera ray), for placing things in view. */
function pointAt(camera: FacadeCamera, u: number, v: number, depthM: number): Vec3 {
  const f = camera.focalPx;
  return camera.toWorld([
    ((u - camera.frame.w / 2) * depthM) / f,
    ((v - camera.frame.h / 2) * depthM) / f,
    depthM,
  ]);
}

function cameraDistance(camera: FacadeCamera): number {
  return Math.max(5, camera.centre[1]);
}

function bird(camera: FacadeCamera, rng: Rng, o: DistractorOptions): SimTrack | null {
  const fps = camera.fps;
  const y = rng.uniform(1, cameraDistance(camera) * 0.8);
  const fromLeft = rng.chance(0.5);
  // Enter at the frame edge, at a height in the view.
  const entry = pointAt(camera, fromLeft ? 1 : camera.frame.w - 2, rng.uniform(0.1, 0.8) * camera.frame.h, 1);
  const dir: Vec3 = [entry[0] - camera.centre[0], entry[1] - camera.centre[1], entry[2] - camera.centre[2]];
  const k = (y - camera.centre[1]) / dir[1];
  let p: Vec3 = [camera.centre[0] + k * dir[0], y, camera.centre[2] + k * dir[2]];
  const speed = rng.uniform(8, 23);
  let heading = fromLeft ? rng.uniform(-0.3, 0.3) : Math.PI + rng.uniform(-0.3, 0.3);
  const beatHz = rng.uniform(3, 20);
  const span = rng.uniform(0.25, 0.7);
  const frames: WorldFrame[] = [];
  let vz = 0;
  let segmentLeft = 0;
  let mode: 'flap' | 'climb' | 'glide' = 'flap';
  const maxFrames = Math.round(fps * 8);
  for (let i = 0; i < maxFrames; i++) {
    if (segmentLeft <= 0) {
      mode = rng.pick(['flap', 'flap', 'climb', 'glide'] as const);
      segmentLeft = rng.uniform(0.3, 1.5) * fps;
      vz =
        mode === 'climb'
          ? rng.uniform(1, 3)
          : mode === 'glide'
            ? -rng.uniform(0.5, 2.5)
            : rng.uniform(-0.3, 0.3);
      if (rng.chance(0.3)) heading += rng.uniform(-1, 1); // a turn
    }
    segmentLeft--;
    const t = i / fps;
    const aspect = mode === 'glide' ? 0.35 : 0.35 + 0.5 * Math.abs(Math.sin(Math.PI * beatHz * t));
    frames.push({ frame: i, p: [...p], sizeM: span, aspect });
    p = [
      p[0] + (speed * Math.cos(heading)) / fps,
      p[1] + (0.2 * speed * Math.sin(heading)) / fps,
      p[2] + vz / fps,
    ];
    if (p[1] < 0.5) p[1] = 0.5;
    const pr = camera.project3d(p);
    if (i > 3 && !camera.inFrame(pr.u, pr.v)) break;
  }
  return buildTrack(camera, frames, o, rng, { label: 'bird', isThrow: false, eventTs: o.startTs });
}

/** Leaves fall from foreground trees; paper is blown in from the side, high up. */
function flutterer(
  camera: FacadeCamera,
  rng: Rng,
  o: DistractorOptions,
  label: 'leaf' | 'paper',
): SimTrack | null {
  const object = sampleObject(label, rng);
  const d = cameraDistance(camera);
  const fromTree = label === 'leaf';
  const start = fromTree
    ? pointAt(camera, rng.uniform(0.1, 0.9) * camera.frame.w, 0, 1)
    : pointAt(camera, rng.chance(0.5) ? 1 : camera.frame.w - 2, rng.uniform(0.1, 0.6) * camera.frame.h, 1);
  const y = fromTree ? rng.uniform(0.3, 0.7) * d : rng.uniform(2, 8);
  const dir: Vec3 = [start[0] - camera.centre[0], start[1] - camera.centre[1], start[2] - camera.centre[2]];
  const k = (y - camera.centre[1]) / dir[1];
  const release = {
    x: camera.centre[0] + k * dir[0],
    y,
    // Tree crowns 3–12 m; blown paper where the ray meets its depth.
    z: fromTree ? rng.uniform(3, 12) : Math.max(3, camera.centre[2] + k * dir[2]),
  };
  const side = release.x < camera.centre[0] ? 1 : -1;
  const windMs = rng.uniform(fromTree ? 0.5 : 2, fromTree ? 3 : 6);
  const wind: Wind = o.wind ?? {
    speedMs: windMs,
    towardsDeg: side > 0 ? 0 : 180,
    referenceHeightM: 30,
    turbulence: 0.2,
  };
  const fall = simulateFall({
    object,
    release,
    velocity: { x: fromTree ? 0 : side * windMs },
    wind,
    rng,
    sampleIntervalS: 1 / camera.fps,
    maxDurationS: 30,
  });
  const frames: WorldFrame[] = fall.samples.map((s, i) => ({
    frame: i,
    p: [s.x, s.y, s.z],
    sizeM: object.sizeM,
    aspect: 0.3 + 0.7 * Math.abs(Math.cos(s.t * 2 * Math.PI * (object.flutter?.frequencyHz ?? 1))),
  }));
  return buildTrack(camera, frames, o, rng, {
    label,
    isThrow: false,
    eventTs: o.startTs,
    objectClass: object.className,
    terminalSpeedMs: fall.terminalSpeedMs,
  });
}

function insect(camera: FacadeCamera, rng: Rng, o: DistractorOptions): SimTrack | null {
  const fps = camera.fps;
  const depth = rng.uniform(0.2, 3);
  let c: Vec3 = [
    ((rng.uniform(0.1, 0.9) - 0.5) * camera.frame.w * depth) / camera.focalPx,
    ((rng.uniform(0.1, 0.9) - 0.5) * camera.frame.h * depth) / camera.focalPx,
    depth,
  ];
  // Mosquito 0.4–0.7 m/s … housefly ~2 m/s (FIELD-NOTES §1.2).
  const speed = rng.uniform(0.4, 2);
  const size = rng.uniform(0.004, 0.015);
  const frames: WorldFrame[] = [];
  const n = Math.round(rng.uniform(0.5, 4) * fps);
  let heading = rng.uniform(0, 2 * Math.PI);
  let pitch = rng.uniform(-0.5, 0.5);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.15)) {
      heading += rng.normal(0, 1.2);
      pitch = rng.normalIn(0, 0.6, -1.2, 1.2);
    }
    // Out of focus at this range: a blurred blob several times the body size.
    frames.push({ frame: i, p: camera.toWorld(c), sizeM: size, blurPx: (camera.focalPx * 0.004) / c[2] });
    c = [
      c[0] + (speed * Math.cos(heading) * Math.cos(pitch)) / fps,
      c[1] + (speed * Math.sin(pitch)) / fps,
      Math.max(0.15, c[2] + (speed * Math.sin(heading) * Math.cos(pitch) * 0.5) / fps),
    ];
  }
  return buildTrack(camera, frames, o, rng, { label: 'insect', isThrow: false, eventTs: o.startTs });
}

function light(camera: FacadeCamera, rng: Rng, o: DistractorOptions): SimTrack | null {
  const fps = camera.fps;
  const facade = o.facade ?? { widthM: 24, windowColumns: 4 };
  const columns = facade.windowColumns ?? 4;
  const variant = rng.pick(['window_light', 'window_light', 'glint', 'headlight'] as const);
  const frames: WorldFrame[] = [];
  if (variant === 'headlight') {
    // A car's beam sweeping along the ground floor: fast, horizontal, low.
    const z = rng.uniform(0.5, 3);
    const x0 = rng.uniform(0, facade.widthM);
    const v = rng.uniform(3, 10) * (rng.chance(0.5) ? 1 : -1);
    const n = Math.round(rng.uniform(0.5, 2) * fps);
    for (let i = 0; i < n; i++)
      frames.push({ frame: i, p: [x0 + (v * i) / fps, 0.1, z], sizeM: 1.2, aspect: 0.5 });
  } else {
    const floor = rng.int(1, o.floors ?? 14);
    const x = columnCentreX(rng.int(1, columns), facade.widthM, columns);
    const z = releaseHeight(floor, o.floorHeightM) + 0.3;
    // Window light: on for a few frames of detector response; glint: creeps 5–30 cm over seconds.
    const n = Math.round((variant === 'glint' ? rng.uniform(2, 10) : rng.uniform(0.3, 2)) * fps);
    const drift = variant === 'glint' ? rng.uniform(0.05, 0.3) / n : 0;
    for (let i = 0; i < n; i++)
      frames.push({
        frame: i,
        p: [x + drift * i, 0, z - drift * i * 0.5],
        sizeM: variant === 'glint' ? 0.3 : 1.2,
        aspect: 1,
      });
  }
  return buildTrack(camera, frames, o, rng, { label: 'light', isThrow: false, eventTs: o.startTs, variant });
}

function laundry(camera: FacadeCamera, rng: Rng, o: DistractorOptions): SimTrack | null {
  const fps = camera.fps;
  const facade = o.facade ?? { widthM: 24, windowColumns: 4 };
  const columns = facade.windowColumns ?? 4;
  const floor = rng.int(2, o.floors ?? 14);
  const anchor: Vec3 = [
    columnCentreX(rng.int(1, columns), facade.widthM, columns) + rng.uniform(-1, 1),
    rng.uniform(0.3, 1.2),
    releaseHeight(floor, o.floorHeightM) - rng.uniform(0.3, 1.2),
  ];
  const hz = rng.uniform(0.5, 2);
  const ax = rng.uniform(0.1, 0.5);
  const az = rng.uniform(0.1, 0.6);
  const n = Math.round(rng.uniform(2, 10) * fps);
  const sizeM = rng.uniform(0.5, 1.2);
  const frames: WorldFrame[] = [];
  for (let i = 0; i < n; i++) {
    const t = i / fps;
    const w = 2 * Math.PI * hz * t;
    frames.push({
      frame: i,
      p: [anchor[0] + ax * Math.sin(w), anchor[1], anchor[2] - az * Math.abs(Math.sin(w * 0.5 + 0.3))],
      sizeM,
      aspect: 1.2,
    });
  }
  return buildTrack(camera, frames, o, rng, {
    label: 'laundry',
    isThrow: false,
    eventTs: o.startTs,
    floor,
    variant: rng.chance(0.3) ? 'quilt' : 'clothes',
  });
}
