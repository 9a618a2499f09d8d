/**
 * Continuous water flow for one household: a meter's continuous-flow alarm uplink that lasts longer
 * than this household's longest normal uninterrupted draw (a shower), or, for meters that only
 * report on schedule, an hour's use net of the standing flow far beyond its heaviest usual hours.
 * One episode is flagged once and re-armed when the flow stops.
 */

import { HOUR, RECORD_MS, type InactivityParams } from './params.ts';
import type { MeterRegister } from './register.ts';

/** A continuous-flow alarm uplink's content: how long water has run without a break, and how fast. */
export interface FlowAlarm {
  continuousMin: number;
  lPerH: number | null;
}

/** Flow found abnormal at event time `t`: its net rate (L/h) and unbroken minutes, where known. */
export interface AbnormalFlow {
  t: number;
  flowLPerH: number | null;
  continuousMin: number | null;
}

/** The continuous-flow alarm a meter reading carries, if it is one (`continuous_flow_min`, `flow_lph`). */
export function flowAlarmOf(values: Readonly<Record<string, number>>): FlowAlarm | null {
  const minutes = values.continuous_flow_min;
  return minutes === undefined ? null : { continuousMin: minutes, lPerH: values.flow_lph ?? null };
}

export class ContinuousFlowWatch {
  private episodeAt: number | null = null;
  /** Continuous-flow alarm uplinks of normal draws: [event time, minutes without a break]. */
  private readonly draws: Array<[number, number]> = [];
  /** Learned hours' net use (litres), the last four weeks. */
  private readonly hourlyUse: number[] = [];
  /** p99 of `hourlyUse`, recomputed only when an hour is learned (not on every reading). */
  private hourlyUseP99: number | null = null;

  constructor(
    private readonly params: InactivityParams,
    /** Whether the household was recorded away over [from, to) (its draws then are not its own). */
    private readonly absent: (from: number, to: number) => boolean,
  ) {}

  /** One finished hour's net use, learned. */
  learnHour(netL: number): void {
    this.hourlyUse.push(Math.max(0, netL));
    if (this.hourlyUse.length > 24 * 28) this.hourlyUse.shift();
    this.hourlyUseP99 = null;
  }

  /**
   * A continuous-flow alarm uplink: flagged when water has run without a break longer than this
   * household's longest normal draw (learned from its earlier alarms), fast enough to matter.
   */
  alarm(ts: number, alarm: FlowAlarm): AbnormalFlow | null {
    const began = ts - alarm.continuousMin * 60_000;
    if (this.episodeAt !== null && began > this.episodeAt) this.episodeAt = null;
    while (this.draws.length && this.draws[0]![0] < ts - RECORD_MS) this.draws.shift();
    const longest = Math.max(0, ...this.draws.filter(([t]) => !this.absent(t, t + 1)).map(([, m]) => m));
    const limitMin = Math.max(this.params.flowAlarmMinMin, longest + this.params.flowAlarmMarginMin);
    const fast = alarm.lPerH === null || alarm.lPerH >= this.params.flowMinLPerH;
    if (alarm.continuousMin < limitMin || !fast) {
      if (this.episodeAt === null) this.draws.push([ts, alarm.continuousMin]);
      return null;
    }
    if (this.episodeAt !== null) return null;
    this.episodeAt = ts;
    return { t: ts, flowLPerH: alarm.lPerH, continuousMin: alarm.continuousMin };
  }

  /** Water running far beyond this person's heaviest hours, over the last hour of the register. */
  lastHour(register: MeterRegister): AbnormalFlow | null {
    const points = register.points;
    const n = points.length;
    if (n < 2) return null;
    const [t1, l1] = points[n - 1]!;
    // Over the whole last hour: alarm uplinks between scheduled reports make short spans whose
    // rate says nothing (a shower's ten minutes).
    const t0 = t1 - HOUR;
    const l0 = register.at(t0);
    let before = n - 1;
    while (before > 0 && points[before]![0] > t0) before--;
    if (l0 === null || t1 - points[before]![0] > 2 * HOUR) return null;
    const rate = l1 - l0 - register.floorLPerH();
    const p99 = (this.hourlyUseP99 ??= usualHourP99(this.hourlyUse));
    const limit = Math.max(this.params.flowMinLPerH, this.params.flowFactor * p99);
    if (rate < limit) {
      if (this.episodeAt !== null && t1 - this.episodeAt > 2 * HOUR) this.episodeAt = null;
      return null;
    }
    if (this.episodeAt !== null) return null;
    this.episodeAt = t1;
    return { t: t1, flowLPerH: rate, continuousMin: null };
  }
}

/** The heaviest usual hour (p99 of learned hours, litres); 60 L until two days are learned. */
function usualHourP99(hourlyUse: readonly number[]): number {
  if (hourlyUse.length < 48) return 60;
  const sorted = [...hourlyUse].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length * 0.99)]!;
}
