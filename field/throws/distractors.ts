/**
 * What a façade camera sees that is not a throw. Each source is one truth row (a drip spot
 * with hundreds of tracks is one row), so a scorer can say which cause each false alert had.
 */
import type { Rng } from '../rng.ts';
import type { DistractorTruth, Scene } from '../scene.ts';
import { HOUR_MS, MINUTE_MS, SECOND_MS } from '../time.ts';
import { DROP, LEAF, PAPER, RAIN } from './bodies.ts';
import { apply, pixelsPerMetre } from './camera.ts';
import { fall, fallTimeS, type BodyKind, type Wind } from './physics.ts';
import { facadeTrack, pixelTrack, windowPoint, type CameraRig } from './tracks.ts';

interface Source {
  cause: string;
  startTs: number;
  endTs: number;
  floor: number | null;
  spot: [number, number] | null;
}

/** A day's scene and its random stream, and a time of that day between two hours. */
interface Day {
  rng: Rng;
  rig: CameraRig;
  wind: Wind;
  scene: Scene;
  at: (hourLo: number, hourHi: number) => number;
}

export function addDistractors(rng: Rng, rig: CameraRig, wind: Wind, dayStart: number, scene: Scene): void {
  const at = (hourLo: number, hourHi: number): number =>
    dayStart + Math.round(rng.uniform(hourLo, hourHi) * HOUR_MS);
  const day: Day = { rng, rig, wind, scene, at };
  addDrips(day);
  // Rain on about 3 days in 10: drops off the eaves at several spots, and streaks across the view.
  if (rng.chance(0.3)) addRain(day);
  addWindborne(day);
  for (let n = rng.int(0, 20); n > 0; n--) single(rng, rig, scene, 'bird', at(5, 19), birdPath);
  for (let n = rng.int(0, 30); n > 0; n--) single(rng, rig, scene, 'insect', at(19, 29), insectPath);
  for (let n = rng.int(0, 2); n > 0; n--) single(rng, rig, scene, 'quilt', at(8, 16), quiltPath);
}

/** Drips under windows: air-conditioner condensate and laundry hung out to dry. */
function addDrips({ rng, rig, wind, scene, at }: Day): void {
  const { building, windowColumns } = rig.camera;
  // Air-conditioner condensate: a drop every 2–60 s from one unit for 1–10 h (summer afternoons
  // and evenings), falling freely from under a window.
  for (let n = rng.poisson(1); n > 0; n--) {
    const floor = rng.int(2, building.floors);
    const [x, sill] = windowPoint(rng, rig.camera, floor, rng.int(1, windowColumns));
    const z = sill - 1 + rng.uniform(-0.7, 1.2);
    const start = at(9, 23);
    dripSpot(
      rng,
      rig,
      wind,
      scene,
      { cause: 'ac_drip', startTs: start, endTs: start + rng.logUniform(1, 10) * HOUR_MS, floor, spot: null },
      [x, z],
      rng.logUniform(2, 60),
    );
  }
  // Laundry hung out in the morning drips from 2–5 points along a rack for 0.5–3 h.
  for (let n = rng.poisson(0.5); n > 0; n--) {
    const floor = rng.int(2, building.floors);
    const [x0, sill] = windowPoint(rng, rig.camera, floor, rng.int(1, windowColumns));
    const start = at(7, 11);
    const endTs = start + rng.logUniform(0.5, 3) * HOUR_MS;
    for (let k = rng.int(2, 5); k > 0; k--) {
      const spot: [number, number] = [x0 + rng.uniform(-1.5, 1.5), sill + rng.uniform(0.8, 1.5)];
      dripSpot(
        rng,
        rig,
        wind,
        scene,
        { cause: 'laundry_drip', startTs: start, endTs, floor, spot: null },
        spot,
        rng.logUniform(2, 30),
      );
    }
  }
}

