/**
 * The household model's tunable parameters (chosen per model version in training, stored in its
 * meta.json) and the time constants the household state and its presence signals share.
 */
export const HOUR = 3_600_000;
/** How far back a household's record of quiet spells and draws reaches. */
export const RECORD_MS = 28 * 24 * HOUR;
/** A wake-margin this large switches the morning rule off (JSON has no infinity). */
export const WAKE_OFF_H = 100;

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
   * The same shift for a household whose presence signals report: its record holds no outings
   * (they are away spells), so its limits may come down further for the same budget. Calibrated
   * per signal set on households with those signals (presence-budget.ts); 0 in versions up to @8.
   */
  doorShiftH: number;
  electricityShiftH: number;
  bothShiftH: number;
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
  doorShiftH: 0,
  electricityShiftH: 0,
  bothShiftH: 0,
  standbyAwayMaxH: 30,
};

/** Local time of day of `t`, ms since local midnight. */
export function timeOfDay(t: number, utcOffsetMin: number): number {
  return (((t + utcOffsetMin * 60_000) % (24 * HOUR)) + 24 * HOUR) % (24 * HOUR);
}
