/** Track features: finite, named, and saying what the physics says about each kind of motion. */
import { describe, expect, it } from 'vitest';
import { generateDistractor } from '../../../simulators/camera/distractors.ts';
import { generateFallTrack } from '../../../simulators/camera/track.ts';
import { FEATURE_NAMES } from '../../../models/falling-object/features.ts';
import { toFacade } from '../../../models/falling-object/geometry.ts';
import { analyseTrack, type CameraContext } from '../../../models/falling-object/predict.ts';
import { baselineDecision } from '../../../models/falling-object/baseline.ts';

const calibration = {
  homography: [
    [0.04241356791, 0.008482713583, -10.90332667],
    [0, -0.03567088808, 65.83647899],
    [0, 0.0007068927986, 1],
  ],
  fps: 25,
  frame: { w: 1080, h: 1920 },
};
const camera: CameraContext = {
  homography: calibration.homography,
  fps: 25,
  layout: { floors: 14, floorHeightM: 2.8, widthM: 24, windowColumns: 4 },
};
const feature = (features: number[], name: (typeof FEATURE_NAMES)[number]): number =>
  features[FEATURE_NAMES.indexOf(name)]!;

describe('falling-object features', () => {
  it('maps pixels onto the façade in metres', () => {
    const [p] = toFacade(calibration.homography, 25, [[0, 540, 960, 10, 10]]);
    expect(p!.x).toBeCloseTo(12, 0);
    expect(p!.z).toBeGreaterThan(10);
    expect(p!.sizeM).toBeGreaterThan(0.2);
  });

  it('gives one finite value per named feature', () => {
    const sims = [
      generateFallTrack({ camera: calibration, startTs: 0, rng: 1, floor: 10, object: 'tissue' })!,
      ...generateDistractor('bird', { camera: calibration, startTs: 0, rng: 2 }),
      ...generateDistractor('light', { camera: calibration, startTs: 0, rng: 3 }),
      ...generateDistractor('rain', { camera: calibration, startTs: 0, rng: 4, drops: 2 }),
    ];
    for (const sim of sims) {
      const a = analyseTrack(sim.track, camera);
      expect(a.features).toHaveLength(FEATURE_NAMES.length);
      for (const v of a.features) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('sees a flower pot accelerate at about g and fall many floors', () => {
    const sim = generateFallTrack({
      camera: calibration,
      startTs: 0,
      rng: 5,
      floor: 12,
      object: 'flower_pot',
      thrown: false,
    })!;
    const a = analyseTrack(sim.track, camera);
    expect(feature(a.features, 'parabola_accel_g')).toBeLessThan(-0.7);
    expect(feature(a.features, 'drop_floors')).toBeGreaterThan(8);
    expect(Math.exp(feature(a.features, 'log_terminal_speed'))).toBeGreaterThan(20);
    expect(baselineDecision(a.facade, camera.layout).alert).toBe(true);
  });

  it('sees a tissue fall at its terminal speed, which the parabola rule misses', () => {
    const sim = generateFallTrack({
      camera: calibration,
      startTs: 0,
      rng: 6,
      floor: 12,
      object: 'tissue',
      thrown: false,
    })!;
    const a = analyseTrack(sim.track, camera);
    expect(Math.exp(feature(a.features, 'log_terminal_speed'))).toBeLessThan(8);
    expect(feature(a.features, 'drop_floors')).toBeGreaterThan(8);
    expect(a.origin?.floor).toBeGreaterThanOrEqual(11);
    expect(a.origin?.floor).toBeLessThanOrEqual(13);
    expect(baselineDecision(a.facade, camera.layout).alert).toBe(false);
  });

  it('sees a window light as a thing that does not fall', () => {
    const [sim] = generateDistractor('light', { camera: calibration, startTs: 0, rng: 7 });
    const a = analyseTrack(sim!.track, camera);
    expect(Math.abs(feature(a.features, 'net_drop_ratio'))).toBeLessThan(0.5);
  });
});
