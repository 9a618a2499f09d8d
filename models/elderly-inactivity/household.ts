/**
 * One household's water rhythm and its current silence, on event time (FIELD-NOTES §2).
 *
 * - Activity: an hour whose register rise, less the household's standing flow (a leak or a
 *   running cistern: the lowest rate of the last day over stretches of 3 h) and the most the
 *   register's 1 L steps could hide of it, is at least ACTIVE_L. A leak therefore cannot mask a
 *   resident who has stopped using water, over an hour or a span of lost reports (register.ts).
 * - Rhythm: P(activity) for each hour of a weekday and of a weekend day, a Beta posterior per
 *   bucket that starts from the cold-start prior (the TF.js model) and learns from every finished
 *   hour, so a regular early riser's quiet morning becomes improbable hours before 12 h pass.
 * - Silence limit: once the household has its own record of quiet spells that started near this
 *   time of day (±gapWindowH over the last four weeks), the longest of them, stretched, is the
 *   limit — the residents' own outings, naps and nights, learned continuously. Until then (cold
 *   start), log P(no activity from the last activity to the newest reading) under the rhythm.
 * - Night: a silence that runs through the small hours is also judged against the household's
 *   latest usual first use of the morning (its own record of wake-ups), plus a margin.
 * - Continuous flow: a meter's continuous-flow alarm uplink (flow above its floor without a break
 *   for N minutes, sent between scheduled reports) is flagged once it lasts longer than this
 *   household's longest normal uninterrupted draw (a shower); the hourly rate net of the standing
 *   flow is the fallback for meters that only report on schedule.
 *   The register is cumulative, so a later reading proves the silence in between even if hourly
 *   reports were lost; no reading proves nothing — a meter that stops reporting is a device
 *   problem (device_offline), never silence.
 * - Readings may be batched, late or out of order: points are kept sorted and hours are learned
 *   only once they are `LEARN_AFTER_MS` old.
 */

import {
  DEFAULT_PARAMS,
  HOUR,
  LIMIT_TABLE_M,
  RECORD_MS,
  timeOfDay,
  WAKE_OFF_H,
  type InactivityParams,
} from './params.ts';
import { ContinuousFlowWatch, type AbnormalFlow, type FlowAlarm } from './continuous-flow.ts';
import { PresenceSignals, type PresenceSet } from './presence.ts';
import { MeterRegister } from './register.ts';

export const BUCKETS = 48;
const LEARN_AFTER_MS = 6 * HOUR;
const WEEKDAY_SHARE = 0.4;
const WAIT_LATE_MS = 30 * HOUR;
/** The calibrated limit shift for each set of signals a household reports. */
const LIMIT_SHIFT: Record<PresenceSet, (p: InactivityParams) => number> = {
  water: (p) => p.limitShiftH,
  door: (p) => p.doorShiftH,
  electricity: (p) => p.electricityShiftH,
  both: (p) => p.bothShiftH,
};
/** Night silences start 19:00–05:00 local and end with the first use of the morning, 04:00–12:00. */
const NIGHT_START_H: readonly [number, number] = [19, 5];
const MORNING_END_H: readonly [number, number] = [4, 12];

export interface InactivityAlert {
  kind: 'elderly_inactivity' | 'continuous_water_flow';
  /** Event time the condition became true, epoch ms. */
  t: number;
  silenceFrom: number | null;
  silenceH: number;
  probability: number;
  /** Net flow, L/h, for continuous_water_flow. */
  flowLPerH: number | null;
  /** Minutes water has run without a break (from the meter's continuous-flow alarm), if known. */
  continuousMin: number | null;
}

export function bucketOf(ts: number, utcOffsetMin: number): number {
  const local = new Date(ts + utcOffsetMin * 60_000);
  const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6 ? 1 : 0;
  return weekend * 24 + local.getUTCHours();
}

