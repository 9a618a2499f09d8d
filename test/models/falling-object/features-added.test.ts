/**
 * The physics features added in falling-object@5, @7 and @8, on exact synthetic trajectories (façade
 * points built by hand, no noise): each must read the motion the way the physics says.
 */
import { describe, expect, it } from 'vitest';
import {
  extractFeatures,
  FEATURE_NAMES,
  type ReleaseContext,
} from '../../../models/falling-object/features.ts';
import type { FacadePoint } from '../../../models/falling-object/geometry.ts';
import { analyseTrack, type CameraContext } from '../../../models/falling-object/predict.ts';

const LAYOUT = { floors: 14, floorHeightM: 2.8, widthM: 24, windowColumns: 4 };
const FPS = 25;

/** Façade points at 25 fps from a position function, with a box size and aspect per frame. */
function track(
  frames: number,
  at: (t: number) => { x: number; z: number; sizeM?: number; aspect?: number },
): FacadePoint[] {
  return Array.from({ length: frames }, (_, i) => {
    const t = i / FPS;
    const p = at(t);
    return { t, x: p.x, z: p.z, sizeM: p.sizeM ?? 0.1, scaleM: 0.02, aspect: p.aspect ?? 1 };
  });
}

const feature = (
  pts: FacadePoint[],
  name: (typeof FEATURE_NAMES)[number],
  entry: { sideEdgeShare: number; topEdgeShare: number; endEdgeShare?: number } = {
    sideEdgeShare: 0.5,
    topEdgeShare: 0.5,
  },
  release: ReleaseContext | null = null,
): number => extractFeatures(pts, null, LAYOUT, FPS, entry, release)[FEATURE_NAMES.indexOf(name)]!;

