/**
 * One household's water rhythm and its current silence, on event time (FIELD-NOTES §2).
 *
 * - Activity: an hour whose register rise, less the household's standing flow (a leak or a
 *   running cistern: the 24 h minimum rate), is at least ACTIVE_L. A leak therefore cannot mask
 *   a resident who has stopped using water.
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
import { PresenceSignals } from './presence.ts';

export const BUCKETS = 48;
const KEEP_MS = 3 * 24 * HOUR;
const LEARN_AFTER_MS = 6 * HOUR;
const WEEKDAY_SHARE = 0.4;
const WAIT_LATE_MS = 30 * HOUR;
/**
 * Finest spacing kept between in-order readings: hour-level rhythm needs no more, and a meter
 * read every few seconds (a pulse or wM-Bus reader) would otherwise make every reading scan
 * days of points.
 */
const MIN_SPACING_MS = 5 * 60_000;
/** Readings must cover this much of the last day before a standing flow is subtracted. */
const FLOOR_MIN_COVER_MS = 20 * HOUR;
/** Night silences start 19:00–05:00 local and end with the first use of the morning, 04:00–12:00. */
const NIGHT_START_H: readonly [number, number] = [19, 5];
const MORNING_END_H: readonly [number, number] = [4, 12];

/** A continuous-flow alarm uplink's content: how long water has run without a break, and how fast. */
export interface FlowAlarm {
  continuousMin: number;
  lPerH: number | null;
}

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

/** The continuous-flow alarm a meter reading carries, if it is one (`continuous_flow_min`, `flow_lph`). */
export function flowAlarmOf(values: Readonly<Record<string, number>>): FlowAlarm | null {
  const minutes = values.continuous_flow_min;
  return minutes === undefined ? null : { continuousMin: minutes, lPerH: values.flow_lph ?? null };
}

