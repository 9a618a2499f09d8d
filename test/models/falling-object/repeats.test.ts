/**
 * The repeat filter on its own (models/falling-object/repeats.ts), on event time: a drip-like
 * fall waits for a repeat, a repeat from the same spot turns the spot into one notice, a fall
 * that is fast or large passes at once, and a lone small fall is raised when its wait is over.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REPEAT_OPTIONS,
  isDripLike,
  RepeatFilter,
  type FallSighting,
} from '../../../models/falling-object/repeats.ts';
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
});
