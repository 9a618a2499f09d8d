import { describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../../gateway/src/site/site-loader.ts';
import { DISTRACTOR_LABELS, generateDistractor } from '../../../simulators/camera/distractors.ts';
import { floorOfHeight } from '../../../simulators/camera/fall.ts';
import { FacadeCamera } from '../../../simulators/camera/projection.ts';
import { generateFallTrack, trackPayload } from '../../../simulators/camera/track.ts';

const site = loadSiteFile('sites/chunjiang.yaml');
const calibration = site.devices.find((d) => d.id === 'cam-b3-east')!.calibration!;

describe('camera projection', () => {
  it('recovers the pinhole camera behind the homography and round-trips façade points', () => {
    const cam = new FacadeCamera(calibration);
    // scripts/generate-example-site.ts: 30 m out, 1.5 m up, centred at 12 m, f = 1371 px.
    expect(cam.focalPx).toBeCloseTo(1371, 0);
    expect(cam.centre[0]).toBeCloseTo(12, 2);
    expect(cam.centre[1]).toBeCloseTo(30, 2);
    expect(cam.centre[2]).toBeCloseTo(1.5, 2);
    for (const [x, z] of [
      [5, 10],
      [20, 35],
    ] as const) {
      const [u, v] = cam.project(x, z);
      const p3 = cam.project3d([x, 0, z]);
      expect(p3.u).toBeCloseTo(u, 6);
      expect(p3.v).toBeCloseTo(v, 6);
      const [x2, z2] = cam.unproject(u, v);
      expect(x2).toBeCloseTo(x, 6);
      expect(z2).toBeCloseTo(z, 6);
    }
  });
});

describe('fall tracks', () => {
  it('start at the release window and fall downwards in the image', () => {
    const cam = new FacadeCamera(calibration);
    const sim = generateFallTrack({
      camera: cam,
      floor: 9,
      column: 2,
      object: 'flower_pot',
      startTs: 1e12,
      rng: 7,
    })!;
    expect(sim.truth.isThrow).toBe(true);
    expect(floorOfHeight(sim.truth.release!.z)).toBe(9);
    const pts = sim.track.points;
    expect(pts.length).toBeGreaterThan(20);
    expect(pts.at(-1)![2]).toBeGreaterThan(pts[0]![2] + 500); // v grows downwards
    for (let i = 1; i < pts.length; i++) expect(pts[i]![0]).toBeGreaterThan(pts[i - 1]![0]);
    const payload = trackPayload(sim.track);
    expect(payload.fps).toBe(25);
    expect(typeof payload.start_ts).toBe('string');
  });

  it('releases within the opening: ±0.6 m of the column centre by default, wider for a balcony', () => {
    const cam = new FacadeCamera(calibration);
    const offsets = (opening?: { halfWidthM: number; aboveSillM: [number, number] }): number[] =>
      Array.from({ length: 200 }, (_, i) => {
        const sim = generateFallTrack({
          camera: cam,
          floor: 6,
          column: 2,
          object: 'fruit',
          startTs: 1e12,
          rng: `opening-${i}`,
          ...(opening ? { opening } : {}),
        })!;
        return sim.truth.release!.x - 9; // column 2 of a 24 m, 4-column façade is centred at 9 m
      });
    const window = offsets();
    const balcony = offsets({ halfWidthM: 1.8, aboveSillM: [-0.2, 0.8] });
    expect(Math.max(...window.map(Math.abs))).toBeLessThanOrEqual(0.6);
    expect(Math.max(...balcony.map(Math.abs))).toBeLessThanOrEqual(1.8);
    expect(balcony.filter((x) => Math.abs(x) > 0.6).length).toBeGreaterThan(100);
  });

  it('the first tracked point unprojects to the release floor (camera model and track agree)', () => {
    const cam = new FacadeCamera(calibration);
    for (let floor = 2; floor <= 14; floor++) {
      const sim = generateFallTrack({
        camera: cam,
        floor,
        column: 2,
        object: 'flower_pot',
        thrown: false,
        startTs: 0,
        rng: `floor-${floor}`,
        noise: { maxConfirmFrames: 0, dropRate: 0 },
      })!;
      const [, u, v] = sim.track.points[0]!;
      const [, z] = cam.unproject(u, v);
      // ±½ floor = 1.4 m is what origin tracing needs (FIELD-NOTES §1.2).
      expect(Math.abs(z - sim.truth.release!.z), `floor ${floor}`).toBeLessThan(1.0);
      expect(floorOfHeight(z)).toBe(floor);
    }
  });

  it('is reproducible: same seed, same track', () => {
    const a = generateFallTrack({ camera: calibration, floor: 5, startTs: 0, rng: 'x' });
    const b = generateFallTrack({ camera: calibration, floor: 5, startTs: 0, rng: 'x' });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('distractors never count as throws and produce in-frame tracks', () => {
    for (const label of DISTRACTOR_LABELS) {
      const tracks = generateDistractor(label, { camera: calibration, startTs: 0, rng: `d-${label}` });
      expect(tracks.length, label).toBeGreaterThan(0);
      for (const t of tracks) {
        expect(t.truth.isThrow).toBe(false);
        expect(t.truth.label).toBe(label);
        for (const p of t.track.points) {
          expect(p[1]).toBeGreaterThanOrEqual(0);
          expect(p[2]).toBeLessThan(t.track.frame.h);
        }
      }
    }
  });

  it('insects near the lens look large; a tissue at the façade looks small', () => {
    const insects = generateDistractor('insect', { camera: calibration, startTs: 0, rng: 3 });
    const tissue = generateFallTrack({
      camera: calibration,
      floor: 12,
      object: 'tissue',
      startTs: 0,
      rng: 3,
    })!;
    const meanW = (pts: number[][]): number => pts.reduce((s, p) => s + p[3]!, 0) / pts.length;
    expect(meanW(insects[0]!.track.points)).toBeGreaterThan(3 * meanW(tissue.track.points.slice(0, 10)));
  });
});
