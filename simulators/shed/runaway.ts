/**
 * Lithium-ion thermal runaway of one battery on a charging port, as a timeline (pure, no I/O).
 *
 * Sequence and timing (FIELD-NOTES §3.2):
 * - heating: the faulty pack warms at 1–6 °C/min (FSRI/UL e-scooter tests ramped cells at 6 °C/min);
 * - off-gas: H₂ is the first gas (Jin et al., Joule 2020: H₂ captured first, 639 s before smoke
 *   and 769 s before fire on an overcharged LFP pack); CO and CO₂ follow (industry gas order
 *   VOC → H₂ → CO/CO₂; H₂ 2–8 min ahead of visible smoke, rorosafe [Vendor]);
 * - venting: dense smoke, rapid temperature rise (runaway declared at dT/dt ≥ 1 °C/s [M]);
 * - flame: 130 s after the first smoke (769 − 639 s, Jin 2020).
 * Power cut: cutting the charge before venting stops the progression — Jin 2020 cut charging on
 * H₂ detection and saw neither smoke nor fire. After venting the reaction sustains itself and a
 * cut changes nothing (point of no return at venting [M]).
 */
import type { Rng } from '../core/rng.ts';

export type RunawayPhase = 'heating' | 'off_gas' | 'venting' | 'flame' | 'stopped' | 'extinguished';

export interface RunawayTimeline {
  onsetMs: number;
  offGasMs: number;
  coMs: number;
  smokeMs: number;
  flameMs: number;
  /** The fire is put out (fire brigade, 15–40 min after flame [assumption]). */
  extinguishedMs: number;
}

/** What the runaway adds to the shed, at the shed's sensors and at the port. */
export interface RunawayOutput {
  phase: RunawayPhase;
  /** Battery/port temperature rise over its normal charging temperature, K. */
  portRiseK: number;
  h2Ppm: number;
  coPpm: number;
  smokeDbM: number;
  /** Shed air temperature rise at the ceiling sensors, K. */
  airRiseK: number;
}

/** Jin 2020: H₂ 639 s before smoke; flame 769 s after H₂ (130 s after smoke). */
export const H2_TO_SMOKE_S = 639;
export const SMOKE_TO_FLAME_S = 130;

export class ThermalRunaway {
  readonly timeline: RunawayTimeline;
  private cutAtMs: number | null = null;
  private readonly heatingRateKPerMin: number;
  private readonly h2PeakPpm: number;
  private readonly coPeakPpm: number;

  constructor(onsetMs: number, rng: Rng) {
    const heatingS = rng.uniform(180, 360);
    const leadS = rng.normalIn(H2_TO_SMOKE_S, 120, 300, 800);
    const offGasMs = onsetMs + heatingS * 1000;
    const smokeMs = offGasMs + leadS * 1000;
    const flameMs = smokeMs + SMOKE_TO_FLAME_S * 1000 * rng.uniform(0.8, 1.2);
    this.timeline = {
      onsetMs,
      offGasMs,
      coMs: offGasMs + rng.uniform(60, 180) * 1000,
      smokeMs,
      flameMs,
      extinguishedMs: flameMs + rng.uniform(15, 40) * 60_000,
    };
    this.heatingRateKPerMin = rng.uniform(1, 6);
    this.h2PeakPpm = rng.uniform(60, 250);
    this.coPeakPpm = rng.uniform(20, 80);
  }

  /** Cuts the port's power at `t`. Returns true if the runaway is stopped by it. */
  cutPower(t: number): boolean {
    if (this.cutAtMs !== null && this.cutAtMs <= t) return this.stopped(t);
    this.cutAtMs = t;
    return this.stopped(t);
  }

  get powerCutAt(): number | null {
    return this.cutAtMs;
  }

  /** True once a cut before venting has stopped it. */
  stopped(t: number): boolean {
    return this.cutAtMs !== null && this.cutAtMs < this.timeline.smokeMs && t >= this.cutAtMs;
  }

