/** Stored readings shaped for the incident's chart (pure: no DOM, so tested in Node). */
import type { ReadingView } from './model.ts';

/**
 * The readings of one series: a charging controller reports every port, and one line through all
 * of them zigzags between a hot port and cold ones. The port that got hottest is the one that
 * led to the incident.
 */
export function hottestSeries(
  readings: ReadingView[],
  field: string,
): { port: number | null; points: { ts: number; v: number }[] } {
  const byPort = new Map<number | null, { ts: number; v: number }[]>();
  for (const r of readings) {
    const v = r.values[field];
    if (typeof v !== 'number') continue;
    byPort.set(r.port, [...(byPort.get(r.port) ?? []), { ts: Date.parse(r.ts), v }]);
  }
  const peak = (ps: { v: number }[]): number => Math.max(...ps.map((p) => p.v));
  const [port, points] = [...byPort].sort((a, b) => peak(b[1]) - peak(a[1]))[0]!;
  return { port, points: points.sort((a, b) => a.ts - b.ts) };
}
