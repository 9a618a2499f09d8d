/**
 * A household water meter's cumulative register (litres) over the last days, on event time:
 * readings kept sorted (they may be batched, late or out of order), interpolated between, and the
 * standing flow (a leak, a running cistern) read off the quietest span of the last day.
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

export class MeterRegister {
  /** [event time, litres], oldest first. */
  private readonly kept: Array<[number, number]> = [];

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
    return true;
  }

  /** The standing flow, L/h: the lowest rate over the last day (a leak, a running cistern). */
  floorLPerH(): number {
    const newest = this.newestTs;
    let floor = Number.POSITIVE_INFINITY;
    let coveredMs = 0;
    for (let i = 1; i < this.kept.length; i++) {
      const [t0, l0] = this.kept[i - 1]!;
      const [t1, l1] = this.kept[i]!;
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
