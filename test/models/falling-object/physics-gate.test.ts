/**
 * The physics gate around the network's verdict (models/falling-object/physics-gate.ts): a slow
 * flutterer from tree-crown height or blown in from the side is not a throw whatever the network
 * says; a fall the physics corroborates alerts at a lower network confidence; a drop-sized fall
 * keeps the calibrated threshold (the repeat filter decides it).
 */
import { describe, expect, it } from 'vitest';
import type { ModelMeta } from '../../../models/lib/model-store.ts';
import {
  alertThreshold,
  GATE,
  isBlownFlutter,
  type FallPhysics,
} from '../../../models/falling-object/physics-gate.ts';
import { CLASSES, decide, type TrackClass } from '../../../models/falling-object/predict.ts';

const CALIBRATED = 0.995;
const META = { thresholds: { alert: CALIBRATED, minDropFloors: 2 } } as unknown as ModelMeta;
const FLOOR_M = 2.9;

/** A PET bottle (20 cm) seen falling 6 floors from a window column's centre line. */
const bottle: FallPhysics = {
  meanDownSpeedMs: 8,
  terminalSpeedMs: 10,
  releaseZ: 30,
  sideEdgeShare: 0.3,
  columnOffset: 0.2,
  observedDropFloors: 6,
  points: 40,
  widthM: 0.2,
  widthPx: 8,
};
/** A leaf from a crown 8 m up, near the middle of the frame. */
const leaf: FallPhysics = {
  ...bottle,
  meanDownSpeedMs: 1.6,
  terminalSpeedMs: 1.8,
  releaseZ: 8,
  observedDropFloors: 2,
};

function probabilities(pThrown: number): Record<TrackClass, number> {
  const p = Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<TrackClass, number>;
  p.thrown_object = pThrown;
  p.leaf = 1 - pThrown;
  return p;
}

const decideOn = (physics: FallPhysics, pThrown: number) =>
  decide({ fitted: true, dropM: physics.releaseZ, physics }, probabilities(pThrown), META, FLOOR_M);

describe('falling-object physics gate', () => {
  it('a fluttering leaf from tree-crown height raises nothing, even at p(thrown) = 0.999', () => {
    expect(isBlownFlutter(leaf)).toBe(true);
    const d = decideOn(leaf, 0.999);
    expect(d.alert).toBe(false);
    expect(d.reason).toBe('blown_flutter');
    expect(d.trackClass).toBe('leaf');
  });

  it('a film bag fluttering down from floor 8 (21 m, above any crown) still alerts', () => {
    const filmBag = {
      ...leaf,
      meanDownSpeedMs: 1.2,
      terminalSpeedMs: 1.3,
      releaseZ: 21,
      observedDropFloors: 6,
    };
    expect(isBlownFlutter(filmBag)).toBe(false);
    expect(decideOn(filmBag, 0.999)).toMatchObject({ alert: true, reason: 'ok' });
  });

  it('paper first seen at the side edge of the frame is blown in, however high', () => {
    const paper = { ...leaf, releaseZ: 30, sideEdgeShare: 0.005 };
    expect(isBlownFlutter(paper)).toBe(true);
    expect(decideOn(paper, 1).reason).toBe('blown_flutter');
    // A fast object entering at the edge is not a flutterer.
    expect(isBlownFlutter({ ...bottle, sideEdgeShare: 0.005 })).toBe(false);
  });

  it('a fall the physics corroborates alerts at p(thrown) 0.9; the network alone needs the calibrated threshold', () => {
    expect(alertThreshold(bottle, CALIBRATED)).toBe(GATE.corroboratedThreshold);
    expect(decideOn(bottle, 0.92)).toMatchObject({ alert: true, reason: 'ok' });
    expect(decideOn(bottle, 0.85)).toMatchObject({ alert: false, reason: 'not_an_object' });
    // Released between two window columns, seen for too few points, or falling too little in view.
    for (const weak of [
      { ...bottle, columnOffset: 0.9 },
      { ...bottle, points: 6 },
      { ...bottle, observedDropFloors: 1.5 },
      // A blurred rain streak: 10 cm wide, 11 m/s.
      { ...bottle, widthM: 0.1, terminalSpeedMs: 11 },
    ]) {
      expect(alertThreshold(weak, CALIBRATED)).toBe(CALIBRATED);
      expect(decideOn(weak, 0.92).alert).toBe(false);
    }
    expect(alertThreshold(null, CALIBRATED)).toBe(CALIBRATED);
  });

  it('a drop-sized fall keeps the calibrated threshold: its repeats decide it', () => {
    const cap = { ...bottle, widthM: 0.03, widthPx: 1, terminalSpeedMs: 7 };
    expect(alertThreshold(cap, CALIBRATED)).toBe(CALIBRATED);
    expect(decideOn(cap, 0.92).alert).toBe(false);
  });
});