export class HouseholdState {
  private readonly register = new MeterRegister();
  private readonly a: number[];
  private readonly b: number[];
  private learnedUntil = 0;
  private lastActive: number | null = null;
  /** End of the newest learned active hour, and the start of the quiet spell since (learned hours). */
  private learnedActive = 0;
  private quietFrom: number | null = null;
  /** Past silences: start (epoch ms) and length (h), the household's own record of quiet spells. */
  private readonly gaps: Array<[number, number]> = [];
  private episodeFrom: number | null = null;
  private readonly absences: Array<[number, number]> = [];
  private visitAt = 0;
  private readonly presence: PresenceSignals;
  private readonly flow: ContinuousFlowWatch;

  constructor(
    prior: readonly number[],
    private readonly params: InactivityParams = DEFAULT_PARAMS,
    /**
     * Population floor under the household's own silence limit, hours, by local hour the silence
     * starts (similar households' long quiet spells: outings at the hours people go out).
     */
    private readonly floorsH: readonly number[] | null = null,
  ) {
    this.a = prior.map((p) => p * params.priorDays);
    this.b = prior.map((p) => (1 - p) * params.priorDays);
    this.presence = new PresenceSignals(params.utcOffsetMin);
    this.flow = new ContinuousFlowWatch(params, (from, to) => this.absent(from, to));
  }

  /** P(activity) in the hour bucket of `ts`. */
  pActive(ts: number): number {
    return this.bucketP(bucketOf(ts, this.params.utcOffsetMin));
  }

  rhythm(): number[] {
    return this.a.map((_, k) => this.bucketP(k));
  }

  /**
   * Weekend hours borrow strength from the same weekday hours (weighted by WEEKDAY_SHARE): there
   * are only two weekend days a week to learn from, and most routines carry over.
   */
  private bucketP(k: number): number {
    if (k < 24) return this.a[k]! / (this.a[k]! + this.b[k]!);
    const a = this.a[k]! + WEEKDAY_SHARE * this.a[k - 24]!;
    const b = this.b[k]! + WEEKDAY_SHARE * this.b[k - 24]!;
    return a / (a + b);
  }

  addAbsence(from: number, to: number): void {
    this.absences.push([from, to]);
  }

  addVisit(at: number): void {
    this.visitAt = Math.max(this.visitAt, at);
  }

  /** A reading of the household's electricity register (kWh): presence and switching-on. */
  addElectricity(ts: number, kwh: number): void {
    this.presence.addElectricity(ts, kwh);
  }

  /** The entrance door contact changed (1 opened). */
  addDoor(ts: number, open: number): void {
    this.presence.addDoor(ts, open);
  }

  get newestTs(): number {
    return this.register.newestTs;
  }

  /**
   * Adds one register reading (litres), with the meter's continuous-flow alarm if the uplink was
   * one, and returns what became true at the newest time.
   */
  add(ts: number, litres: number, alarm: FlowAlarm | null = null): InactivityAlert[] {
    if (!this.register.insert(ts, litres)) return [];
    const flowAlarm = alarm ? this.flow.alarm(ts, alarm) : null;
    this.recomputeLastActive();
    this.learn();
    const out = this.evaluate();
    return flowAlarm ? [flowAlertOf(flowAlarm), ...out] : out;
  }

  /** The end of the newest span with activity: recomputed, since late readings refine the picture. */
  private recomputeLastActive(): void {
    const points = this.register.points;
    for (let i = points.length - 1; i >= 1; i--) {
      const [t0, l0] = points[i - 1]!;
      const [t1, l1] = points[i]!;
      if (this.register.useAbove(l1 - l0, t1 - t0) >= this.params.activeL) {
        this.lastActive = Math.max(t1, this.learnedActive);
        return;
      }
    }
    // No activity in the kept window: a silence that began before it still began then (letting it
    // creep forward with the window would re-arm the alert every few days of a long silence).
    const windowStart = points[0]?.[0] ?? 0;
    const before = this.lastActive !== null && this.lastActive < windowStart ? this.lastActive : windowStart;
    this.lastActive = Math.max(this.learnedActive, before);
  }

