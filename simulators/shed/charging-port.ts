/**
 * One port of a shed's smart charging controller and the e-bike battery plugged into it.
 * Residents plug in mostly after coming home (18:00–22:00) and unplug the next morning; a charge
 * runs constant-power then tapers, ending 'full' on a trickle. Lead-acid packs gas H₂ at the end
 * of charge (FIELD-NOTES §3.4, an e-bike-shed nuisance [M]). The controller obeys power commands
 * (GB/T 42236.1-2022 "自动断电", FIELD-NOTES §3.5) and stops any charge after 8 h (Beijing
 * guidance: a single charge should not exceed 8 h).
 */
import type { PortReport, PortStateName } from '../core/encoders.ts';
import type { Rng } from '../core/rng.ts';
import { HOUR_MS, localHour, localMidnight } from '../core/time.ts';
import type { ThermalRunaway } from './runaway.ts';

export type Chemistry = 'lithium' | 'lead_acid';

interface Session {
  chemistry: Chemistry;
  /** Charger's constant-power stage, W. */
  chargerW: number;
  /** Top-of-charge voltage, V (48 V lead-acid ≈ 58.8, 48 V Li ≈ 54.6, 60 V Li ≈ 67.2). */
  fullV: number;
  neededWh: number;
  deliveredWh: number;
  plugAt: number;
  fullAt: number | null;
  unplugAt: number | null;
  runaway: ThermalRunaway | null;
}

/** Plug-in rate per idle port per hour by local hour: evening peak when residents come home. */
export function arrivalRatePerHour(hour: number): number {
  if (hour >= 18 && hour < 22) return 0.12;
  if (hour >= 7 && hour < 9) return 0.03;
  if (hour >= 11 && hour < 14) return 0.03;
  if (hour >= 22 || hour < 1) return 0.04;
  return 0.008;
}

/** Max single charge (Beijing group-standard guidance, FIELD-NOTES §3.5). */
const MAX_CHARGE_MS = 8 * HOUR_MS;
/** Port temperature rise per watt (charger and pack in a ventilated bay), K/W; 200 W ≈ +6 K. */
const PORT_K_PER_W = 0.03;
const PORT_TAU_S = 900;

export class ChargingPort {
  powerOn = true;
  private session: Session | null = null;
  private tempC: number | null = null;
  private powerW = 0;
  private voltageV = 0;
  private faulted = false;

  constructor(
    readonly port: number,
    private readonly rng: Rng,
  ) {}

  get busy(): boolean {
    return this.session !== null;
  }

  get chemistry(): Chemistry | null {
    return this.session?.chemistry ?? null;
  }

  get watts(): number {
    return this.powerW;
  }

  /** Plugs a battery in at `t` (random unless told). */
  plugIn(t: number, options: { chemistry?: Chemistry; runaway?: ThermalRunaway } = {}): void {
    const chemistry = options.chemistry ?? (this.rng.chance(0.6) ? 'lithium' : 'lead_acid');
    const lithium = chemistry === 'lithium';
    const sixty = lithium && this.rng.chance(0.4);
    const chargerW = lithium ? this.rng.uniform(150, 300) : this.rng.uniform(100, 180);
    this.session = {
      chemistry,
      chargerW,
      fullV: lithium ? (sixty ? 67.2 : 54.6) : 58.8,
      // Packs arrive 20–80 % empty: 0.5–1.2 kWh packs → a 2–6 h charge.
      neededWh: this.rng.uniform(0.2, 0.8) * this.rng.uniform(500, 1200),
      deliveredWh: 0,
      plugAt: t,
      fullAt: null,
      unplugAt: null,
      runaway: options.runaway ?? null,
    };
    this.faulted = false;
  }

  /** Advances the port by `dtS` to time `t` in shed air at `airC`. Returns H₂ (ppm at the shed sensors). */
  step(t: number, dtS: number, airC: number): { h2Ppm: number } {
    this.tempC ??= airC;
    const s = this.session;
    let h2Ppm = 0;
    if (!s) {
      this.powerW = 0;
      this.voltageV = 0;
    } else {
      const phase = s.runaway?.phaseAt(t) ?? null;
      if (phase === 'flame' || phase === 'extinguished') this.faulted = true;
      const soc = Math.min(1, s.deliveredWh / s.neededWh);
      const charging = this.powerOn && !this.faulted && s.fullAt === null && t - s.plugAt < MAX_CHARGE_MS;
      // Constant power to 80 %, then a linear taper to 10 % of it (CV stage).
      const p = charging ? s.chargerW * (soc < 0.8 ? 1 : 1 - 0.9 * ((soc - 0.8) / 0.2)) : 0;
      const trickle =
        this.powerOn && !this.faulted && s.fullAt !== null && t - s.plugAt < MAX_CHARGE_MS ? 3 : 0;
      // A pack in runaway draws erratically while it still takes charge.
      this.powerW =
        (p || trickle) * (phase === 'heating' || phase === 'off_gas' ? this.rng.uniform(0.9, 1.25) : 1);
      s.deliveredWh += (p * dtS) / 3600;
      if (s.fullAt === null && s.deliveredWh >= s.neededWh) {
        s.fullAt = t;
        s.unplugAt = this.unplugTime(t);
      }
      // Voltage climbs with state of charge; sags when the pack vents (voltage drop at runaway [M]).
      const base = s.fullV * (0.9 + 0.1 * soc);
      this.voltageV = this.powerOn ? (phase === 'venting' || phase === 'flame' ? base * 0.6 : base) : 0;
      if (s.chemistry === 'lead_acid' && charging && soc > 0.85) h2Ppm = 4 * ((soc - 0.85) / 0.15);
      if (s.unplugAt !== null && t >= s.unplugAt && !s.runaway) this.session = null;
    }
    // First-order warming towards air + k·P, plus any runaway heating on top.
    const target = airC + PORT_K_PER_W * this.powerW;
    this.tempC += (target - this.tempC) * (1 - Math.exp(-dtS / PORT_TAU_S));
    return { h2Ppm };
  }

  /** The controller's report of this port; `extraRiseK` is the runaway's heating of the pack. */
  report(extraRiseK: number): PortReport {
    const state: PortStateName = this.faulted
      ? 'fault'
      : !this.powerOn
        ? 'off'
        : !this.session
          ? 'idle'
          : this.session.fullAt !== null
            ? 'full'
            : 'charging';
    const v = this.voltageV;
    return {
      port: this.port,
      state,
      power_w: this.powerW,
      voltage_v: v,
      current_a: v > 0 ? this.powerW / v : 0,
      temp_c: (this.tempC ?? 20) + extraRiseK,
    };
  }

  /** Evening charges stay plugged in until the morning; daytime ones are collected 0.5–3 h after full. */
  private unplugTime(fullAt: number): number {
    const plugHour = localHour(this.session!.plugAt);
    if (plugHour >= 17 || plugHour < 5) {
      const morning = localMidnight(fullAt) + this.rng.uniform(6.5, 8.5) * HOUR_MS;
      return morning > fullAt ? morning : morning + 24 * HOUR_MS;
    }
    return fullAt + this.rng.uniform(0.5, 3) * HOUR_MS;
  }
}