/** Drops off the eaves at several spots, and streaks across the view. */
function addRain({ rng, rig, wind, scene, at }: Day): void {
  const { building } = rig.camera;
  const start = at(0, 22);
  const endTs = start + rng.logUniform(0.5, 4) * HOUR_MS;
  const roofM = building.floors * building.floorHeightM;
  for (let k = rng.int(2, 5); k > 0; k--) {
    const spot: [number, number] = [rng.uniform(0, rig.camera.facadeWidthM), roofM + rng.uniform(0.2, 0.8)];
    dripSpot(
      rng,
      rig,
      wind,
      scene,
      { cause: 'eave_rain', startTs: start, endTs, floor: null, spot: null },
      spot,
      rng.logUniform(3, 30),
    );
  }
  const perMinute = rng.uniform(1, 8);
  const tracks = bodies(rng, rig, wind, scene, RAIN, start, endTs, perMinute / MINUTE_MS, () => {
    const vt = rng.uniform(RAIN.vtMS[0], RAIN.vtMS[1]);
    return {
      start: { x: rng.uniform(-5, rig.camera.facadeWidthM + 5), z: rng.uniform(3, 60), vx: 0, vz: -vt },
      vtMS: vt,
      maxS: rng.int(3, 8) / rig.fps,
    };
  });
  scene.truth.push(truthRow(rig, { cause: 'rain', startTs: start, endTs, floor: null, spot: null }, tracks));
}

/** Leaves, paper and film bags on the wind. */
function addWindborne({ rng, rig, wind, scene, at }: Day): void {
  // Leaves from the trees in front, paper and film bags on the wind: flutter, 1–2.7 m/s down.
  for (const [body, count, zRange] of [
    [LEAF, rng.int(0, 15), [2, 12]],
    [PAPER, rng.int(0, 4), [2, 40]],
  ] as Array<[BodyKind, number, [number, number]]>) {
    for (let n = 0; n < count; n++) {
      const t = at(5, 20);
      const tracks = bodies(rng, rig, wind, scene, body, t, t + 1, 1, () => ({
        start: {
          x: rng.uniform(-3, rig.camera.facadeWidthM + 3),
          z: rng.uniform(zRange[0], zRange[1]),
          vx: rng.uniform(-1, 1),
          vz: 0,
        },
        vtMS: rng.uniform(body.vtMS[0], body.vtMS[1]),
        maxS: rng.uniform(3, 15),
      }));
      if (tracks)
        scene.truth.push(
          truthRow(
            rig,
            { cause: body.name, startTs: t, endTs: t + 15 * SECOND_MS, floor: null, spot: null },
            tracks,
          ),
        );
    }
  }
}

function truthRow(rig: CameraRig, s: Source, tracks: number): DistractorTruth {
  return {
    danger: 'throws',
    kind: 'distractor',
    id: `${s.cause}-${rig.camera.device.id}-${s.startTs}`,
    ts: s.startTs,
    endTs: Math.round(s.endTs),
    camera: rig.camera.device.id,
    cause: s.cause,
    tracks,
    floor: s.floor,
    spot: s.spot,
  };
}

/** Drops falling from one fixed point, every `periodS` (±30 %) while the source lasts. */
function dripSpot(
  rng: Rng,
  rig: CameraRig,
  wind: Wind,
  scene: Scene,
  source: Source,
  spot: [number, number],
  periodS: number,
): void {
  const vtMS = rng.uniform(DROP.vtMS[0], DROP.vtMS[1]);
  const maxS = fallTimeS(spot[1], vtMS) + 1;
  const tracks = bodies(
    rng,
    rig,
    wind,
    scene,
    DROP,
    source.startTs,
    source.endTs,
    1 / (periodS * SECOND_MS),
    () => ({
      start: { x: spot[0], z: spot[1], vx: 0, vz: 0 },
      vtMS,
      maxS,
    }),
    true,
  );
  const pixel = apply(rig.toPixel, spot);
  scene.truth.push(truthRow(rig, { ...source, spot: [Math.round(pixel[0]), Math.round(pixel[1])] }, tracks));
}

/** Bodies released at a rate (per ms) between two times; returns how many tracks were reported. */
function bodies(
  rng: Rng,
  rig: CameraRig,
  wind: Wind,
  scene: Scene,
  body: BodyKind,
  fromTs: number,
  toTs: number,
  perMs: number,
  release: () => { start: { x: number; z: number; vx: number; vz: number }; vtMS: number; maxS: number },
  regular = false,
): number {
  let count = 0;
  const sizeM = rng.uniform(body.sizeM[0], body.sizeM[1]);
  for (
    let t = fromTs;
    t < toTs;
    t += regular ? rng.uniform(0.7, 1.3) / perMs : -Math.log(1 - rng.next()) / perMs
  ) {
    const r = release();
    const path = fall(rng, { ...body, vtMS: r.vtMS }, r.start, wind, rig.fps, r.maxS);
    // Trackers confirm small, fast bodies late too: 0.05–1.2 s after they appear.
    const track = facadeTrack(
      rng,
      rig,
      path,
      Math.round(t),
      Math.round(rng.uniform(0.05, 1.2) * rig.fps),
      sizeM,
    );
    if (!track) continue;
    scene.messages.push(track.message);
    count++;
  }
  return count;
}

