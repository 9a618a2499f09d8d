/**
 * fire-fusion: runtime pre- and post-processing (the only file the gateway imports).
 * Shed state → window features → classifier (normal / nuisance / thermal runaway) → decisions:
 * `fire_risk` naming the suspect port as soon as a runaway is likely (the playbook cuts that
 * port at once), `fire` when the runaway is confirmed by smoke or heat at the ceiling.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { ModelMeta } from '../lib/model-store.ts';
import type { GasRise, PortSignal, ShedWindow } from './features.ts';
import { PLUGGED_STATES } from './shed-state.ts';

export { shedWindow, FEATURE_NAMES, type ShedWindow } from './features.ts';
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

/**
 * A window's class probabilities, classified on first read. `FireDecider.step` reads them only
 * where the physics leaves the network a say, so the window of a quiet shed (nearly every one)
 * costs no model call: a month's backfill makes thousands instead of hundreds of thousands, and
 * live decides exactly as with every window classified.
 */
export function lazyProbabilities(classifyOne: () => Probabilities): Probabilities {
  let p: Probabilities | null = null;
  const get = (): Probabilities => (p ??= classifyOne());
  return {
    get normal() {
      return get().normal;
    },
    get nuisance() {
      return get().nuisance;
    },
    get runaway() {
      return get().runaway;
    },
  };
}

/**
 * Physics before the network (issue 13). A runaway vents VOC, then H₂ (2–11 min before visible
 * smoke), then CO, and heats ONE port; the nuisances each lack one of these: lead-acid packs at
 * the end of a charge gas H₂ alone (20–200 ppm, no VOC, a steady or cooling port), exhaust and
 * cooking bring CO (and VOC) with little H₂ (the H₂ cell reads 10–40 % of the CO), a battery
 * starting to charge heats its port with no gas, sun on the roof heats every port alike.
 */
export const PHYSICS = {
  /** Gas lead: H₂ at least this high and rising this much over 5 min, ppm… */
  h2Ppm: 20,
  h2Rise5Ppm: 10,
  /** …with VOC rising (sensors with a VOC channel), ppm… */
  vocPpm: 5,
  vocRise5Ppm: 3,
  /** …and more H₂ than CO (exhaust, cooking: CO ≫ H₂). */
  /** Heat lead: one port heating this fast, K/min, this much faster than the next port… */
  portSlopeKPerMin: 1,
  portMarginKPerMin: 0.7,
  /** …while H₂ rises at least this much over 5 min, ppm. */
  heatH2Rise5Ppm: 5,
  /** The network's runaway needs evidence behind it, e.g. VOC rising this much in 5 min, ppm. */
  gasEvidenceRise5Ppm: 5,
  /** A physics lead must hold this long before fire_risk, ms (one report of each sensor)… */
  holdMs: 60_000,
  /** …unless the off-gas is this strong at once: H₂ and VOC at these multiples of the levels. */
  strongH2Factor: 2,
  strongVocFactor: 4,
  /** Beyond lead-acid gassing (20–200 ppm): H₂ risen this much within 5 min, ppm (sensors
   *  without a VOC channel; a rise, so gassing on top of a shed still full of gas is not one). */
  h2BeyondGassingRise5Ppm: 300,
  /** Above the most lead-acid packs gas (20–200 ppm), ppm: H₂ alone says runaway only beyond it. */
  h2AboveGassingPpm: 250,
  /** A port's draw collapsing by this share between two reports names it (a venting pack). */
  powerCollapseShare: 0.1,
  /** A port whose 10-min rise is at least this, K, and leads every other port's by this, K. */
  leadRise10K: 3,
  leadMarginK: 2,
  /** Reports a minute apart: a longer gap is a silence, not a quiet spell, ms. */
  silenceMs: 10 * 60_000,
  /** Co-rise over a sensor's own baseline (its median over 15 min): H₂ up at least this, ppm
   *  (sensing a runaway's H₂ needs < 5 ppm)… */
  coRiseH2Ppm: 5,
  /** …with VOC up at least this, ppm (lead-acid gassing carries none); at once when CO is up
   *  this much as well, ppm, still below the H₂. Without a VOC channel H₂ with CO is no sign:
   *  engine exhaust carries H₂ at about a third of its CO, and the H₂ cell reads part of the CO. */
  coRiseVocPpm: 2,
  coRiseCoPpm: 5,
};

/**
 * The port heating alone — faster than every other port, while active — or null. Ranked by its
 * own heating rate, not its temperature: a port burnt in an earlier fire, still reading hundreds
 * of degrees, must not hide the one heating now.
 */