  /** Learns every whole hour that is old enough and covered by readings on both sides. */
  private learn(): void {
    const floor = this.register.floorLPerH();
    const until = Math.floor((this.newestTs - LEARN_AFTER_MS) / HOUR) * HOUR;
    let h = Math.max(this.learnedUntil, Math.ceil(this.register.points[0]![0] / HOUR) * HOUR);
    for (; h + HOUR <= until; h += HOUR) {
      // A long span may still be filled in by late reports (a daily batch): wait up to WAIT_LATE_MS.
      if (this.register.spanAround(h) > 2 * HOUR && h > this.newestTs - WAIT_LATE_MS) break;
      const use = this.register.at(h + HOUR)! - this.register.at(h)!;
      const net = this.register.useAbove(use, HOUR);
      if (this.absent(h, h + HOUR) || this.inEpisode(h)) {
        this.quietFrom = null;
        continue;
      }
      // Outings and nights away shown by the door or the electricity meter are not quiet spells
      // at home: left in, they would stretch the household's limit (issue 13).
      if (
        net < this.params.activeL &&
        this.presence.away(h + HOUR, this.learnedActive, this.register, this.params.activeL)
      ) {
        this.quietFrom = null;
        continue;
      }
      const k = bucketOf(h, this.params.utcOffsetMin);
      const f = Math.max(0, Math.min(1, net / this.params.activeL));
      // The household's record of quiet spells, from finished hours only.
      if (net >= this.params.activeL) {
        const spellH = this.quietFrom === null ? 0 : (h - this.quietFrom) / HOUR;
        if (this.quietFrom !== null && spellH >= 1 && spellH <= this.params.maxSpellH)
          this.gaps.push([this.quietFrom, spellH]);
        this.quietFrom = null;
        // The hour was active; with readings finer than hourly the last use in it may be earlier
        // than its end, and a silence must not seem to restart when the hour is learned.
        this.learnedActive = Math.max(this.learnedActive, Math.min(h + HOUR, this.lastActive ?? h + HOUR));
      } else this.quietFrom ??= h;
      while (this.gaps.length && this.gaps[0]![0] < h - RECORD_MS) this.gaps.shift();
      this.a[k]! += f;
      this.b[k]! += 1 - f;
      this.flow.learnHour(use - floor);
    }
    this.learnedUntil = Math.max(this.learnedUntil, h);
  }

  private absent(from: number, to: number): boolean {
    return this.absences.some(([a, b]) => a < to && b > from);
  }

  /** End of the latest recorded absence that is over by `t` (0 when none). */
  private returnedBy(t: number): number {
    let back = 0;
    for (const [, to] of this.absences) if (to <= t && to > back) back = to;
    return back;
  }

  private inEpisode(t: number): boolean {
    return this.episodeFrom !== null && t >= this.episodeFrom;
  }

  private evaluate(): InactivityAlert[] {
    const out: InactivityAlert[] = [];
    const newest = this.newestTs;
    const flow = this.flow.lastHour(this.register);
    if (flow) out.push(flowAlertOf(flow));
    // A resident back from an absence has been silent only since coming home; switching on an
    // appliance is activity too.
    const power = this.presence.electricityAt(newest);
    const lastUse = Math.max(
      this.lastActive ?? newest,
      this.visitAt,
      this.returnedBy(newest),
      power.changedAt,
    );
    // Back through the door (an even number of openings since surely home): silent since then.
    const openings = this.presence.hasDoor
      ? this.presence.openingsSinceHome(newest, this.register, this.params.activeL)
      : [];
    const from = Math.max(lastUse, openings.length > 0 && openings.length % 2 === 0 ? openings.at(-1)! : 0);
    if (this.episodeFrom !== null && from > this.episodeFrom) this.episodeFrom = null; // activity again: re-arm
    const silenceH = (newest - from) / HOUR;
    if (this.episodeFrom !== null || silenceH < this.params.minSilenceH || this.absent(from, newest))
      return out;
    // Away by the presence signals: out through the door and not back, or switched off on leaving
    // (held at most standbyAwayMaxH, after which a collapse right after switching off is judged
    // on water alone).
    if (openings.length % 2 === 1) return out;
    if (this.presence.leftHome(lastUse, power) && silenceH < this.params.standbyAwayMaxH) return out;
    let logP = 0;
    for (let t = from; t < newest;) {
      const next = Math.min(newest, (Math.floor(t / HOUR) + 1) * HOUR);
      logP += ((next - t) / HOUR) * Math.log(1 - Math.min(this.pActive(t), 0.999));
      t = next;
    }
    const limitH = this.silenceLimitH(from);
    const wakeBy = this.firstUseLimit(from);
    // The rhythm makes this silence improbable (cold start: an early riser's dry morning), or it is
    // longer than any comparable quiet spell this household has had, or the night has run past
    // the latest morning this household has started.
    const rhythmSays =
      (limitH === null || this.params.rhythmWithRecord > 0) &&
      logP <= Math.log(this.params.silenceProbability);
    const improbable =
      rhythmSays || (limitH !== null && silenceH >= limitH) || (wakeBy !== null && newest >= wakeBy);
    if (improbable) {
      this.episodeFrom = from;
      out.push({
        kind: 'elderly_inactivity',
        t: newest,
        silenceFrom: from,
        silenceH,
        probability: Math.exp(logP),
        flowLPerH: null,
        continuousMin: null,
      });
    }
    return out;
  }

