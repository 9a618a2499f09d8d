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

export const BUCKETS = 48;
const HOUR = 3_600_000;
const KEEP_MS = 3 * 24 * HOUR;
const LEARN_AFTER_MS = 6 * HOUR;
const WEEKDAY_SHARE = 0.4;
const WAIT_LATE_MS = 30 * HOUR;
/** How far back a household's record of quiet spells and draws reaches. */
export const RECORD_MS = 28 * 24 * HOUR;
/**
 * Finest spacing kept between in-order readings: hour-level rhythm needs no more, and a meter
 * read every few seconds (a pulse or wM-Bus reader) would otherwise make every reading scan
 * days of points.
 */
const MIN_SPACING_MS = 5 * 60_000;
/** A wake-margin this large switches the morning rule off (JSON has no infinity). */
export const WAKE_OFF_H = 100;
/** Readings must cover this much of the last day before a standing flow is subtracted. */
const FLOOR_MIN_COVER_MS = 20 * HOUR;
/** Electricity intervals longer than this say nothing about the load at one time (lost reports). */
const MAX_POWER_SPAN_MS = 3 * HOUR;
/** Days of electricity intervals the standby load is learned from. */
const STANDBY_DAYS = 7;
/** Intervals on record before a standby load is known (a day of hourly, or 6 h of 15-min reports). */
const MIN_STANDBY_INTERVALS = 24;
/** Above the standby load by less than this, W: nobody is using anything (fridge cycles, chargers). */
const STANDBY_MARGIN_W = 30;
/**
 * A change of the mean load by this much, W, between intervals is someone switching something on
 * or off (kettle, cooker, TV, lights): a sign of life, as a flush is. A load left on is steady.
 */
const POWER_CHANGE_W = 60;
/** Switching off to standby this close to the last use, by day, is leaving home (not a collapse). */
const LEAVING_WINDOW_MS = 1.5 * HOUR;
const LEAVING_HOURS: readonly [number, number] = [7, 20];
/** Night silences start 19:00–05:00 local and end with the first use of the morning, 04:00–12:00. */
const NIGHT_START_H: readonly [number, number] = [19, 5];
const MORNING_END_H: readonly [number, number] = [4, 12];

export interface InactivityParams {
  /** Net litres that make an hour "active" (above a dripping tap, below a flush). */
  activeL: number;
  /** Pseudo-days the cold-start prior weighs. */
  priorDays: number;
  /** Alert when P(silence) falls below this. */
  silenceProbability: number;
  /** Never alert on a silence shorter than this, hours. */
  minSilenceH: number;
  /** Continuous flow: net litres per hour above which water runs abnormally. */
  flowMinLPerH: number;
  /** …and at least this multiple of the household's p99 hourly use. */
  flowFactor: number;
  /** Local time offset of the site, minutes (Asia/Shanghai: 480). */
  utcOffsetMin: number;
  /** Past silences that must start near this time of day before the household's own record rules. */
  minGaps: number;
  /** "Near this time of day": the silence's start within ± this many hours. */
  gapWindowH: number;
  /** 1: the rhythm may still raise an alert once the household has its own record (as up to @3); 0: not. */
  rhythmWithRecord: number;
  /** Morning: alert this long after the latest recorded first use (≥ WAKE_OFF_H = off). */
  wakeMarginH: number;
  /** Wake-ups on record before the morning rule applies. */
  minWakes: number;
  /** Continuous-flow alarm: at least this long an uninterrupted draw, minutes, before any is flagged… */
  flowAlarmMinMin: number;
  /** …and longer than the household's longest normal uninterrupted draw by this much, minutes. */
  flowAlarmMarginMin: number;
  /** The household's longest comparable silence is stretched by this factor… */
  gapFactor: number;
  /** …plus this margin, hours (hourly readings quantise silences to the hour). */
  gapMarginH: number;
  /**
   * No household's own limit goes below this, hours: an outing of up to 4 h is normal for anyone
   * (FIELD-NOTES §2.4) even if this resident has not yet taken one at this hour in the record.
   */
  minLimitH: number;
  /**
   * Training only: the quantile of similar households' normal silences by start hour that became
   * the population floor under each household's own limit (0 = none).
   */
  floorQuantile: number;
  /**
   * Quiet spells longer than this, hours, never enter the household's record: a normal day has
   * none, so such a spell was an absence nobody announced (or an incident), and letting it in would
   * switch the household's own limit off at that hour for four weeks.
   */
  maxSpellH: number;
  /**
   * Added to the own silence limit of a household with water alone, hours (never below
   * minSilenceH): the site's false-alert budget picks it from the calibrated shifts of the model
   * version (budget.ts); negative alerts sooner at the cost of more false alerts.
   */
  limitShiftH: number;
  /**
   * Presence: a silence the electricity meter explains as leaving home (switched off to standby
   * by day around the last use, in a home without a door contact) is held at most this long,
   * hours — a night away and the day after.
   */
  standbyAwayMaxH: number;
  /**
   * Silence limits, hours, by the local hour the silence starts and the household's own longest
   * comparable spell (whole hours 0…LIMIT_TABLE_M − 1), flattened as `hour * LIMIT_TABLE_M + m`;
   * 0 where the stretched longest spell and the population floor decide (other hours, longer
   * records). Chosen in training on other households (limits.ts); absent in versions up to @6.
   */
  limitTable?: readonly number[];
}