type PathMaker = (
  rng: Rng,
  rig: CameraRig,
) => { pixels: Array<[number, number]>; box: (i: number) => [number, number] };

function single(rng: Rng, rig: CameraRig, scene: Scene, cause: string, ts: number, make: PathMaker): void {
  const { pixels, box } = make(rng, rig);
  const track = pixelTrack(rng, rig, pixels, ts, Math.round(rng.uniform(0.05, 0.5) * rig.fps), box);
  if (!track) return;
  scene.messages.push(track.message);
  scene.truth.push(truthRow(rig, { cause, startTs: ts, endTs: track.endTs, floor: null, spot: null }, 1));
}

/** Birds cruise at 8–23 m/s (Alerstam et al. 2007), level or climbing, turning, wings beating 3–20 Hz. */
const birdPath: PathMaker = (rng, rig) => {
  const width = rig.camera.facadeWidthM;
  const fromLeft = rng.chance(0.5);
  let [x, z] = [fromLeft ? -3 : width + 3, rng.uniform(5, 60)];
  const speed = rng.uniform(8, 23);
  let heading = (fromLeft ? 0 : Math.PI) + rng.uniform(-0.45, 0.45);
  const beatHz = rng.uniform(3, 20);
  const sizeM = rng.uniform(0.15, 0.5);
  const frames = Math.round(rng.uniform(0.5, 4) * rig.fps);
  const path: Array<[number, number]> = [];
  for (let i = 0; i < frames; i++) {
    path.push([x, z]);
    heading += rng.normal(0, 0.5) / rig.fps;
    x += (speed * Math.cos(heading)) / rig.fps;
    z += (speed * Math.sin(heading)) / rig.fps;
  }
  return {
    pixels: path.map((p) => apply(rig.toPixel, p)),
    box: (i) => {
      const beat = 1 + 0.4 * Math.sin((2 * Math.PI * beatHz * i) / rig.fps);
      const side = Math.max(2, Math.round(sizeM * pixelsPerMetre(rig.toPixel, path[i]!) * beat));
      return [side, Math.max(2, Math.round(side * 0.6))];
    },
  };
};

/** Insects 0.2–3 m from the lens: big, defocused, fast, erratic, no gravity (night, under IR). */
const insectPath: PathMaker = (rng, rig) => {
  const { w, h } = rig.camera.frame;
  let [x, y] = [rng.uniform(0, w), rng.uniform(0, h)];
  let [vx, vy] = [rng.normal(0, 30), rng.normal(0, 30)];
  const side = Math.round(rng.uniform(15, 150));
  const pixels: Array<[number, number]> = [];
  for (let i = Math.round(rng.uniform(0.3, 2) * rig.fps); i > 0; i--) {
    pixels.push([x, y]);
    vx += rng.normal(0, 15);
    vy += rng.normal(0, 15);
    x += vx;
    y += vy;
  }
  return { pixels, box: () => [side, side] };
};

/** A quilt or sheet airing on a balcony: flaps about a fixed anchor, does not fall. */
const quiltPath: PathMaker = (rng, rig) => {
  const floor = rng.int(2, rig.camera.building.floors);
  const [x0, z0] = windowPoint(rng, rig.camera, floor, rng.int(1, rig.camera.windowColumns));
  const amp = rng.uniform(0.1, 0.6);
  const hz = rng.uniform(0.3, 1.5);
  const pixels: Array<[number, number]> = [];
  for (let i = Math.round(rng.uniform(2, 10) * rig.fps); i > 0; i--) {
    const s = Math.sin((2 * Math.PI * hz * i) / rig.fps);
    pixels.push(apply(rig.toPixel, [x0 + amp * s, z0 - 0.5 - Math.abs(amp * s) * 0.5]));
  }
  const side = Math.round(rng.uniform(0.8, 1.6) * pixelsPerMetre(rig.toPixel, [x0, z0]));
  return { pixels, box: () => [side, side] };
};
