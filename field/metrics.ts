/** The figures of issue 13's table, from a match of alerts to truth, and their printout. */
import type { MatchResult } from './match.ts';
import type { PresenceSignal, SceneTruth } from './scene.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './time.ts';

export type Metrics = Record<string, number | string | null>;

export function quantile(values: number[], q: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (i - lo);
}

const share = (n: number, d: number): number | null => (d ? n / d : null);

function counts(items: string[]): string {
  const c = new Map<string, number>();
  for (const i of items) c.set(i, (c.get(i) ?? 0) + 1);
  return (
    [...c]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || '—'
  );
}

export function computeMetrics(m: MatchResult): Metrics {
  const days = (m.scene.endTs - m.scene.ts) / DAY_MS;
  const falseCount = m.falseAlerts.length;
  const falseIncidents = new Set(m.falseAlerts.map((f) => f.alert.incidentId ?? f.alert.id)).size;
  const common = {
    'false alerts': falseCount,
    'false incidents': falseIncidents,
    'false alerts by cause': counts(m.falseAlerts.map((f) => f.cause)),
    'alerts at places without scene data': m.elsewhere,
  };
  if (m.danger === 'throws') {
    const hit = m.throws.filter((t) => t.alert);
    const withFloor = hit.filter((t) => typeof t.alert!.location.floor === 'number');
    const floorErr = withFloor.map((t) => Math.abs(t.alert!.location.floor! - t.truth.floor));
    const byDelay = (lo: number, hi: number): string => {
      const group = m.throws.filter((t) => t.truth.trackDelayS >= lo && t.truth.trackDelayS < hi);
      return `${group.filter((t) => t.alert).length}/${group.length}`;
    };
    const cameraDays = m.scene.places.length * days;
    return {
      throws: m.throws.length,
      recall: share(hit.length, m.throws.length),
      'recall, track starts < 0.3 s / 0.3–0.6 s / ≥ 0.6 s': `${byDelay(0, 0.3)} / ${byDelay(0.3, 0.6)} / ${byDelay(0.6, 99)}`,
      'missed objects': counts(m.throws.filter((t) => !t.alert).map((t) => t.truth.object)),
      'floor exact': share(floorErr.filter((e) => e === 0).length, floorErr.length),
      'floor ±1': share(floorErr.filter((e) => e <= 1).length, floorErr.length),
      'camera-days': cameraDays,
      'false alerts per camera-day': share(falseCount, cameraDays),
      'false incidents per camera-day': share(falseIncidents, cameraDays),
      'repeat alerts on true throws': m.throws.reduce((s, t) => s + t.repeats, 0),
      ...common,
    };
  }
  if (m.danger === 'water') {
    const all = waterFigures(m, m.scene.places);
    const leftOn = m.collapses.filter((c) => c.truth.leftOn);
    return {
      ...all,
      ...common,
      ...(m.scene.presence
        ? {
            'collapses leaving lights or TV on, detected within 12 h': `${leftOn.filter(within12h).length}/${leftOn.length}`,
            ...bySignals(m, m.scene.presence),
          }
        : {}),
    };
  }
  const hit = m.runaways.filter((r) => r.alert);
  const leadsMin = hit.map((r) => -r.delayMs! / MINUTE_MS);
  const shedYears = (m.scene.places.length * days) / 365;
  return {
    runaways: m.runaways.length,
    'alert before flame': `${hit.filter((r) => Date.parse(r.alert!.eventTs) < r.truth.flameTs).length}/${m.runaways.length}`,
    'alert before smoke': `${hit.filter((r) => Date.parse(r.alert!.eventTs) < r.truth.smokeTs).length}/${m.runaways.length}`,
    'lead before smoke median min': quantile(leadsMin, 0.5),
    'lead before smoke p10 min': quantile(leadsMin, 0.1),
    'port right': `${m.runaways.filter((r) => r.portRight).length}/${m.runaways.length}`,
    'shed-years': shedYears,
    'nuisance alerts per shed-year': share(falseCount, shedYears),
    'nuisance alerts by kind': counts(m.falseAlerts.map((f) => f.alert.kind)),
    ...common,
  };
}

export function formatMetrics(danger: string, metrics: Metrics): string {
  const rows = Object.entries(metrics).map(([k, v]) => [
    k,
    typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v ?? '—'),
  ]);
  const width = Math.max(...rows.map(([k]) => k!.length));
  return [`${danger}`, ...rows.map(([k, v]) => `  ${k!.padEnd(width)}  ${v}`)].join('\n');
}

type Collapse = MatchResult['collapses'][number];

const within12h = (c: Collapse): boolean => c.alert !== null && c.delayMs! <= 12 * HOUR_MS;

/** The inactivity figures over some of the scene's households. */
function waterFigures(m: MatchResult, households: string[]): Metrics {
  const mine = new Set(households);
  const collapses = m.collapses.filter((c) => mine.has(c.truth.household));
  const falseAlerts = m.falseAlerts.filter((f) => mine.has(f.alert.location.household ?? ''));
  const delaysH = (list: Collapse[]): number[] =>
    list.filter((c) => c.alert).map((c) => c.delayMs! / HOUR_MS);
  const day = collapses.filter((c) => c.truth.daytime);
  const collapseAt = new Map(collapses.map((c) => [c.truth.household, c.truth.ts]));
  const householdDays = households.reduce(
    (s, h) => s + (Math.min(collapseAt.get(h) ?? m.scene.endTs, m.scene.endTs) - m.scene.ts) / DAY_MS,
    0,
  );
  return {
    collapses: collapses.length,
    'daytime collapses': day.length,
    'detected within 48 h': `${collapses.filter((c) => c.alert).length}/${collapses.length}`,
    'detected within 12 h': `${collapses.filter(within12h).length}/${collapses.length}`,
    'daytime delay median h': quantile(delaysH(day), 0.5),
    'daytime delay p90 h': quantile(delaysH(day), 0.9),
    'all delay median h': quantile(delaysH(collapses), 0.5),
    'household-days at risk': householdDays,
    'false alerts per household-day': share(falseAlerts.length, householdDays),
    'false alerts by cause': counts(falseAlerts.map((f) => f.cause)),
  };
}

const SIGNAL_SETS: Array<[string, (s: PresenceSignal[]) => boolean]> = [
  ['with a presence signal', (s) => s.length > 0],
  ['water only', (s) => s.length === 0],
  ['water + electricity', (s) => s.includes('electricity') && !s.includes('door')],
  ['water + door', (s) => s.includes('door') && !s.includes('electricity')],
  ['water + electricity + door', (s) => s.includes('electricity') && s.includes('door')],
];

/** The same figures per signal set (the goal holds households with a presence signal to it). */
function bySignals(m: MatchResult, presence: NonNullable<SceneTruth['presence']>): Metrics {
  const out: Metrics = {};
  for (const [name, holds] of SIGNAL_SETS) {
    const households = m.scene.places.filter((h) => holds(presence[h] ?? []));
    if (!households.length) continue;
    for (const [k, v] of Object.entries(waterFigures(m, households)))
      out[`${name} (${households.length}): ${k}`] = v;
  }
  return out;
}