  /**
   * The household's own limit for a silence starting at `from`, from its longest silence that
   * started within ±gapWindowH of that time of day over the last four weeks: the limit table's
   * entry for that start hour and longest spell where training chose one (how far such
   * households' spells overran their record), else that spell stretched, never below the
   * population floor; null until it has `minGaps` of them (the cold-start prior decides until then).
   */
  silenceLimitH(from: number): number | null {
    const at = this.tod(from);
    const near = this.gaps.filter(([start]) => {
      const d = Math.abs(this.tod(start) - at);
      return Math.min(d, 24 * HOUR - d) <= this.params.gapWindowH * HOUR;
    });
    if (near.length < this.params.minGaps) return null;
    const longest = Math.max(...near.map(([, h]) => h));
    const m = Math.round(longest);
    const fromTable =
      m < LIMIT_TABLE_M ? (this.params.limitTable?.[Math.floor(at / HOUR) * LIMIT_TABLE_M + m] ?? 0) : 0;
    // The site's budget trades delay for false alerts, calibrated per set of signals.
    const shift = LIMIT_SHIFT[this.presence.signalsAt(this.newestTs)](this.params);
    if (fromTable > 0) return Math.max(this.params.minSilenceH, fromTable + shift);
    const limit = Math.max(
      this.params.minLimitH,
      this.floorsH?.[Math.floor(at / HOUR)] ?? 0,
      longest * this.params.gapFactor + this.params.gapMarginH,
    );
    return Math.max(this.params.minSilenceH, limit + shift);
  }

  /** Local time of day of `t`, ms since local midnight. */
  private tod(t: number): number {
    return timeOfDay(t, this.params.utcOffsetMin);
  }

  /**
   * For a silence that began in the night: the event time by which this household has always
   * started its morning (its latest recorded first use, plus the margin); null for a daytime
   * silence or until `minWakes` mornings are on record.
   */
  firstUseLimit(from: number): number | null {
    if (this.params.wakeMarginH >= WAKE_OFF_H) return null;
    const inHours = (t: number, [a, b]: readonly [number, number]): boolean => {
      const h = this.tod(t) / HOUR;
      return a < b ? h >= a && h < b : h >= a || h < b;
    };
    if (!inHours(from, NIGHT_START_H)) return null;
    const wakes = this.gaps
      .filter(([start, h]) => inHours(start, NIGHT_START_H) && inHours(start + h * HOUR, MORNING_END_H))
      .map(([start, h]) => this.tod(start + h * HOUR));
    if (wakes.length < this.params.minWakes) return null;
    // The first morning after the silence began (a silence from 02:00 wakes the same morning).
    const latest = Math.max(...wakes);
    let by = from - this.tod(from) + latest;
    if (by <= from) by += 24 * HOUR;
    return by + this.params.wakeMarginH * HOUR;
  }
}

function flowAlertOf(flow: AbnormalFlow): InactivityAlert {
  const { t, flowLPerH, continuousMin } = flow;
  return {
    kind: 'continuous_water_flow',
    t,
    silenceFrom: null,
    silenceH: 0,
    probability: 0,
    flowLPerH,
    continuousMin,
  };
}
