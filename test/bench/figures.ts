/**
 * Issue 16's table, filled by the bench sections: each figure with the gateway's value, its
 * baseline of the same run (bare aedes, or the gateway without the load or devices that the
 * figure adds), their ratio, the goal and whether it is met. With BENCH_RUNS > 1 the summary
 * gives each value's range over the runs and its median.
 */

export interface Figure {
  figure: string;
  unit: string;
  gateway: number;
  /** NaN when the figure has no baseline. */
  baseline: number;
  /** The goal as the table gives it; '—' for figures the table prints without a goal. */
  goal: string;
  /** null when there is no goal to meet. */
  met: boolean | null;
}

const runs: Figure[][] = [[]];

export function record(figure: Figure): void {
  runs[runs.length - 1]!.push(figure);
}

/** Figures recorded from now on belong to the next run. */
export function nextRun(): void {
  runs.push([]);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const num = (x: number): string =>
  Number.isNaN(x) ? '—' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);

/** "x" for one run, "min–max (median m)" for several. */
function range(xs: number[]): string {
  if (xs.length === 1 || xs.every((x) => Number.isNaN(x))) return num(xs[0]!);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return `${num(min)}–${num(max)} (${num(median(xs))})`;
}

/** One row per figure, its values over every run so far. */
export function printSummary(): void {
  const done = runs.filter((r) => r.length);
  const names = [...new Set(done.flat().map((f) => f.figure))];
  const rows = names.map((name) => {
    const fs = done.flatMap((r) => r.filter((f) => f.figure === name));
    const first = fs[0]!;
    const metRuns = fs.filter((f) => f.met === true).length;
    return {
      figure: name,
      unit: first.unit,
      gateway: range(fs.map((f) => f.gateway)),
      baseline: range(fs.map((f) => f.baseline)),
      ratio: range(fs.map((f) => f.gateway / f.baseline)),
      goal: first.goal,
      met:
        first.met === null
          ? '—'
          : fs.length === 1
            ? first.met
              ? 'yes'
              : 'no'
            : `${metRuns}/${fs.length} runs`,
    };
  });
  const runsNote = done.length > 1 ? `, ${done.length} runs: min–max (median)` : '';
  console.log(`\nsummary (issue 16's table${runsNote}; ratio = gateway / baseline)`);
  const cols = ['figure', 'unit', 'gateway', 'baseline', 'ratio', 'goal', 'met'] as const;
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(width[i]!)).join(' | ');
  console.log(line(cols));
  console.log(width.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}