export function heatingPort(w: ShedWindow): PortSignal | null {
  const [top, next] = [...w.raw.ports].sort((a, b) => b.slopeKPerMin - a.slopeKPerMin);
  return top !== undefined &&
    PLUGGED_STATES.has(top.state) &&
    top.slopeKPerMin >= PHYSICS.portSlopeKPerMin &&
    top.slopeKPerMin - (next?.slopeKPerMin ?? 0) >= PHYSICS.portMarginKPerMin
    ? top
    : null;
}

/** Some port heats alone, well into its charge (a charge just started warms its port too). */
export function establishedPortHeating(w: ShedWindow): boolean {
  return heatingPort(w)?.established ?? false;
}

/** Off-gas of a runaway by its ratios (H₂ with VOC, more H₂ than CO) while something charges. */
export function runawayGas(w: ShedWindow): boolean {
  const r = w.raw;
  return (
    r.anyCharging &&
    r.h2Ppm >= PHYSICS.h2Ppm &&
    r.h2Rise5Ppm >= PHYSICS.h2Rise5Ppm &&
    r.vocPpm >= PHYSICS.vocPpm &&
    r.vocRise5Ppm >= PHYSICS.vocRise5Ppm &&
    r.coPpm < r.h2Ppm
  );
}

/**
 * H₂ and VOC rising together over one sensor's own baseline, at low levels, with more H₂ than
 * CO: lead-acid gassing is H₂ alone; exhaust, cooking and smoking bring CO ≫ H₂.
 */
function vocH2CoRise(rise: GasRise): boolean {
  return (
    rise.h2 >= PHYSICS.coRiseH2Ppm &&
    rise.voc !== null &&
    rise.voc >= PHYSICS.coRiseVocPpm &&
    rise.h2 > rise.co
  );
}

/** H₂ rising with VOC on one sensor while a pack is plugged in. */
export function gasCoRise(w: ShedWindow): boolean {
  return pluggedPack(w) && w.raw.gasRises.some(vocH2CoRise);
}

/** H₂, VOC and CO (below the H₂) all rising together on one sensor: no shed nuisance does that. */
function tripleCoRise(w: ShedWindow): boolean {
  return pluggedPack(w) && w.raw.gasRises.some((g) => vocH2CoRise(g) && g.co >= PHYSICS.coRiseCoPpm);
}

const pluggedPack = (w: ShedWindow): boolean => w.raw.ports.some((p) => PLUGGED_STATES.has(p.state));

/** Off-gas too strong, or too complete, to wait for a second report. */
function strongGas(w: ShedWindow): boolean {
  const r = w.raw;
  return (
    tripleCoRise(w) ||
    (runawayGas(w) &&
      r.h2Ppm >= PHYSICS.h2Ppm * PHYSICS.strongH2Factor &&
      r.vocPpm >= PHYSICS.vocPpm * PHYSICS.strongVocFactor)
  );
}

/** H₂ far above what lead-acid packs gas, climbing fast, while something charges. */
export function h2BeyondGassing(w: ShedWindow): boolean {
  const r = w.raw;
  return r.anyCharging && r.h2Rise5Ppm >= PHYSICS.h2BeyondGassingRise5Ppm;
}

/** H₂ rising (more than any CO) while one port heats on its own, well into its charge. */
export function heatWithGas(w: ShedWindow): boolean {
  const r = w.raw;
  return establishedPortHeating(w) && r.h2Rise5Ppm >= PHYSICS.heatH2Rise5Ppm && r.coPpm < r.h2Ppm;
}

/**
 * The port the evidence points at, or null — a cut of the wrong port is worse than none: the one
 * heating alone; else the one drawing port that reports `fault`; else the one whose draw
 * collapsed since its last report (a venting pack's voltage falls); else the one whose 10-min
 * rise leads every other port's by a margin while still heating.
 */
export function namedPort(w: ShedWindow): number | null {
  const heating = heatingPort(w);
  if (heating) return heating.port;
  const drawing = w.raw.ports.filter((p) => p.drawing);
  const only = (ports: typeof drawing): number | null => (ports.length === 1 ? ports[0]!.port : null);
  const faulted = only(drawing.filter((p) => p.state === 'fault'));
  if (faulted !== null) return faulted;
  const collapsed = only(
    drawing.filter((p) => PLUGGED_STATES.has(p.state) && p.powerDropShare >= PHYSICS.powerCollapseShare),
  );
  if (collapsed !== null) return collapsed;
  const [lead, next] = [...w.raw.ports].sort((a, b) => b.rise10K - a.rise10K);
  const leads =
    lead !== undefined &&
    lead.drawing &&
    lead.slopeKPerMin > 0 &&
    lead.rise10K >= PHYSICS.leadRise10K &&
    lead.rise10K - (next?.rise10K ?? 0) >= PHYSICS.leadMarginK;
  return leads ? lead.port : null;
}