/** Own longest spells the limit table distinguishes: 0…LIMIT_TABLE_M − 1 whole hours. */
export const LIMIT_TABLE_M = 9;

export const DEFAULT_PARAMS: InactivityParams = {
  activeL: 1.5,
  priorDays: 4,
  silenceProbability: 2e-3,
  minSilenceH: 2,
  flowMinLPerH: 120,
  flowFactor: 2,
  utcOffsetMin: 480,
  minGaps: 10,
  gapFactor: 1.1,
  gapMarginH: 1,
  minLimitH: 2,
  floorQuantile: 0,
  gapWindowH: 3,
  rhythmWithRecord: 1,
  wakeMarginH: 1000,
  minWakes: 7,
  flowAlarmMinMin: 15,
  flowAlarmMarginMin: 5,
  maxSpellH: 16,
  limitShiftH: 0,
  standbyAwayMaxH: 30,
};

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
  /** Electricity register readings, [event time, kWh], sorted (the household's smart meter). */
  private readonly power: Array<[number, number]> = [];
  /** Entrance door openings, event time, sorted. */
  private readonly doorOpenings: number[] = [];

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
    insertSorted(this.power, [ts, kwh]);
    const newest = this.power.at(-1)![0];
    while (this.power.length > 2 && this.power[0]![0] < newest - STANDBY_DAYS * 24 * HOUR) this.power.shift();
  }

  /** The entrance door contact changed (1 opened). */
  addDoor(ts: number, open: number): void {
    if (open !== 1) return;
    let i = this.doorOpenings.length;
    while (i > 0 && this.doorOpenings[i - 1]! > ts) i--;
    if (this.doorOpenings[i - 1] === ts) return;
    this.doorOpenings.splice(i, 0, ts);
    while (this.doorOpenings.length && this.doorOpenings[0]! < ts - RECORD_MS) this.doorOpenings.shift();
  }

  /** Mean load of each electricity interval, [start, end, W], oldest first. */
  private powerIntervals(): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    for (let i = 1; i < this.power.length; i++) {
      const [t0, k0] = this.power[i - 1]!;
      const [t1, k1] = this.power[i]!;
      if (t1 - t0 <= MAX_POWER_SPAN_MS && t1 > t0)
        out.push([t0, t1, ((k1 - k0) * 1000) / ((t1 - t0) / HOUR)]);
    }
    return out;
  }

  /** The household's standby load, W: the 10th percentile of its interval means (null until known). */
  private standbyW(intervals: ReadonlyArray<[number, number, number]>): number | null {
    if (intervals.length < MIN_STANDBY_INTERVALS) return null;
    const sorted = intervals.map(([, , w]) => w).sort((x, y) => x - y);
    return sorted[Math.floor(sorted.length * 0.1)]!;
  }

  /**
   * What the electricity meter says up to time `t`: the latest change of the load (someone
   * switching something on or off), and since when it has shown only the standby load (fridge,
   * chargers; null when it shows more, has no interval near `t`, or has not learned its standby).
   */
  private electricityAt(t: number): { changedAt: number; standbySince: number | null } {
    const intervals = this.powerIntervals();
    const standby = this.standbyW(intervals);
    let changedAt = 0;
    let standbySince: number | null = null;
    let last: [number, number, number] | null = null;
    for (const interval of intervals) {
      const [t0, t1, w] = interval;
      if (t1 > t) break;
      if (last && last[1] === t0 && Math.abs(w - last[2]) >= POWER_CHANGE_W) changedAt = t1;
      if (standby !== null) standbySince = w <= standby + STANDBY_MARGIN_W ? (standbySince ?? t0) : null;
      last = interval;
    }
    if (!last || t - last[1] > MAX_POWER_SPAN_MS) standbySince = null;
    return { changedAt, standbySince };
  }

  /**
   * Left home by the electricity meter: by day, everything switched off to standby around the
   * last use (a person leaving switches off; one who collapses does not), and standby since.
   */
  private leftHome(lastUse: number, power: { standbySince: number | null }): boolean {
    if (power.standbySince === null || this.doorOpenings.length > 0) return false;
    const h = this.tod(power.standbySince) / HOUR;
    return (
      Math.abs(power.standbySince - lastUse) <= LEAVING_WINDOW_MS &&
      h >= LEAVING_HOURS[0] &&
      h < LEAVING_HOURS[1]
    );
  }

  /** Door openings in (from, to]. */
  private openingsIn(from: number, to: number): number[] {
    return this.doorOpenings.filter((t) => t > from && t <= to);
  }

  /**
   * The door's openings since the resident was last surely at home before `t`: the end of the
   * latest span with water use and no door movement in it. (In a span with both, hourly readings
   * cannot say whether the water was used before leaving or after coming back: a flush then out,
   * or back then a wash. Counting from the last span without that doubt keeps the parity right,
   * and a lost opening is corrected by the next such span.)
   */
  private openingsSinceHome(t: number): number[] {
    let home = 0;
    for (let i = this.points.length - 1; i >= 1 && home === 0; i--) {
      const [t0, l0] = this.points[i - 1]!;
      const [t1, l1] = this.points[i]!;
      if (t1 > t || l1 - l0 < this.params.activeL) continue;
      if (this.openingsIn(t0, t1).length === 0) home = t1;
    }
    return this.openingsIn(home || t - KEEP_MS, t);
  }

  /**
   * Whether the resident is away at `t` by the presence signals: out through the door and not
   * back (an odd number of openings since surely home), or, in a home without a door contact,
   * switched off to standby on leaving (leftHome).
   */
  private presenceAway(t: number): boolean {
    if (this.doorOpenings.length > 0) return this.openingsSinceHome(t).length % 2 === 1;
    return this.leftHome(this.learnedActive, this.electricityAt(t));
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
      if (net < this.params.activeL && this.presenceAway(h + HOUR)) {
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
    const power = this.electricityAt(newest);
    const lastUse = Math.max(
      this.lastActive ?? newest,
      this.visitAt,
      this.returnedBy(newest),
      power.changedAt,
    );
    // Back through the door (an even number of openings since surely home): silent since then.
    const openings = this.doorOpenings.length > 0 ? this.openingsSinceHome(newest) : [];
    const from = Math.max(lastUse, openings.length > 0 && openings.length % 2 === 0 ? openings.at(-1)! : 0);
    if (this.episodeFrom !== null && from > this.episodeFrom) this.episodeFrom = null; // activity again: re-arm
    const silenceH = (newest - from) / HOUR;
    if (this.episodeFrom !== null || silenceH < this.params.minSilenceH || this.absent(from, newest))
      return out;
    // Away by the presence signals: out through the door and not back, or switched off on leaving
    // (held at most standbyAwayMaxH, after which a collapse right after switching off is judged
    // on water alone).
    if (openings.length % 2 === 1) return out;
    if (this.leftHome(lastUse, power) && silenceH < this.params.standbyAwayMaxH) return out;
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
    const shift = this.power.length > 0 || this.doorOpenings.length > 0 ? 0 : this.params.limitShiftH;
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
    return (((t + this.params.utcOffsetMin * 60_000) % (24 * HOUR)) + 24 * HOUR) % (24 * HOUR);
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

function insertSorted(points: Array<[number, number]>, point: [number, number]): void {
  let i = points.length;
  while (i > 0 && points[i - 1]![0] > point[0]) i--;
  if (points[i - 1]?.[0] === point[0]) return;
  points.splice(i, 0, point);
}

/** The heaviest usual hour (p99 of learned hours, litres); 60 L until two days are learned. */
function usualHourP99(hourlyUse: readonly number[]): number {
  if (hourlyUse.length < 48) return 60;
  const sorted = [...hourlyUse].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length * 0.99)]!;
}
