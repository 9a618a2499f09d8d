/**
 * fire-fusion: runtime pre- and post-processing (the only file the gateway imports).
 * Shed state → window features → classifier (normal / nuisance / thermal runaway) → decisions:
 * `fire_risk` naming the suspect port as soon as a runaway is likely (the playbook cuts that
 * port at once), `fire` when the runaway is confirmed by smoke or heat at the ceiling.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { ModelMeta } from '../lib/model-store.ts';
import type { ShedWindow } from './features.ts';

export { shedWindow, FEATURE_NAMES } from './features.ts';
export { ShedState } from './shed-state.ts';

export const MODEL_NAME = 'fire-fusion';
export const CLASSES = ['normal', 'nuisance', 'runaway'] as const;
export type WindowClass = (typeof CLASSES)[number];
export type Probabilities = Record<WindowClass, number>;

/** Decision parameters kept in meta.thresholds (defaults here). */
export const DEFAULT_THRESHOLDS = {
  /** p(runaway) for fire_risk. */
  risk: 0.9,
  /** Consecutive windows at or above `risk` before fire_risk. */
  riskWindows: 2,
  /** p(runaway) for fire once confirmed. */
  fire: 0.5,
  /** Confirmation: ceiling smoke, dB/m (GB 4715 B-type sensitivity). */
  confirmSmokeDbM: 0.15,
  /** Confirmation: air temperature rise over 5 min, K. */
  confirmAirRiseK: 5,
  /** Quiet time after which a shed can raise again, minutes. */
  rearmMin: 30,
};

export interface FireDecision {
  kind: 'fire_risk' | 'fire';
  t: number;
  suspectPort: number | null;
  probabilities: Probabilities;
  window: ShedWindow;
}

export function classify(
  tf: typeof import('@tensorflow/tfjs'),
  model: LayersModel,
  meta: ModelMeta,
  windows: ReadonlyArray<{ features: number[] }>,
): Probabilities[] {
  if (windows.length === 0) return [];
  const rows = windows.map((w) =>
    meta.features.names.map(
      (_, i) => ((w.features[i] ?? 0) - meta.features.mean[i]!) / (meta.features.std[i]! || 1),
    ),
  );
  const flat = tf.tidy(() => (model.predict(tf.tensor2d(rows)) as Tensor).dataSync());
  const k = meta.classes.length;
  return rows.map((_, i) => {
    const out = { normal: 0, nuisance: 0, runaway: 0 };
    meta.classes.forEach((c, j) => (out[c as WindowClass] = flat[i * k + j]!));
    return out;
  });
}

/** Per-shed decision state: debounces fire_risk, confirms fire, re-arms after a quiet spell. */
export class FireDecider {
  private streak = 0;
  private riskAt: number | null = null;
  private riskPort: number | null = null;
  private fireAt: number | null = null;
  private lastHotAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly thresholds: Record<string, number>) {}

  step(window: ShedWindow, p: Probabilities): FireDecision[] {
    const th = { ...DEFAULT_THRESHOLDS, ...this.thresholds };
    const out: FireDecision[] = [];
    const hot = p.runaway >= th.risk;
    if (p.runaway >= th.fire) this.lastHotAt = window.t;
    if (window.t - this.lastHotAt > th.rearmMin * 60_000) {
      this.riskAt = null;
      this.riskPort = null;
      this.fireAt = null;
    }
    this.streak = hot ? this.streak + 1 : 0;
    if (this.riskAt === null && this.streak >= th.riskWindows) {
      this.riskAt = window.t;
      this.riskPort = window.suspectPort;
      out.push({ kind: 'fire_risk', t: window.t, suspectPort: window.suspectPort, probabilities: p, window });
    }
    const confirmed = window.raw.smokeDbM >= th.confirmSmokeDbM || window.raw.airRiseK >= th.confirmAirRiseK;
    if (this.fireAt === null && p.runaway >= th.fire && confirmed) {
      this.fireAt = window.t;
      out.push({
        kind: 'fire',
        t: window.t,
        suspectPort: this.riskPort ?? window.suspectPort,
        probabilities: p,
        window,
      });
    }
    return out;
  }
}
