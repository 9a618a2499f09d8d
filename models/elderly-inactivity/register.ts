/**
 * A household water meter's cumulative register (litres) over the last days, on event time:
 * readings kept sorted (they may be batched, late or out of order), interpolated between, and the
 * standing flow (a leak, a running cistern) read off the quietest stretch of the last day.
 */

import { HOUR } from './params.ts';

const KEEP_MS = 3 * 24 * HOUR;
/**
 * Finest spacing kept between in-order readings: hour-level rhythm needs no more, and a meter
 * read every few seconds (a pulse or wM-Bus reader) would otherwise make every reading scan
 * days of points.
 */
const MIN_SPACING_MS = 5 * 60_000;
/** Readings must cover this much of the last day before a standing flow is subtracted. */
const FLOOR_MIN_COVER_MS = 20 * HOUR;
/** Spans longer than this say nothing about the standing flow (lost or batched reports). */
const FLOOR_MAX_SPAN_MS = 3 * HOUR;
/**
 * Finest step of a register, litres: DN15 meters resolve 1 L, and `total_m3` carries three
 * decimals. Each reading is off by up to one step, so the rise over any span is too.
 */
const RESOLUTION_L = 1;
/**
 * The standing flow is read off stretches of readings at least this long: over single hours the
 * register's 1 L steps make a 22.5 L/h leak read 22 or 23 L, and the lowest (22 L/h) left up to
 * 2 L of leak in a later span (3 h of lost reports) — "activity" that hid collapses and broke up
 * the household's record of quiet spells (issue 13). Over 3 h the error is ≤ 1/3 L/h.
 */
const FLOOR_WINDOW_MS = 3 * HOUR;
/**
 * A stretch at least this long without any rise rules out a standing flow of 2 L/h or more (it
 * moves a 1 L register within 45 min): on a day that has one, a positive lowest rate over 3 h is
 * a resident using water every hour or two of the night, not a leak.
 */
const DRY_SPAN_MIN_MS = 0.75 * HOUR;

/**
 * The standing flow, L/h, and by how much it may be short of the true one (the register's steps
 * over the stretch it was read off): a span's use is counted net of both, so a leak never reads
 * as use, over an hour or over a day of lost reports.
 */
export interface StandingFlow {
  lPerH: number;
  slackLPerH: number;
}

const NO_STANDING_FLOW: StandingFlow = { lPerH: 0, slackLPerH: 0 };

export class MeterRegister {
  /** [event time, litres], oldest first. */
  private readonly kept: Array<[number, number]> = [];
  /** The standing flow for the readings kept now, read on every insert. */
  private flow: StandingFlow = NO_STANDING_FLOW;
  /** The latest standing flow read off a well-covered day, and the newest reading it saw. */
  private known: { flow: StandingFlow; at: number } | null = null;

  get points(): ReadonlyArray<readonly [number, number]> {
    return this.kept;
  }

  get newestTs(): number {
    return this.kept.at(-1)?.[0] ?? 0;
  }

  /** Keeps one reading; false when one at the same event time is already kept. */
  insert(ts: number, litres: number): boolean {
    const points = this.kept;
    let i = points.length;
    while (i > 0 && points[i - 1]![0] > ts) i--;
    if (points[i - 1]?.[0] === ts) return false;
    points.splice(i, 0, [ts, litres]);
    // Appended in order: merge a span still shorter than MIN_SPACING_MS into this one. The
    // register is cumulative, so the use across the merged span is unchanged.
    const n = points.length;
    if (i === n - 1 && n >= 3 && points[n - 2]![0] - points[n - 3]![0] < MIN_SPACING_MS)
      points.splice(n - 2, 1);
    const newest = this.newestTs;
    while (points.length > 2 && points[0]![0] < newest - KEEP_MS) points.shift();
    this.flow = this.readStandingFlow();
    return true;
  }

  /**
   * The standing flow (a leak, a running cistern): the lowest rate over the last day across
   * stretches of consecutive readings at least FLOOR_WINDOW_MS long, night included.
   */
  standingFlow(): StandingFlow {
    return this.flow;
  }

