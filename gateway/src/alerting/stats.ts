/**
 * Numbers for the dashboards and for tuning: response times (dispatch → accept, → on site,
 * → resolved) and false-alarm counts per rule, model, device and household, computed over the
 * incidents the caller may see.
 */
import { FALSE_ALARM_DISPOSITIONS, type HistoryEntry, type Incident } from './model.ts';

export type GroupBy = 'kind' | 'severity' | 'grid' | 'rule' | 'model' | 'device' | 'household';

export function keyOf(i: Incident, by: GroupBy): string | null {
  switch (by) {
    case 'kind':
      return i.kind;
    case 'severity':
      return i.severity;
    case 'grid':
      return i.grid[3] ?? i.gridNode;
    case 'rule':
      return i.source.rule;
    case 'model':
      return i.source.model;
    case 'device':
      return i.source.deviceId;
    case 'household':
      return i.location.household;
  }
}

function summarize(values: number[]) {
  if (!values.length) return { n: 0, p50S: null, p90S: null, meanS: null, maxS: null };
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  const round = (x: number): number => Math.round(x * 10) / 10;
  return {
    n: s.length,
    p50S: round(q(0.5)),
    p90S: round(q(0.9)),
    meanS: round(s.reduce((a, b) => a + b, 0) / s.length),
    maxS: round(s[s.length - 1]!),
  };
}

function groupIncidents(incidents: Incident[], by: GroupBy): Map<string, Incident[]> {
  const groups = new Map<string, Incident[]>();
  for (const i of incidents) {
    const key = keyOf(i, by);
    if (key === null) continue;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  return groups;
}

export function responseTimes(incidents: Incident[], by: GroupBy) {
  const since = (i: Incident, at: number | null): number[] =>
    at === null ? [] : [(at - i.createdAt) / 1000];
  return [...groupIncidents(incidents, by)].map(([key, list]) => ({
    key,
    incidents: list.length,
    accept: summarize(list.flatMap((i) => since(i, i.acceptedAt))),
    arrive: summarize(list.flatMap((i) => since(i, i.arrivedAt))),
    resolve: summarize(list.flatMap((i) => since(i, i.disposition === 'auto_cleared' ? null : i.resolvedAt))),
  }));
}

export function falseAlarms(incidents: Incident[], by: GroupBy) {
  const closed = incidents.filter((i) => i.disposition !== null && i.disposition !== 'auto_cleared');
  return [...groupIncidents(closed, by)]
    .map(([key, list]) => {
      const byDisposition: Record<string, number> = {};
      for (const i of list) byDisposition[i.disposition!] = (byDisposition[i.disposition!] ?? 0) + 1;
      const n = list.filter((i) => FALSE_ALARM_DISPOSITIONS.includes(i.disposition!)).length;
      return { key, resolved: list.length, falseAlarms: n, falseAlarmRate: n / list.length, byDisposition };
    })
    .sort((a, b) => b.falseAlarms - a.falseAlarms || a.key.localeCompare(b.key));
}

export function incidentSummary(incidents: Incident[]) {
  const count = (f: (i: Incident) => string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const i of incidents) out[f(i)] = (out[f(i)] ?? 0) + 1;
    return out;
  };
  return {
    total: incidents.length,
    byState: count((i) => i.state),
    byKind: count((i) => i.kind),
    bySeverity: count((i) => i.severity),
  };
}

/** The month an instant falls in, in the site's time zone: "2026-03". */
function monthIn(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(ms);
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
}

/**
 * Elderly-inactivity follow-up per household or per month: alerts, calls that found the resident
 * fine, visits, alerts per visit, and the time from the alert to "confirmed safe" (a call answered
 * fine, else a visit, else the resolution).
 */
export function inactivityFollowUp(
  incidents: Incident[],
  historyOf: (id: string) => HistoryEntry[],
  by: 'household' | 'month',
  timeZone: string,
) {
  const groups = new Map<string, Incident[]>();
  for (const i of incidents) {
    if (i.kind !== 'elderly_inactivity') continue;
    const key = by === 'household' ? i.location.household : monthIn(i.createdAt, timeZone);
    if (!key) continue;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  return [...groups]
    .map(([key, list]) => {
      let visits = 0;
      let answeredFine = 0;
      const toSafe: number[] = [];
      for (const i of list) {
        const calls = historyOf(i.id).filter((h) => h.type === 'call_recorded');
        visits += calls.filter((h) => h.data.outcome === 'visited').length;
        const fine = calls.find((h) => h.data.outcome === 'answered_fine');
        if (fine) answeredFine++;
        const safeAt =
          fine?.at ??
          calls.find((h) => h.data.outcome === 'visited')?.at ??
          (i.disposition && i.disposition !== 'real' ? i.resolvedAt : null);
        if (safeAt !== null && safeAt !== undefined) toSafe.push((safeAt - i.createdAt) / 1000);
      }
      return {
        key,
        alerts: list.length,
        answeredFine,
        visits,
        alertsPerVisit: visits ? Math.round((list.length / visits) * 10) / 10 : null,
        timeToSafe: summarize(toSafe),
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}
