/**
 * The repeat filter on its own (models/falling-object/repeats.ts), on event time: a drip-like
 * fall waits for a repeat, a repeat from the same spot turns the spot into one notice, a fall
 * that is fast or large passes at once, and a lone small fall is raised when its wait is over.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REPEAT_OPTIONS,
  isDripLike,
  boxWidthBound,
  RepeatFilter,
  type FallSighting,
} from '../../../models/falling-object/repeats.ts';
import { toFacade } from '../../../models/falling-object/geometry.ts';
import { testNow } from '../../helpers/clock.ts';

const T0 = testNow();
const drop = (releaseTs: number, over: Partial<FallSighting> = {}): FallSighting => ({
  cameraId: 'cam-1',
  releaseTs,
  x: 7.2,
  z: 30.4,
  sigmaX: 0.1,
  sigmaZ: 0.3,
  widthM: 0.03,
  widthPx: 2,
  terminalSpeedMs: 8,
  ...over,
});
const HOLD = DEFAULT_REPEAT_OPTIONS.holdMs;

describe('RepeatFilter', () => {
  it('holds a drip-like fall and raises it when no repeat came within the hold', () => {
    const f = new RepeatFilter<string>();
    expect(f.observe(drop(T0), 'butt')).toEqual({ raise: [], dripping: null });
    expect(f.due(T0 + HOLD - 1)).toEqual([]);
    expect(f.due(T0 + HOLD)).toEqual(['butt']);
    expect(f.heldCount).toBe(0);
  });

  it('drops every alert of a spot that repeats, and reports the spot once', () => {
    const f = new RepeatFilter<string>();
    const reports = [];
    for (let i = 0; i < 10; i++) {
      const seen = f.observe(drop(T0 + i * 20_000, { x: 7.2 + (i % 3) * 0.1 }), `drop-${i}`);
      expect(seen.raise).toEqual([]);
      if (seen.dripping) reports.push(seen.dripping);
      expect(f.due(T0 + i * 20_000)).toEqual([]);
    }
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ cameraId: 'cam-1', falls: DEFAULT_REPEAT_OPTIONS.reportAfter });
    expect(f.due(T0 + 60 * 60_000)).toEqual([]);
  });

  it('raises a fast or large fall at once, even from a dripping spot', () => {
    const f = new RepeatFilter<string>();
    f.observe(drop(T0), 'a');
    f.observe(drop(T0 + 10_000), 'b');
    expect(f.observe(drop(T0 + 20_000, { terminalSpeedMs: 40 }), 'pot').raise).toEqual(['pot']);
    expect(f.observe(drop(T0 + 30_000, { widthM: 0.25 }), 'bag').raise).toEqual(['bag']);
  });

  it('keeps spots apart by camera and by place on the façade', () => {
    const f = new RepeatFilter<string>();
    f.observe(drop(T0), 'a');
    f.observe(drop(T0 + 10_000, { cameraId: 'cam-2' }), 'b');
    f.observe(drop(T0 + 20_000, { x: 13 }), 'c');
    f.observe(drop(T0 + 30_000, { z: 12 }), 'd');
    expect(f.due(T0 + 30_000 + HOLD).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('calls a raindrop-sized box at raindrop speed drip-like, and a bottle not', () => {
    expect(isDripLike(drop(T0))).toBe(true);
    expect(isDripLike(drop(T0, { widthM: 0.2 }))).toBe(false);
    expect(isDripLike(drop(T0, { terminalSpeedMs: 40 }))).toBe(false);
  });

  it('calls a box of about one pixel drip-like whatever its fitted speed, unless wide in metres', () => {
    const onePx = { widthPx: 1, terminalSpeedMs: 43 };
    expect(isDripLike(drop(T0, onePx))).toBe(true);
    expect(isDripLike(drop(T0, { ...onePx, widthPx: 1.5 }))).toBe(true);
    expect(isDripLike(drop(T0, { ...onePx, widthPx: 2 }))).toBe(false);
    expect(isDripLike(drop(T0, { ...onePx, widthM: 0.2 }))).toBe(false);
  });

  it('holds and drops the fast-fitted 1-px drops of one spot like any other drip', () => {
    const f = new RepeatFilter<string>();
    for (let i = 0; i < 5; i++) {
      const fast = drop(T0 + i * 15_000, { widthPx: 1, terminalSpeedMs: 25 + 4 * i });
      expect(f.observe(fast, `drop-${i}`).raise).toEqual([]);
    }
    expect(f.due(T0 + 60 * 60_000)).toEqual([]);
  });

  it('bounds the object width in metres and pixels through the homography by its narrowest boxes', () => {
    // 3 cm a pixel: a 1-px drop is 3 cm wide, a 4 × 6 px bottle 12 cm.
    const h = [
      [0.03, 0, 0],
      [0, -0.03, 40],
      [0, 0, 1],
    ];
    const frames = (width: (f: number) => number, hh: number) =>
      Array.from({ length: 20 }, (_, f) => [f, 100 + f * 3, 50 + f * 10, width(f), hh] as const);
    const drip = boxWidthBound(
      toFacade(
        h,
        25,
        frames(() => 1, 1),
      ),
    );
    expect(drip.widthPx).toBeCloseTo(1, 6);
    expect(drip.widthM).toBeCloseTo(0.03, 6);
    const bottle = boxWidthBound(
      toFacade(
        h,
        25,
        frames(() => 4, 6),
      ),
    );
    expect(bottle.widthPx).toBeCloseTo(4, 6);
    expect(bottle.widthM).toBeCloseTo(0.12, 6);
    // A wind-blown drop whose box grows from 2 to 4 px as it falls is still a 2-px (6 cm) object,
    // and drip-like at a raindrop's fitted speed; its median width (3 px, 9 cm) was not.
    const blown = boxWidthBound(
      toFacade(
        h,
        25,
        frames((f) => 2 + Math.floor(f / 7), 2),
      ),
    );
    expect(blown.widthPx).toBeCloseTo(2, 6);
    expect(blown.widthM).toBeCloseTo(0.06, 6);
    expect(isDripLike(drop(T0, { ...blown, terminalSpeedMs: 9.9 }))).toBe(true);
    expect(isDripLike(drop(T0, { widthM: 0.09, widthPx: 3, terminalSpeedMs: 9.9 }))).toBe(false);
    // One frame clipped at the frame's edge does not make a bottle drip-sized.
    const clipped = boxWidthBound(
      toFacade(
        h,
        25,
        frames((f) => (f === 0 ? 1 : 4), 6),
      ),
    );
    expect(clipped.widthPx).toBeCloseTo(4, 6);
  });
});
