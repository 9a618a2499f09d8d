/**
 * Training only: the silence-limit table (household.ts `limitTable`). A household's longest quiet
 * spell near a time of day, read off 2–4 weeks of its own history, says how long its outings and
 * afternoons at home run — but how far a later spell may overrun that record depends on both: at
 * 08:00 a household whose longest spell was 4 h almost never stays dry for 5 h (outings last up to
 * 4 h), while one whose longest was 3 h often does (it simply has not had its long outing yet).
 * One stretch (longest × factor + margin) for every cell pays for the second with the first.
 *
 * So every quiet spell of other households (made with their own seed) is placed in a cell — the
 * local hour it started and that household's longest comparable spell in the four weeks before
 * it — and the cells' limits are lowered one hour at a time where that buys the most daytime
 * detection (time spent in silences of that cell, × the limit: long waits first) per false alert
 * it costs, until the false-alert budget is spent. A cell's false alerts are counted over it and,
 * at half weight, its neighbouring start hours, so a limit is not lowered on a thinly seen cell
 * by luck.
 */
import { bucketOf } from './household.ts';
import { LIMIT_TABLE_M, RECORD_MS } from './params.ts';

const HOUR = 3_600_000;

export interface LimitTableOptions {
  /** Local start hours the table covers (the others keep the stretched-longest rule). */
  fromHour: number;
  toHour: number;
  /** ±hours of start time that make a spell comparable (the detector's gapWindowH). */
  windowH: number;
  /** Comparable spells on record before the household's own limit applies (the detector's minGaps). */
  minGaps: number;
  /** Spells longer than this are absences, not part of the record (the detector's maxSpellH). */
  maxSpellH: number;
  /** Never a limit below this, hours. */
  minLimitH: number;
  /** Where every cell starts before the budget is spent: its longest spell + this, hours. */
  startMarginH: number;
  /** A cell seen fewer times than this is not searched: its longest spell + sparseMarginH. */
  minSpells: number;
  sparseMarginH: number;
}

export interface Spell {
  start: number;
  hours: number;
}

interface Cell {
  /** Lengths of the spells that fell in the cell (false alerts at a limit: those at least as long). */
  lengths: number[];
  /** Hours of silence spent in spells of the cell: where incidents land. */
  mass: number;
}

/** Local hour of day (a bucket is weekday/weekend × hour). */
const localHour = (t: number, utcOffsetMin: number): number => bucketOf(t, utcOffsetMin) % 24;

/** The cell (start hour, longest comparable spell on record) of each spell of one household. */
export function cellsOf(
  spells: readonly Spell[],
  options: LimitTableOptions,
  utcOffsetMin: number,
): Array<{ hour: number; longest: number | null; hours: number }> {
  const sorted = [...spells].sort((a, b) => a.start - b.start);
  return sorted.map((s, i) => {
    const hour = localHour(s.start, utcOffsetMin);
    const near = sorted.slice(0, i).filter((p) => {
      if (p.start + p.hours * HOUR > s.start || p.start < s.start - RECORD_MS || p.hours > options.maxSpellH)
        return false;
      const d = Math.abs(localHour(p.start, utcOffsetMin) - hour);
      return Math.min(d, 24 - d) <= options.windowH;
    });
    const longest = near.length >= options.minGaps ? Math.round(Math.max(...near.map((p) => p.hours))) : null;
    return { hour, longest, hours: s.hours };
  });
}

/**
 * The table (flattened `hour * LIMIT_TABLE_M + longest`, 0 = not set) that spends at most
 * `budget` false alerts on the given households' spells.
 */
export function buildLimitTable(
  households: ReadonlyArray<readonly Spell[]>,
  budget: number,
  options: LimitTableOptions,
  utcOffsetMin: number,
): number[] {
  const cells: Cell[] = Array.from({ length: 24 * LIMIT_TABLE_M }, () => ({ lengths: [], mass: 0 }));
  for (const spells of households)
    for (const c of cellsOf(spells, options, utcOffsetMin)) {
      // Spells past maxSpellH alert under any limit (an unannounced absence): no choice to make.
      if (c.longest === null || c.longest >= LIMIT_TABLE_M || c.hours > options.maxSpellH) continue;
      const cell = cells[c.hour * LIMIT_TABLE_M + c.longest]!;
      cell.lengths.push(c.hours);
      cell.mass += c.hours + 1;
    }
  const covered = (h: number): boolean => h >= options.fromHour && h <= options.toHour;
  const falseAlerts = (hour: number, m: number, limit: number): number => {
    let n = 0;
    for (const [dh, w] of [
      [-1, 0.5],
      [0, 1],
      [1, 0.5],
    ] as const)
      n += w * cells[((hour + dh + 24) % 24) * LIMIT_TABLE_M + m]!.lengths.filter((l) => l >= limit).length;
    return n / 2;
  };
  const table = new Array<number>(24 * LIMIT_TABLE_M).fill(0);
  for (let h = 0; h < 24; h++)
    for (let m = 0; m < LIMIT_TABLE_M; m++)
      if (covered(h)) {
        const sparse = cells[h * LIMIT_TABLE_M + m]!.lengths.length < options.minSpells;
        const margin = sparse ? options.sparseMarginH : options.startMarginH;
        table[h * LIMIT_TABLE_M + m] = Math.max(options.minLimitH, m + margin);
      }
  let spent = 0;
  for (;;) {
    let best: { k: number; cost: number; ratio: number } | null = null;
    for (let h = 0; h < 24; h++) {
      if (!covered(h)) continue;
      for (let m = 0; m < LIMIT_TABLE_M; m++) {
        const k = h * LIMIT_TABLE_M + m;
        const limit = table[k]!;
        if (cells[k]!.lengths.length < options.minSpells || limit - 1 < Math.max(options.minLimitH, m))
          continue;
        const cost = falseAlerts(h, m, limit - 1) - falseAlerts(h, m, limit);
        // A step that costs nothing here still may elsewhere: a floor on the cost.
        const ratio = (cells[k]!.mass * limit) / Math.max(cost, 0.05);
        if (spent + cost <= budget && (!best || ratio > best.ratio)) best = { k, cost, ratio };
      }
    }
    if (!best) break;
    table[best.k]! -= 1;
    spent += best.cost;
  }
  return table;
}
