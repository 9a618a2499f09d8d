/**
 * Pure shaping of API data into chart series (no DOM, no ECharts), so it is tested in Node.
 * Days are calendar days in the site's time zone, since that is how the estate office counts.
 */
import type { Alert, IncidentView } from '../../lib/model.ts';

const DAY_MS = 86_400_000;

export function dayKey(ms: number, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(ms);
}

/** The last `days` calendar days ending today, oldest first. */
export function lastDays(now: number, days: number, timeZone: string): string[] {
  const keys: string[] = [];
  for (let i = days - 1; i >= 0; i -= 1) {
    const key = dayKey(now - i * DAY_MS, timeZone);
    if (keys.at(-1) !== key) keys.push(key);
  }
  return keys;
}

export interface KindSeries {
  kind: string;
  counts: number[];
}

export function alertsByKindPerDay(alerts: Alert[], days: string[], timeZone: string): KindSeries[] {
  const index = new Map(days.map((d, i) => [d, i]));
  const byKind = new Map<string, number[]>();
  for (const a of alerts) {
    const i = index.get(dayKey(Date.parse(a.eventTs || a.detectedAt), timeZone));
    if (i === undefined) continue;
    let counts = byKind.get(a.kind);
    if (!counts) {
      counts = days.map(() => 0);
      byKind.set(a.kind, counts);
    }
    counts[i]! += 1;
  }
  return [...byKind.entries()]
    .map(([kind, counts]) => ({ kind, counts }))
    .sort((a, b) => b.counts.reduce((s, c) => s + c, 0) - a.counts.reduce((s, c) => s + c, 0));
}

export function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface ResponseTimes {
  /** Median minutes from opening to accepted, per day (null: nothing accepted that day). */
  acceptMin: (number | null)[];
  resolveMin: (number | null)[];
}

/** Time to accept and to resolve, by the day the incident opened, from each incident's history. */
export function responseTimes(incidents: IncidentView[], days: string[], timeZone: string): ResponseTimes {
  const index = new Map(days.map((d, i) => [d, i]));
  const accept: number[][] = days.map(() => []);
  const resolve: number[][] = days.map(() => []);
  for (const inc of incidents) {
    const i = index.get(dayKey(inc.openedAt, timeZone));
    if (i === undefined) continue;
    if (inc.acceptedAt !== null) accept[i]!.push((inc.acceptedAt - inc.openedAt) / 60_000);
    if (inc.resolvedAt !== null) resolve[i]!.push((inc.resolvedAt - inc.openedAt) / 60_000);
  }
  const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);
  return { acceptMin: accept.map((v) => round(median(v))), resolveMin: resolve.map((v) => round(median(v))) };
}

export interface WatchEntry {
  household: string;
  /** The household's water meter, to read the silence from. */
  deviceId: string | null;
  /** Hours since water was last used (filled in from the meter's readings). */
  hours: number | null;
}

/** Households on the inactivity watchlist: one entry per household with an open elderly-inactivity incident. */
export function inactivityWatchlist(
  incidents: IncidentView[],
  isOpen: (state: string) => boolean,
): WatchEntry[] {
  const byHousehold = new Map<string, WatchEntry>();
  for (const inc of incidents) {
    const household = inc.location.household;
    if (inc.kind !== 'elderly_inactivity' || !isOpen(inc.state) || !household) continue;
    if (!byHousehold.has(household))
      byHousehold.set(household, { household, deviceId: inc.deviceId, hours: null });
  }
  return [...byHousehold.values()];
}
