import { describe, expect, it } from 'vitest';
import {
  OBJECT_CLASSES,
  fallTimeWithDrag,
  freeFallTime,
  releaseHeight,
  simulateFall,
  speedAfter,
  typicalObject,
  type ObjectClassName,
} from '../../../simulators/camera/fall.ts';

describe('fall physics (FIELD-NOTES §1.2)', () => {
  it('release height follows 2.8 m floors plus a 1 m sill', () => {
    expect(releaseHeight(3)).toBeCloseTo(6.6, 6);
    expect(releaseHeight(10)).toBeCloseTo(26.2, 6);
    expect(releaseHeight(30)).toBeCloseTo(82.2, 6);
  });

  it('matches the FIELD-NOTES fall-time table for free fall and drag-limited objects', () => {
    // floor 10: 2.31 s free fall; 2.56 s at v_t = 20; 5.59 s at v_t = 5; 17.6 s at v_t = 1.5
    expect(freeFallTime(releaseHeight(10))).toBeCloseTo(2.31, 2);
    expect(fallTimeWithDrag(releaseHeight(10), 20)).toBeCloseTo(2.56, 1);
    expect(fallTimeWithDrag(releaseHeight(10), 5)).toBeCloseTo(5.59, 1);
    expect(fallTimeWithDrag(releaseHeight(10), 1.5)).toBeCloseTo(17.6, 0);
  });

  const cases: Array<[ObjectClassName, number]> = [
    ['flower_pot', 3],
    ['flower_pot', 20],
    ['garbage_bag', 12],
    ['tissue', 6],
    ['cigarette_end', 10],
    ['film_bag', 4],
  ];
  it.each(cases)(
    'integrated fall of a %s from floor %i matches the analytic drag solution within 1 %%',
    (cls, floor) => {
      const object = typicalObject(cls);
      const h = releaseHeight(floor);
      const fall = simulateFall({ object, release: { x: 0, z: h } });
      const analytic = fallTimeWithDrag(h, fall.terminalSpeedMs);
      expect(Math.abs(fall.impactTimeS - analytic) / analytic).toBeLessThan(0.01);
      // The fall never beats a vacuum.
      expect(fall.impactTimeS).toBeGreaterThanOrEqual(freeFallTime(h) - 1e-6);
    },
  );

  it('light litter reaches a terminal speed of a few m/s within about a second', () => {
    for (const cls of ['tissue', 'cigarette_end', 'bottle_cap'] as const) {
      const object = typicalObject(cls);
      const fall = simulateFall({ object, release: { x: 0, z: releaseHeight(15) }, sampleIntervalS: 0.05 });
      const vt = fall.terminalSpeedMs;
      expect(vt).toBeGreaterThan(3);
      expect(vt).toBeLessThan(10);
      const at1s = fall.samples.find((s) => s.t >= 1.0)!;
      expect(-at1s.vz / vt).toBeGreaterThan(0.85);
      expect(speedAfter(1, vt) / vt).toBeGreaterThan(0.85);
      expect(fall.impactSpeedMs).toBeCloseTo(vt, 1);
    }
  });

  it('heavy objects fall almost freely (within 10 % of vacuum fall time from floor 10)', () => {
    for (const cls of ['flower_pot', 'fruit', 'egg'] as const) {
      const fall = simulateFall({ object: typicalObject(cls), release: { x: 0, z: releaseHeight(10) } });
      expect(fall.impactTimeS / freeFallTime(releaseHeight(10))).toBeLessThan(1.1);
    }
  });

  it('wind carries light litter much further than a flower pot', () => {
    const wind = { speedMs: 6, towardsDeg: 0, referenceHeightM: 40, turbulence: 0 };
    const drift = (cls: ObjectClassName): number => {
      const fall = simulateFall({
        object: typicalObject(cls),
        release: { x: 0, z: releaseHeight(12) },
        wind,
      });
      return fall.samples.at(-1)!.x;
    };
    expect(drift('tissue')).toBeGreaterThan(10 * drift('flower_pot'));
    expect(drift('flower_pot')).toBeGreaterThan(0);
  });

  it('every class has a positive mass and an ordered v_t range', () => {
    for (const c of Object.values(OBJECT_CLASSES)) {
      expect(c.massKg).toBeGreaterThan(0);
      expect(c.terminalSpeedMs[0]).toBeLessThanOrEqual(c.terminalSpeedMs[1]);
    }
  });
});
