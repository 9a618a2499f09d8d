/**
 * The origin tracer on exact synthetic trajectories: the simulators' drag-fall physics, projected
 * through the example site's camera without noise, must trace back to the floor it left from —
 * for heavy objects (≈ free fall) and light litter (terminal speed within a second) alike.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SILL_M,
  fallTimeWithDrag,
  releaseHeight,
  simulateFall,
  typicalObject,
} from '../../../simulators/camera/fall.ts';
import { FacadeCamera } from '../../../simulators/camera/projection.ts';
import type { TrackPoint } from '../../../gateway/src/contracts/readings.ts';
import { toFacade } from '../../../models/falling-object/geometry.ts';
import { columnAt, floorAt, originOf } from '../../../models/falling-object/origin.ts';
import { hypot, integrateDragFall, traceOrigin } from '../../../models/falling-object/tracer.ts';

// cam-b3-east in sites/chunjiang.yaml: 30 m out, 1.5 m up, pitched 30°, portrait 1080×1920.
const HOMOGRAPHY = [
  [0.04241356791, 0.008482713583, -10.90332667],
  [0, -0.03567088808, 65.83647899],
  [0, 0.0007068927986, 1],
];
const camera = new FacadeCamera({ homography: HOMOGRAPHY, fps: 25, frame: { w: 1080, h: 1920 } });
const LAYOUT = { floors: 14, floorHeightM: 2.8, widthM: 24, windowColumns: 4 };

/** Exact pixels of a fall in the façade plane, first `skip` frames unseen (tracker confirmation). */
function exactTrack(
  object: Parameters<typeof typicalObject>[0],
  floor: number,
  x: number,
  velocity: { x: number; z: number },
  skip: number,
): TrackPoint[] {
  const fall = simulateFall({
    object: typicalObject(object),
    release: { x, y: 0, z: releaseHeight(floor) },
    velocity: { x: velocity.x, y: 0, z: velocity.z },
  });
  return fall.samples
    .slice(skip)
    .filter((s) => s.z > 0.2)
    .map((s, i) => {
      const [u, v] = camera.project(s.x, s.z);
      return [i, u, v, 6, 6] as TrackPoint;
    })
    .filter(([, u, v]) => camera.inFrame(u, v));
}

describe('origin tracer', () => {
  it('integrates quadratic drag like the closed-form fall time', () => {
    for (const vt of [5, 20, 45]) {
      const h = 30;
      const t = fallTimeWithDrag(h, vt);
      const [[, z]] = integrateDragFall(0, [0, h, 0, 0], 9.81 / vt ** 2, [t]) as [[number, number]];
      expect(Math.abs(z)).toBeLessThan(0.01);
    }
  });

  const cases: Array<[Parameters<typeof typicalObject>[0], number, { x: number; z: number }, number]> = [
    ['flower_pot', 14, { x: 0, z: 0 }, 0],
    ['flower_pot', 5, { x: 0.5, z: 0 }, 2],
    ['fruit', 9, { x: -0.8, z: 1.5 }, 1],
    ['full_bottle', 11, { x: 0, z: 0 }, 3],
    ['garbage_bag', 7, { x: 0.3, z: 0.5 }, 2],
    ['tissue', 12, { x: 0, z: 0 }, 2],
    ['cigarette_end', 8, { x: 0.6, z: 0 }, 1],
    ['empty_bottle', 4, { x: -0.4, z: 1 }, 2],
    ['bottle_cap', 13, { x: 0, z: 0 }, 3],
    ['tissue', 3, { x: 0.2, z: 0.8 }, 0],
  ];
  it.each(cases)('%s from floor %i traces back to its floor and window', (object, floor, velocity, skip) => {
    const x = 14.2; // window column 3 of 4 on a 24 m façade
    const points = exactTrack(object, floor, x, velocity, skip);
    const fit = traceOrigin(toFacade(HOMOGRAPHY, 25, points));
    expect(fit).not.toBeNull();
    const origin = originOf(
      { x: fit!.releaseX, z: fit!.releaseZ, sigmaX: fit!.sigmaX, sigmaZ: fit!.sigmaZ },
      LAYOUT,
    );
    expect(origin.floor).toBe(floor);
    expect(origin.floorRange[0]).toBeLessThanOrEqual(floor);
    expect(origin.floorRange[1]).toBeGreaterThanOrEqual(floor);
    expect(origin.column).toBe(3);
    expect(Math.abs(fit!.releaseZ - releaseHeight(floor))).toBeLessThan(0.6);
  });

  it('recovers light litter’s terminal speed and a heavy object’s near free fall', () => {
    const light = traceOrigin(toFacade(HOMOGRAPHY, 25, exactTrack('tissue', 12, 10, { x: 0, z: 0 }, 0)))!;
    const heavy = traceOrigin(toFacade(HOMOGRAPHY, 25, exactTrack('flower_pot', 12, 10, { x: 0, z: 0 }, 0)))!;
    expect(light.terminalSpeedMs).toBeGreaterThan(5);
    expect(light.terminalSpeedMs).toBeLessThan(6.5);
    expect(heavy.terminalSpeedMs).toBeGreaterThan(25);
  });

  it('maps heights and positions to floors and window columns', () => {
    expect(floorAt(releaseHeight(1), LAYOUT)).toBe(1);
    expect(floorAt(releaseHeight(14), LAYOUT)).toBe(14);
    expect(floorAt(releaseHeight(6) + 1.3, LAYOUT)).toBe(6);
    expect(floorAt(releaseHeight(6) + 1.5, LAYOUT)).toBe(7);
    expect(floorAt(200, LAYOUT)).toBe(14);
    expect(DEFAULT_SILL_M).toBe(1);
    expect(columnAt(0.5, LAYOUT)).toBe(1);
    expect(columnAt(23.5, LAYOUT)).toBe(4);
    expect(columnAt(12.1, LAYOUT)).toBe(3);
  });

  it('computes hypot to the last bit of Math.hypot (fits stay what they were)', () => {
    const specials = [
      0,
      -0,
      5e-324,
      1e-310,
      1e-5,
      3,
      -4,
      1e300,
      1.7976931348623157e308,
      Infinity,
      -Infinity,
      NaN,
    ];
    const pairs: Array<[number, number]> = specials.flatMap((a) =>
      specials.map((b): [number, number] => [a, b]),
    );
    // Velocities and accelerations of every magnitude a fit meets, and far beyond.
    let state = 2026;
    const uniform = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 200_000; i++) {
      const scale = Math.exp((uniform() - 0.5) * 60);
      pairs.push([(uniform() - 0.5) * scale, (uniform() - 0.5) * (uniform() < 0.5 ? scale : 1)]);
    }
    const differing = pairs.filter(([a, b]) => !Object.is(hypot(a, b), Math.hypot(a, b)));
    expect(differing).toEqual([]);
  });

  it('returns null for tracks too short to fit', () => {
    expect(
      traceOrigin(toFacade(HOMOGRAPHY, 25, exactTrack('fruit', 5, 10, { x: 0, z: 0 }, 0).slice(0, 3))),
    ).toBeNull();
  });
});
