/**
 * The baseline: the fixed rule deployed in Shanghai and Shenzhen (FIELD-NOTES §2.1) — less than
 * 10 L in the last 12 hours raises an alarm — given the same recorded absences as the model.
 */
const HOUR = 3_600_000;
export const BASELINE_RULE = { windowH: 12, minLitres: 10 };

export class TwelveHourRule {
  private readonly points: Array<[number, number]> = [];
  private alerted = false;

  constructor(private readonly absences: ReadonlyArray<{ from: number; to: number }>) {}

  /** Returns the event time of an alert raised by this reading, or null. */
  add(ts: number, litres: number): number | null {
    let i = this.points.length;
    while (i > 0 && this.points[i - 1]![0] > ts) i--;
    this.points.splice(i, 0, [ts, litres]);
    const newest = this.points.at(-1)!;
    const from = newest[0] - BASELINE_RULE.windowH * HOUR;
    const past = this.points.filter(([t]) => t <= from).at(-1);
    if (!past) return null;
    const used = newest[1] - past[1];
    if (used >= BASELINE_RULE.minLitres) {
      this.alerted = false;
      return null;
    }
    if (this.alerted || this.absences.some((a) => a.from < newest[0] && a.to > from)) return null;
    this.alerted = true;
    return newest[0];
  }
}
