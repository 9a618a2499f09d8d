/**
 * What a worker needs to see of the evidence before going up the stairs: for a thrown object the
 * floors it was traced to; for an elderly resident the hours since water was last used against
 * their usual pattern (computed from the meter's readings); for a shed the measured values that
 * fired the rule. Read from the incident's alert and the public readings API.
 */
import { api, withQuery } from './api.ts';
import { h } from './dom.ts';
import { formatNumber, formatTime } from './format.ts';
import { locale, t, tOr } from './i18n.ts';
import type { Alert, IncidentView, ReadingView } from './model.ts';
import { waterPattern } from './water-pattern.ts';

type Row = [label: string, value: string];

const WATER_KINDS = new Set(['elderly_inactivity', 'water_use_abnormal', 'continuous_water_flow']);
/** Enough history for a usual week plus the silence itself. */
const PATTERN_DAYS = 8;
const alertCache = new Map<string, Promise<Alert | null>>();

function loadAlert(id: string | null): Promise<Alert | null> {
  if (!id) return Promise.resolve(null);
  let p = alertCache.get(id);
  if (!p) {
    p = api
      .get<Alert>(withQuery(`/api/alerts/${encodeURIComponent(id)}`, { lang: locale() }))
      .catch(() => null);
    alertCache.set(id, p);
  }
  return p;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' ? (v as Record<string, unknown>) : {};

function fallingObjectRows(inc: IncidentView, ev: Record<string, unknown>): Row[] {
  const rows: Row[] = [];
  const origin = obj(ev.origin);
  const range = inc.location.floorRange ?? (origin.floorRange as [number, number] | undefined) ?? null;
  if (range)
    rows.push([
      t('ev.floorRange'),
      range[0] === range[1]
        ? t('loc.floor', { floor: range[0] })
        : t('loc.floorRange', { from: range[0], to: range[1] }),
    ]);
  else if (inc.location.floor !== null)
    rows.push([t('ev.floorRange'), t('loc.floor', { floor: inc.location.floor })]);
  const column = num(origin.windowColumn);
  if (column !== null) rows.push([t('ev.windowColumn'), String(column)]);
  const conf = num(ev.confidence);
  if (conf !== null) rows.push([t('ev.confidence'), `${Math.round(conf * 100)}%`]);
  const drop = num(obj(ev.fit).dropM);
  if (drop !== null) rows.push([t('ev.drop'), `${formatNumber(drop)} m`]);
  return rows;
}

async function waterRows(inc: IncidentView, timeZone: string): Promise<Row[]> {
  if (!inc.deviceId) return [];
  const now = Date.now();
  const readings = await api.get<ReadingView[]>(
    withQuery(`/api/devices/${encodeURIComponent(inc.deviceId)}/readings`, {
      from: new Date(now - PATTERN_DAYS * 86_400_000).toISOString(),
      limit: 5000,
    }),
  );
  const points = readings
    .filter((r) => typeof r.values.total_m3 === 'number')
    .map((r) => ({ ts: Date.parse(r.ts), totalM3: r.values.total_m3! }));
  const p = waterPattern(points, now, timeZone);
  const rows: Row[] = [];
  rows.push([
    t('ev.hoursSinceUse'),
    p.hoursSinceLastUse === null
      ? t('ev.noUseInWindow', { d: PATTERN_DAYS })
      : t('ev.hours', { h: formatNumber(p.hoursSinceLastUse) }),
  ]);
  if (p.lastUseAt !== null) rows.push([t('ev.lastUse'), formatTime(p.lastUseAt, true)]);
  if (p.usualDailyL !== null) rows.push([t('ev.usualDaily'), `${p.usualDailyL} L`]);
  if (p.usualFirstHour !== null)
    rows.push([t('ev.usualFirst'), `${String(Math.round(p.usualFirstHour)).padStart(2, '0')}:00`]);
  return rows;
}

const UNITS: Record<string, string> = {
  temp_c: '°C',
  co_ppm: 'ppm',
  h2_ppm: 'ppm',
  smoke_db_m: 'dB/m',
  power_w: 'W',
  used: 'm³',
};

/** The rule's facts that fired it (temperature, rate of rise, litres used), as label: value. */
function factRows(ev: Record<string, unknown>): Row[] {
  const facts = obj(ev.facts);
  return Object.entries(facts)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    .slice(0, 6)
    .map(([k, v]) => [
      tOr(`field.${k}`, k),
      typeof v === 'number' ? `${formatNumber(v, 3)}${UNITS[k] ? ` ${UNITS[k]}` : ''}` : String(v),
    ]);
}

/** Plain rows (floors, hours since water was used) for the card; the rule's facts for the details fold. */
interface EvidenceRows {
  plain: Row[];
  facts: Row[];
}

const rowsCache = new Map<string, Promise<EvidenceRows>>();

/** Rows for an incident, computed once per alert it carries (cards re-render on every change). */
export function evidenceRows(inc: IncidentView, timeZone: string): Promise<EvidenceRows> {
  const key = `${inc.id}:${inc.lastAlertId ?? ''}`;
  let rows = rowsCache.get(key);
  if (!rows) {
    rows = computeRows(inc, timeZone);
    rowsCache.set(key, rows);
  }
  return rows;
}

async function computeRows(inc: IncidentView, timeZone: string): Promise<EvidenceRows> {
  const alert = await loadAlert(inc.lastAlertId ?? inc.firstAlertId);
  const ev = alert?.evidence ?? {};
  if (inc.kind === 'falling_object')
    return { plain: fallingObjectRows(inc, ev), facts: ev.origin ? [] : factRows(ev) };
  if (WATER_KINDS.has(inc.kind))
    return { plain: await waterRows(inc, timeZone).catch(() => []), facts: factRows(ev) };
  return { plain: [], facts: factRows(ev) };
}

/**
 * A definition list that fills itself in once the alert (and readings) have loaded: the plain
 * rows a worker acts on, or the detector's facts (for the details fold).
 */
export function renderEvidence(inc: IncidentView, timeZone: string, part: keyof EvidenceRows): HTMLElement {
  const list = h('dl', {
    class: part === 'plain' ? 'evidence' : 'facts',
    hidden: true,
    'data-evidence': inc.id,
    'data-part': part,
  });
  void evidenceRows(inc, timeZone).then((all) => {
    const rows = all[part];
    if (!rows.length) return;
    list.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    list.hidden = false;
  });
  return list;
}

/** Snapshot and clip links in the alert's evidence (keys ending in url/link), as the camera sent them. */
export async function evidenceLinks(inc: IncidentView): Promise<string[]> {
  const alert = await loadAlert(inc.lastAlertId ?? inc.firstAlertId);
  const out = new Set<string>();
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'string') {
      if (/(url|link|links|href)$/i.test(key) && /^https?:\/\//i.test(v)) out.add(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(alert?.evidence ?? {}, '');
  return [...out];
}