  private readStandingFlow(): StandingFlow {
    const points = this.kept;
    const since = this.newestTs - 24 * HOUR;
    let coveredMs = 0;
    for (let i = 1; i < points.length; i++) {
      const spanMs = points[i]![0] - points[i - 1]![0];
      if (points[i]![0] >= since && spanMs <= FLOOR_MAX_SPAN_MS) coveredMs += spanMs;
    }
    // A standing flow is the lowest rate of a whole day, night included: over the first hours a
    // resident's steady hourly use is the lowest rate and would be taken for a leak, leaving no
    // activity at all (the cold-start false alert on steady hourly draw). After a day of lost
    // reports (a lost daily batch) the flow read before it still holds: a leak does not stop.
    const lPerH = this.lowestRate(since, FLOOR_WINDOW_MS);
    if (!Number.isFinite(lPerH) || coveredMs < FLOOR_MIN_COVER_MS)
      return this.known && this.known.at >= this.newestTs - KEEP_MS ? this.known.flow : NO_STANDING_FLOW;
    const dry = this.lowestRate(since, DRY_SPAN_MIN_MS) === 0;
    const flow =
      lPerH > 0 && !dry ? { lPerH, slackLPerH: RESOLUTION_L / (FLOOR_WINDOW_MS / HOUR) } : NO_STANDING_FLOW;
    if (!this.known || this.newestTs >= this.known.at) this.known = { flow, at: this.newestTs };
    return flow;
  }

  /**
   * The lowest rate, L/h, over stretches of consecutive readings at least `minMs` long ending
   * after `since`, each stretch from a reading to the first one `minMs` later through spans of at
   * most FLOOR_MAX_SPAN_MS (a stretch across lost reports says nothing); infinite when none.
   */
  private lowestRate(since: number, minMs: number): number {
    const points = this.kept;
    let lowest = Number.POSITIVE_INFINITY;
    let end = 0;
    for (let start = 0; start < points.length; start++) {
      const [t0, l0] = points[start]!;
      end = Math.max(end, start + 1);
      while (
        end < points.length &&
        points[end]![0] - t0 < minMs &&
        points[end]![0] - points[end - 1]![0] <= FLOOR_MAX_SPAN_MS
      )
        end++;
      if (end >= points.length) break;
      const [t1, l1] = points[end]!;
      if (t1 < since || t1 - t0 < minMs || t1 - points[end - 1]![0] > FLOOR_MAX_SPAN_MS) continue;
      lowest = Math.min(lowest, Math.max(0, (l1 - l0) / ((t1 - t0) / HOUR)));
    }
    return lowest;
  }

  /** The standing flow, L/h (standingFlow() without its slack). */
  floorLPerH(): number {
    return this.standingFlow().lPerH;
  }

  /**
   * Litres drawn over `spanMs` in which the register rose by `riseL`, beyond the standing flow and
   * the most its reading error could hide (0 flow, 0 slack: no standing flow to see through).
   */
  useAbove(riseL: number, spanMs: number): number {
    const { lPerH, slackLPerH } = this.standingFlow();
    return riseL - (lPerH + slackLPerH) * (spanMs / HOUR);
  }

  /** Length of the span between readings that contains hour [h, h + 1 h). */
  spanAround(h: number): number {
    let before = Number.NEGATIVE_INFINITY;
    let after = Number.POSITIVE_INFINITY;
    for (const [t] of this.kept) {
      if (t <= h) before = t;
      else if (t >= h + HOUR) {
        after = t;
        break;
      }
    }
    return after - before;
  }

  /** Register at `t` by linear interpolation between readings (null outside them). */
  at(t: number): number | null {
    for (let i = 1; i < this.kept.length; i++) {
      const [t0, l0] = this.kept[i - 1]!;
      const [t1, l1] = this.kept[i]!;
      if (t >= t0 && t <= t1) return t1 === t0 ? l1 : l0 + ((l1 - l0) * (t - t0)) / (t1 - t0);
    }
    return null;
  }
}