  phaseAt(t: number): RunawayPhase | null {
    const tl = this.timeline;
    if (t < tl.onsetMs) return null;
    if (this.stopped(t)) return 'stopped';
    if (t < tl.offGasMs) return 'heating';
    if (t < tl.smokeMs) return 'off_gas';
    if (t < tl.flameMs) return 'venting';
    if (t < tl.extinguishedMs) return 'flame';
    return 'extinguished';
  }

  /** The runaway's contribution at time `t` (zero before onset). */
  at(t: number): RunawayOutput {
    const phase = this.phaseAt(t);
    if (phase === null)
      return { phase: 'heating', portRiseK: 0, h2Ppm: 0, coPpm: 0, smokeDbM: 0, airRiseK: 0 };
    // A stopped runaway relaxes from where it was cut, a put-out fire from where it was put out:
    // gases vent away (τ ≈ 4 min), the pack and the air cool (τ ≈ 15 min).
    if (phase === 'stopped' || phase === 'extinguished') {
      const cut = phase === 'stopped' ? this.cutAtMs! : this.timeline.extinguishedMs - 1;
      const atCut = this.progress(cut);
      const dtS = (t - cut) / 1000;
      const gas = Math.exp(-dtS / 240);
      const heat = Math.exp(-dtS / 900);
      return {
        phase,
        portRiseK: atCut.portRiseK * heat,
        h2Ppm: atCut.h2Ppm * gas,
        coPpm: atCut.coPpm * gas,
        smokeDbM: atCut.smokeDbM * gas,
        airRiseK: atCut.airRiseK * heat,
      };
    }
    return this.progress(t);
  }

  private progress(t: number): RunawayOutput {
    const tl = this.timeline;
    const current = this.phaseAt(t)!;
    const phase = current === 'stopped' ? 'off_gas' : current;
    const sinceOnsetMin = (t - tl.onsetMs) / 60_000;
    // Heating continues through off-gassing at the same rate, then jumps in venting.
    let portRiseK = this.heatingRateKPerMin * Math.min(sinceOnsetMin, (tl.smokeMs - tl.onsetMs) / 60_000);
    let h2Ppm = 0;
    let coPpm = 0;
    let smokeDbM = 0;
    let airRiseK = 0;
    if (t >= tl.offGasMs) {
      // H₂ concentration grows steadily as more cells vent micro-amounts.
      const f = Math.min(1, (t - tl.offGasMs) / (tl.smokeMs - tl.offGasMs));
      h2Ppm = this.h2PeakPpm * f ** 1.5;
    }
    if (t >= tl.coMs) {
      const f = Math.min(1, (t - tl.coMs) / Math.max(1, tl.smokeMs - tl.coMs));
      coPpm = this.coPeakPpm * f ** 2;
    }
    if (t >= tl.smokeMs) {
      const s = (t - tl.smokeMs) / 1000;
      // Venting: ≥ 1 °C/s at the pack; smoke from 0.1 dB/m doubling about every 20 s.
      portRiseK += Math.min(600, 1.5 * s + 0.02 * s * s);
      smokeDbM = Math.min(3, 0.1 * 2 ** (s / 20));
      h2Ppm = this.h2PeakPpm + 40 * s;
      coPpm = this.coPeakPpm + 5 * s;
      airRiseK = 0.1 * s;
    }
    if (phase === 'flame') {
      const s = (t - tl.flameMs) / 1000;
      // Burning pack and neighbours: ceiling gas 20–60 K/min, dense smoke, CO in the thousands.
      airRiseK += Math.min(450, 0.7 * s);
      smokeDbM = Math.min(20, 3 + 0.1 * s);
      coPpm = Math.min(20_000, coPpm + 20 * s);
      portRiseK = Math.min(800, portRiseK + 2 * s);
    }
    return { phase, portRiseK, h2Ppm, coPpm, smokeDbM, airRiseK };
  }
}