export class HouseholdState {
  private readonly points: Array<[number, number]> = [];
  private readonly a: number[];
  private readonly b: number[];
  private learnedUntil = 0;
  private readonly hourlyUse: number[] = [];
  /** p99 of `hourlyUse`, recomputed only when an hour is learned (not on every reading). */
  private hourlyUseP99: number | null = null;
  private lastActive: number | null = null;
  /** End of the newest learned active hour, and the start of the quiet spell since (learned hours). */
  private learnedActive = 0;
  private quietFrom: number | null = null;
  /** Past silences: start (epoch ms) and length (h), the household's own record of quiet spells. */
  private readonly gaps: Array<[number, number]> = [];
  private episodeFrom: number | null = null;
  private flowEpisodeAt: number | null = null;
  /** Continuous-flow alarm uplinks of normal draws: [event time, minutes without a break]. */
  private readonly draws: Array<[number, number]> = [];
  private readonly absences: Array<[number, number]> = [];
  private visitAt = 0;
  private readonly presence: PresenceSignals;

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
    return this.points.at(-1)?.[0] ?? 0;
  }

  /**
   * Adds one register reading (litres), with the meter's continuous-flow alarm if the uplink was
   * one, and returns what became true at the newest time.
   */
  add(ts: number, litres: number, alarm: FlowAlarm | null = null): InactivityAlert[] {
    let i = this.points.length;
    while (i > 0 && this.points[i - 1]![0] > ts) i--;
    if (this.points[i - 1]?.[0] === ts) return [];
    const flowAlarm = alarm ? this.flowAlarmAlert(ts, alarm) : null;
    this.points.splice(i, 0, [ts, litres]);
    // Appended in order: merge a span still shorter than MIN_SPACING_MS into this one. The
    // register is cumulative, so the use across the merged span is unchanged.
    const n = this.points.length;
    if (i === n - 1 && n >= 3 && this.points[n - 2]![0] - this.points[n - 3]![0] < MIN_SPACING_MS)
      this.points.splice(n - 2, 1);
    const newest = this.newestTs;
    while (this.points.length > 2 && this.points[0]![0] < newest - KEEP_MS) this.points.shift();
    this.recomputeLastActive();
    this.learn();
    const out = this.evaluate();
    return flowAlarm ? [flowAlarm, ...out] : out;
  }

  /** The standing flow, L/h: the lowest rate over the last day (a leak, a running cistern). */
  private floorLPerH(): number {
    const newest = this.newestTs;
    let floor = Number.POSITIVE_INFINITY;
    let coveredMs = 0;
    for (let i = 1; i < this.points.length; i++) {
      const [t0, l0] = this.points[i - 1]!;
      const [t1, l1] = this.points[i]!;
      // Short spans (an alarm uplink just before a scheduled report) are below the register's 1 L
      // resolution for a slow leak.
      if (t1 < newest - 24 * HOUR || t1 - t0 > 3 * HOUR || t1 - t0 < HOUR / 2) continue;
      floor = Math.min(floor, Math.max(0, (l1 - l0) / ((t1 - t0) / HOUR)));
      coveredMs += t1 - t0;
    }
    // A standing flow is the lowest rate of a whole day, night included: over the first hours a
    // resident's steady hourly use is the lowest rate and would be taken for a leak, leaving no
    // activity at all (the cold-start false alert on steady hourly draw).
    return Number.isFinite(floor) && coveredMs >= FLOOR_MIN_COVER_MS ? floor : 0;
  }

  /** The end of the newest span with activity: recomputed, since late readings refine the picture. */
  private recomputeLastActive(): void {
    const floor = this.floorLPerH();
    for (let i = this.points.length - 1; i >= 1; i--) {
      const [t0, l0] = this.points[i - 1]!;
      const [t1, l1] = this.points[i]!;
      if (l1 - l0 - floor * ((t1 - t0) / HOUR) >= this.params.activeL) {
        this.lastActive = Math.max(t1, this.learnedActive);
        return;
      }
    }
    // No activity in the kept window: a silence that began before it still began then (letting it
    // creep forward with the window would re-arm the alert every few days of a long silence).
    const windowStart = this.points[0]?.[0] ?? 0;
    const before = this.lastActive !== null && this.lastActive < windowStart ? this.lastActive : windowStart;
    this.lastActive = Math.max(this.learnedActive, before);
  }

  /** Learns every whole hour that is old enough and covered by readings on both sides. */
  private learn(): void {
    const floor = this.floorLPerH();
    const until = Math.floor((this.newestTs - LEARN_AFTER_MS) / HOUR) * HOUR;
    let h = Math.max(this.learnedUntil, Math.ceil(this.points[0]![0] / HOUR) * HOUR);
    for (; h + HOUR <= until; h += HOUR) {
      // A long span may still be filled in by late reports (a daily batch): wait up to WAIT_LATE_MS.
      if (this.spanAround(h) > 2 * HOUR && h > this.newestTs - WAIT_LATE_MS) break;
      const use = this.registerAt(h + HOUR)! - this.registerAt(h)!;
      const net = use - floor;
      if (this.absent(h, h + HOUR) || this.inEpisode(h)) {
        this.quietFrom = null;
        continue;
      }
      // Outings and nights away shown by the door or the electricity meter are not quiet spells
      // at home: left in, they would stretch the household's limit (issue 13).
      if (
        net < this.params.activeL &&
        this.presence.away(h + HOUR, this.learnedActive, this.points, this.params.activeL)
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
      this.hourlyUse.push(Math.max(0, net));
      if (this.hourlyUse.length > 24 * 28) this.hourlyUse.shift();
      this.hourlyUseP99 = null;
    }
    this.learnedUntil = Math.max(this.learnedUntil, h);
  }

  /** Length of the span between readings that contains hour [h, h + 1 h). */
  private spanAround(h: number): number {
    let before = Number.NEGATIVE_INFINITY;
    let after = Number.POSITIVE_INFINITY;
    for (const [t] of this.points) {
      if (t <= h) before = t;
      else if (t >= h + HOUR) {
        after = t;
        break;
      }
    }
    return after - before;
  }

  /** Register at `t` by linear interpolation between readings (null outside them). */
  private registerAt(t: number): number | null {
    for (let i = 1; i < this.points.length; i++) {
      const [t0, l0] = this.points[i - 1]!;
      const [t1, l1] = this.points[i]!;
      if (t >= t0 && t <= t1) return t1 === t0 ? l1 : l0 + ((l1 - l0) * (t - t0)) / (t1 - t0);
    }
    return null;
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
    const flow = this.flowAlert();
    if (flow) out.push(flow);
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
      ? this.presence.openingsSinceHome(newest, this.points, this.params.activeL)
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
    // The site's budget trades delay for false alerts where water is all there is.
    const shift = this.presence.hasAny ? 0 : this.params.limitShiftH;
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

  /**
   * A continuous-flow alarm uplink: flagged when water has run without a break longer than this
   * household's longest normal draw (learned from its earlier alarms), fast enough to matter.
   */
  private flowAlarmAlert(ts: number, alarm: FlowAlarm): InactivityAlert | null {
    const began = ts - alarm.continuousMin * 60_000;
    if (this.flowEpisodeAt !== null && began > this.flowEpisodeAt) this.flowEpisodeAt = null;
    while (this.draws.length && this.draws[0]![0] < ts - RECORD_MS) this.draws.shift();
    const longest = Math.max(0, ...this.draws.filter(([t]) => !this.absent(t, t + 1)).map(([, m]) => m));
    const limitMin = Math.max(this.params.flowAlarmMinMin, longest + this.params.flowAlarmMarginMin);
    const fast = alarm.lPerH === null || alarm.lPerH >= this.params.flowMinLPerH;
    if (alarm.continuousMin < limitMin || !fast) {
      if (this.flowEpisodeAt === null) this.draws.push([ts, alarm.continuousMin]);
      return null;
    }
    if (this.flowEpisodeAt !== null) return null;
    this.flowEpisodeAt = ts;
    return {
      kind: 'continuous_water_flow',
      t: ts,
      silenceFrom: null,
      silenceH: 0,
      probability: 0,
      flowLPerH: alarm.lPerH,
      continuousMin: alarm.continuousMin,
    };
  }

  /** Water running far beyond this person's heaviest hours, over the last hour. */
  private flowAlert(): InactivityAlert | null {
    const n = this.points.length;
    if (n < 2) return null;
    const [t1, l1] = this.points[n - 1]!;
    // Over the whole last hour: alarm uplinks between scheduled reports make short spans whose
    // rate says nothing (a shower's ten minutes).
    const t0 = t1 - HOUR;
    const l0 = this.registerAt(t0);
    let before = n - 1;
    while (before > 0 && this.points[before]![0] > t0) before--;
    if (l0 === null || t1 - this.points[before]![0] > 2 * HOUR) return null;
    const rate = l1 - l0 - this.floorLPerH();
    const p99 = (this.hourlyUseP99 ??= usualHourP99(this.hourlyUse));
    const limit = Math.max(this.params.flowMinLPerH, this.params.flowFactor * p99);
    if (rate < limit) {
      if (this.flowEpisodeAt !== null && t1 - this.flowEpisodeAt > 2 * HOUR) this.flowEpisodeAt = null;
      return null;
    }
    if (this.flowEpisodeAt !== null) return null;
    this.flowEpisodeAt = t1;
    return {
      kind: 'continuous_water_flow',
      t: t1,
      silenceFrom: null,
      silenceH: 0,
      probability: 0,
      flowLPerH: rate,
      continuousMin: null,
    };
  }
}

/** The heaviest usual hour (p99 of learned hours, litres); 60 L until two days are learned. */
function usualHourP99(hourlyUse: readonly number[]): number {
  if (hourlyUse.length < 48) return 60;
  const sorted = [...hourlyUse].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length * 0.99)]!;
}