describe('falling-object features added in @5 and @7', () => {
  it('appends them after the @4 features, so older versions read the prefix they know', () => {
    expect(FEATURE_NAMES.slice(0, 21).at(-1)).toBe('log_release_speed_ms');
    expect(FEATURE_NAMES.slice(27, 29)).toEqual(['top_entry', 'log_entry_down_speed_ms']);
    expect(FEATURE_NAMES.slice(29)).toEqual([
      'release_column_offset',
      'release_sill_offset',
      'end_edge_share',
      'end_height_floors',
    ]);
    expect(FEATURE_NAMES.slice(21, 27)).toEqual([
      'observed_drop_floors',
      'vertical_reversals_per_s',
      'aspect_cv',
      'side_entry',
      'log_size_growth',
      'log_entry_lateral_speed_ms',
    ]);
  });

  it('measures the fall actually seen, in floors: 11.2 m down is 4 floors of 2.8 m', () => {
    const fall = track(51, (t) => ({ x: 10, z: 30 - 5.6 * t }));
    expect(feature(fall, 'observed_drop_floors')).toBeCloseTo(4, 6);
    const climb = track(26, (t) => ({ x: 10, z: 20 + 2.8 * t }));
    expect(feature(climb, 'observed_drop_floors')).toBeCloseTo(-1, 6);
  });

  it('counts vertical turns: none for a falling body, two a second for a bird bobbing at 1 Hz', () => {
    const fall = track(50, (t) => ({ x: 10, z: 30 - 4.9 * t * t }));
    expect(feature(fall, 'vertical_reversals_per_s')).toBe(0);
    // z = 20 + 0.5·sin(2πt): turns at t = 0.25, 0.75, 1.25, 1.75 within 2 s.
    const bob = track(51, (t) => ({ x: 10 + 10 * t, z: 20 + 0.5 * Math.sin(2 * Math.PI * t) }));
    expect(feature(bob, 'vertical_reversals_per_s')).toBeCloseTo(2, 6);
  });

  it('sees wing beats pulse the box shape and a falling bottle keep it', () => {
    const bottle = track(40, (t) => ({ x: 10, z: 30 - 4.9 * t * t, aspect: 1 }));
    expect(feature(bottle, 'aspect_cv')).toBe(0);
    // Wings up, wings down on alternate frames: aspect 0.5 and 1.5, mean 1, standard deviation 0.5.
    const bird = track(40, (t) => ({ x: 10 + 12 * t, z: 20, aspect: Math.round(t * FPS) % 2 ? 1.5 : 0.5 }));
    expect(feature(bird, 'aspect_cv')).toBeCloseTo(0.5, 9);
  });

  it('takes the entry position from the image: 0 at a side edge, capped at the middle', () => {
    const pts = track(10, (t) => ({ x: 10, z: 30 - 5 * t }));
    expect(feature(pts, 'side_entry', { sideEdgeShare: 0, topEdgeShare: 0.5 })).toBe(0);
    expect(feature(pts, 'side_entry', { sideEdgeShare: 0.2, topEdgeShare: 0.5 })).toBeCloseTo(0.2, 9);
    expect(feature(pts, 'side_entry', { sideEdgeShare: 0.9, topEdgeShare: 0.5 })).toBe(0.5);
    expect(feature(pts, 'top_entry', { sideEdgeShare: 0.2, topEdgeShare: 0 })).toBe(0);
    expect(feature(pts, 'top_entry', { sideEdgeShare: 0.2, topEdgeShare: 0.7 })).toBeCloseTo(0.7, 9);
  });

  it('sees a box grow as it comes towards the lens: first quarter 0.1 m, last 0.2 m → ln 2', () => {
    const growing = track(40, (t) => ({ x: 10, z: 20 - t, sizeM: t < 0.4 ? 0.1 : t >= 1.2 ? 0.2 : 0.15 }));
    expect(feature(growing, 'log_size_growth')).toBeCloseTo(Math.log(2), 6);
    const steady = track(40, (t) => ({ x: 10, z: 20 - t }));
    expect(feature(steady, 'log_size_growth')).toBeCloseTo(0, 9);
  });

  it('reads blown paper’s sideways entry speed (4 m/s) against a dropped object’s (0)', () => {
    const blown = track(50, (t) => ({ x: 2 + 4 * t, z: 20 - 1.5 * t }));
    expect(feature(blown, 'log_entry_lateral_speed_ms')).toBeCloseTo(Math.log1p(4), 6);
    const dropped = track(50, (t) => ({ x: 10, z: 30 - 4.9 * t * t }));
    expect(feature(dropped, 'log_entry_lateral_speed_ms')).toBe(0);
  });

  it('reads how fast it already fell when first seen: a dart at 6 m/s, a release from rest at g·t/2', () => {
    const dart = track(30, (t) => ({ x: 10, z: 20 - 6 * t }));
    expect(feature(dart, 'log_entry_down_speed_ms')).toBeCloseTo(Math.log1p(6), 6);
    // From rest: mean speed over the first 0.28 s (7 frames) is g·0.28/2 ≈ 1.37 m/s.
    const released = track(30, (t) => ({ x: 10, z: 30 - 4.905 * t * t }));
    expect(feature(released, 'log_entry_down_speed_ms')).toBeCloseTo(Math.log1p(4.905 * 0.28), 6);
    const rising = track(30, (t) => ({ x: 10, z: 20 + 2 * t }));
    expect(feature(rising, 'log_entry_down_speed_ms')).toBe(0);
  });

  // 24 m façade, 4 window columns of 6 m: centre lines at x = 3, 9, 15, 21; sills at 1.0 + 2.8·k m.
  const dart = track(20, (t) => ({ x: 10, z: 20 - 5 * t }));
  const releasedAt = (x: number, z: number): ReleaseContext => ({ x, z, sillM: 1.0 });

  it('places the release against the window columns: 0 on a centre line, 1 between columns', () => {
    expect(feature(dart, 'release_column_offset', undefined, releasedAt(9, 15))).toBeCloseTo(0, 9);
    expect(feature(dart, 'release_column_offset', undefined, releasedAt(10.5, 15))).toBeCloseTo(0.5, 9);
    expect(feature(dart, 'release_column_offset', undefined, releasedAt(12, 15))).toBeCloseTo(1, 9);
    expect(feature(dart, 'release_column_offset', undefined, releasedAt(-0.5, 15))).toBe(1);
    // No fitted release point: not at a window.
    expect(feature(dart, 'release_column_offset')).toBe(1);
  });

  it('places the release against the sill lines: 0 on a sill, 1 midway between two', () => {
    // Sill of floor 6: 1.0 + 5 × 2.8 = 15 m.
    expect(feature(dart, 'release_sill_offset', undefined, releasedAt(9, 15))).toBeCloseTo(0, 9);
    expect(feature(dart, 'release_sill_offset', undefined, releasedAt(9, 15.7))).toBeCloseTo(0.5, 9);
    expect(feature(dart, 'release_sill_offset', undefined, releasedAt(9, 14.3))).toBeCloseTo(0.5, 9);
    expect(feature(dart, 'release_sill_offset', undefined, releasedAt(9, 16.4))).toBeCloseTo(1, 9);
  });

  it('reads where the track ended: its height above the ground in floors', () => {
    const landed = track(50, (t) => ({ x: 10, z: 30 - 12 * t }));
    expect(feature(landed, 'end_height_floors')).toBeCloseTo((30 - (12 * 49) / FPS) / 2.8, 9);
    const lostHigh = track(26, (t) => ({ x: 10, z: 20 - 2.8 * t }));
    expect(feature(lostHigh, 'end_height_floors')).toBeCloseTo((20 - 2.8) / 2.8, 9);
  });

  it('reads how far from the frame edge the track ended: mid-view for a lost dart, 0 at the bottom', () => {
    // A camera 30 m out, 2 m up, pitched 30°: any homography will do, the feature is in the image.
    const camera: CameraContext = {
      homography: [
        [0.04241356791, 0.008482713583, -10.90332667],
        [0, -0.03567088808, 65.83647899],
        [0, 0.0007068927986, 1],
      ],
      fps: FPS,
      layout: LAYOUT,
    };
    const frame = { w: 1080, h: 1920 };
    const straightDown = (fromV: number, toV: number): Array<[number, number, number, number, number]> =>
      Array.from({ length: 21 }, (_, i) => [i, 540, fromV + ((toV - fromV) * i) / 20, 6, 12]);
    const endEdge = (points: Array<[number, number, number, number, number]>, withFrame = true): number =>
      analyseTrack({ fps: FPS, points, ...(withFrame ? { frame } : {}) }, camera).features[
        FEATURE_NAMES.indexOf('end_edge_share')
      ]!;
    // Lost at v = 1000: 919 px above the bottom edge of 1920 (the side edges are 539 px of 1080 away).
    expect(endEdge(straightDown(500, 1000))).toBeCloseTo(919 / 1920, 9);
    expect(endEdge(straightDown(900, 1919))).toBe(0);
    // No frame size: no evidence either way, read as the edge.
    expect(endEdge(straightDown(500, 1000), false)).toBe(0);
  });
});
