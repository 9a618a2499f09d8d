/**
 * Runs the detector's pre-processing and the baseline over simulated samples once, keeping what
 * training and evaluation need (features, traced origin, baseline verdict, timings).
 */
import { SingleBar, Presets } from 'cli-progress';
import { baselineDecision } from './baseline.ts';
import { generateSamples, specTotal, type DatasetSpec } from './dataset.ts';
import type { FallPhysics } from './physics-gate.ts';
import { analyseTrack, type TrackClass } from './predict.ts';

export interface TrackRecord {
  label: TrackClass;
  objectClass: string | null;
  alertDue: boolean;
  isThrow: boolean;
  truthFloor: number | null;
  truthColumn: number | null;
  features: number[];
  fitted: boolean;
  floor: number | null;
  floorRange: [number, number] | null;
  column: number | null;
  dropM: number;
  physics: FallPhysics | null;
  floorHeightM: number;
  /** Pre-processing time (façade mapping + origin fit + features), ms. */
  analyseMs: number;
  baseline: { alert: boolean; floor: number | null; ms: number };
}

export function collectRecords(
  spec: DatasetSpec,
  params: Record<string, number>,
  label: string | null,
): TrackRecord[] {
  const total = specTotal(spec);
  const bar =
    label === null
      ? null
      : new SingleBar({ format: `${label} |{bar}| {value}/{total} tracks` }, Presets.shades_classic);
  bar?.start(total, 0);
  const out: TrackRecord[] = [];
  for (const s of generateSamples(spec)) {
    const t0 = performance.now();
    const a = analyseTrack(s.sim.track, s.camera, params);
    const t1 = performance.now();
    const base = baselineDecision(a.facade, s.camera.layout);
    const t2 = performance.now();
    if (a.features.length === 0) continue;
    out.push({
      label: s.label,
      objectClass: s.sim.truth.objectClass ?? null,
      alertDue: s.alertDue,
      isThrow: s.sim.truth.isThrow,
      truthFloor: s.sim.truth.floor ?? null,
      truthColumn: s.sim.truth.column ?? null,
      features: a.features,
      fitted: a.fit !== null,
      floor: a.origin?.floor ?? null,
      floorRange: a.origin?.floorRange ?? null,
      column: a.origin?.column ?? null,
      dropM: a.dropM,
      physics: a.physics,
      floorHeightM: s.camera.layout.floorHeightM,
      analyseMs: t1 - t0,
      baseline: { ...base, ms: t2 - t1 },
    });
    bar?.increment();
  }
  bar?.stop();
  return out;
}
