/**
 * Camera position from the façade homography, and the parallax of a release an arm's length out
 * from the façade: exact synthetic throws must trace to their floor once it is corrected.
 */
import { describe, expect, it } from 'vitest';
import { releaseHeight, simulateFall, typicalObject } from '../../../simulators/camera/fall.ts';
import { FacadeCamera } from '../../../simulators/camera/projection.ts';
import type { TrackPoint } from '../../../gateway/src/contracts/readings.ts';
import { pinholeCalibration } from '../../../models/falling-object/dataset.ts';
import { cameraCentre, offPlane } from '../../../models/falling-object/geometry.ts';
import { analyseTrack } from '../../../models/falling-object/predict.ts';

const FRAME = { w: 1080, h: 1920 };

describe('camera centre from the homography', () => {
  it.each([
    [30, 1.5, 30, 12],
    [18, 4, 22, 8],
    [45, 1, 38, 16],
  ])('finds a camera %f m out, %f m up (pitch %f°, centred at x = %f m)', (distance, height, pitch, x) => {
    const centre = cameraCentre(pinholeCalibration(distance, height, pitch, x).homography, FRAME)!;
    expect(centre.x).toBeCloseTo(x, 6);
    expect(centre.y).toBeCloseTo(distance, 6);
    expect(centre.z).toBeCloseTo(height, 6);
  });

  it('moves a façade point along the camera ray to the depth it really had', () => {
    // Camera 20 m out, 2 m up; a point seen on the façade at z = 42 m that was 0.5 m out is at
    // 2 + 40·(1 − 0.5/20) = 41 m.
    const p = offPlane({ x: 10, z: 42 }, { x: 10, y: 20, z: 2 }, 0.5);
    expect(p.z).toBeCloseTo(41, 9);
    expect(p.x).toBeCloseTo(10, 9);
  });
});

describe('release parallax', () => {
  // A close camera under a tall building: the parallax of 0.4 m is 0.4·(z − 1.5)/18 m, ~0.8 m at
  // the 14th floor, over a quarter of a storey.
  const calibration = pinholeCalibration(18, 1.5, 34, 12);
  const camera = new FacadeCamera(calibration);
  const context = {
    homography: calibration.homography,
    fps: 25,
    layout: { floors: 20, floorHeightM: 2.8, widthM: 24, windowColumns: 4 },
  };

  /** Exact pixels of a pot pushed off a sill 0.4 m out from the façade (hand out of the window). */
  function throwFrom(
    floor: number,
    zAboveSill: number,
  ): { fps: number; frame: typeof FRAME; points: TrackPoint[] } {
    const fall = simulateFall({
      object: typicalObject('flower_pot'),
      release: { x: 14.2, y: 0.4, z: releaseHeight(floor) + zAboveSill },
      velocity: { x: 0, y: 0, z: 0 },
    });
    const points = fall.samples
      .filter((s) => s.z > 0.5)
      .map((s, i) => {
        const p = camera.project3d([s.x, s.y, s.z]);
        return [i, p.u, p.v, 8, 8] as TrackPoint;
      })
      .filter(([, u, v]) => camera.inFrame(u, v));
    return { fps: 25, frame: FRAME, points };
  }

  it('finds the floor once the release is moved back along the ray, not without', () => {
    const track = throwFrom(14, 0.6);
    const truth = releaseHeight(14) + 0.6;
    const plane = analyseTrack(track, context, { releaseOffsetM: 0 });
    const corrected = analyseTrack(track, context, { releaseOffsetM: 0.4 });
    // On the plane it sits a quarter storey too high: floor 15 for a throw from high on a 14th-floor sill.
    expect(plane.fit!.releaseZ - truth).toBeGreaterThan(0.7);
    expect(plane.origin!.floor).toBe(15);
    expect(corrected.origin!.floor).toBe(14);
  });

  it.each([3, 7, 10, 14])('puts a throw from floor %i on its floor', (floor) => {
    const a = analyseTrack(throwFrom(floor, 0.1), context, { releaseOffsetM: 0.4 });
    expect(a.origin!.floor).toBe(floor);
  });
});