/**
 * Per-shed decision state: debounces fire_risk, confirms fire, re-arms after a quiet spell. A
 * shed that has had a fire stays that fire's until its readings are seen back to normal: sensors
 * that come back from a silence still reading the fire re-arm nothing (the open incident already
 * says it; the shed needs inspection, not new alarms); only a port heating on its own, well into
 * its charge, counts there as another runaway, and gets its own warning and cut-off.
 */
export class FireDecider {
  private streak = 0;
  private physicsSince: number | null = null;
  private portSince: number | null = null;
  private riskAt: number | null = null;
  private riskPort: number | null = null;
  private fireAt: number | null = null;
  private normalSince: number | null = null;
  private lastT = Number.NEGATIVE_INFINITY;

  constructor(private readonly thresholds: Record<string, number>) {}

  step(window: ShedWindow, p: Probabilities): FireDecision[] {
    const th = { ...DEFAULT_THRESHOLDS, ...this.thresholds };
    const rearmMs = th.rearmMin * 60_000;
    const out: FireDecision[] = [];
    const r = window.raw;
    const physics = runawayGas(window) || gasCoRise(window) || heatWithGas(window) || h2BeyondGassing(window);
    // The network's runaway needs what a runaway has and a nuisance lacks behind it: VOC, smoke,
    // a port heating alone well into its charge, or H₂ beyond what lead-acid packs gas — never
    // H₂ alone within gassing levels (20–200 ppm), with or without a VOC channel. `p` is read
    // only where the evidence leaves the network a say (the gateway classifies a window on first
    // read, and most windows are quiet).
    const hot =
      (r.vocRise5Ppm >= PHYSICS.gasEvidenceRise5Ppm ||
        (!r.hasVoc && r.h2Ppm >= PHYSICS.h2AboveGassingPpm && r.h2Rise5Ppm >= PHYSICS.gasEvidenceRise5Ppm) ||
        r.smokeDbM >= th.confirmSmokeDbM ||
        physics ||
        establishedPortHeating(window)) &&
      p.runaway >= th.risk;
    this.physicsSince = physics ? (this.physicsSince ?? window.t) : null;
    this.portSince = establishedPortHeating(window) ? (this.portSince ?? window.t) : null;
    // Re-arm only once the shed is seen back to normal for a while: a silence is not normal, and a
    // shed still full of smoke or H₂ after a runaway is the same danger, not a new one.
    const abnormal =
      hot ||
      physics ||
      r.smokeDbM >= th.confirmSmokeDbM ||
      r.h2Ppm >= PHYSICS.h2Ppm ||
      r.airRiseK >= th.confirmAirRiseK;
    const resumed = window.t - this.lastT > PHYSICS.silenceMs;
    this.lastT = window.t;
    if (abnormal) this.normalSince = null;
    else if (this.normalSince === null || resumed) this.normalSince = window.t;
    if (this.normalSince !== null && window.t - this.normalSince >= rearmMs) {
      this.riskAt = null;
      this.riskPort = null;
      this.fireAt = null;
    }
    this.streak = hot ? this.streak + 1 : 0;
    const physicsHeld =
      strongGas(window) || (this.physicsSince !== null && window.t - this.physicsSince >= PHYSICS.holdMs);
    const portHeld = this.portSince !== null && window.t - this.portSince >= PHYSICS.holdMs;
    // After a fire the shed's air says nothing new (it still reads the fire); a port heating on
    // its own does. Before one, a fresh off-gas rise long after the last warning is a new runaway.
    // (A port heating since before the last warning is that warning's port, not a new one.)
    const burnt = this.fireAt !== null;
    const fresh = burnt ? portHeld && this.portSince! > (this.riskAt ?? 0) : physicsHeld;
    if (fresh && this.riskAt !== null && window.t - this.riskAt > rearmMs) {
      this.riskAt = null;
      this.riskPort = null;
    }
    const port = namedPort(window);
    const raise = burnt ? portHeld : this.streak >= th.riskWindows || physicsHeld;
    if (this.riskAt === null && raise) {
      this.riskAt = window.t;
      this.riskPort = port;
      out.push({ kind: 'fire_risk', t: window.t, suspectPort: port, probabilities: p, window });
    } else if (
      this.riskAt !== null &&
      this.riskPort === null &&
      port !== null &&
      window.t - this.riskAt <= rearmMs
    ) {
      // The gas came first; now the port shows itself (also after smoke): cut it, same incident.
      this.riskPort = port;
      out.push({ kind: 'fire_risk', t: window.t, suspectPort: port, probabilities: p, window });
    }
    const confirmed = r.smokeDbM >= th.confirmSmokeDbM || r.airRiseK >= th.confirmAirRiseK;
    if (this.fireAt === null && confirmed && (this.riskAt !== null || p.runaway >= th.fire)) {
      this.fireAt = window.t;
      out.push({
        kind: 'fire',
        t: window.t,
        suspectPort: this.riskPort ?? port,
        probabilities: p,
        window,
      });
    }
    return out;
  }
}
