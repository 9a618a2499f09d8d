/**
 * A small chart of the readings that led to an incident: the device's values from half an hour
 * before it opened until now, for the field that matters to its kind (temperature for a fire,
 * CO while charging, …). Drawn from the public readings API, so the numbers are the stored ones.
 */
import { api, withQuery } from './api.ts';
import { h, svg } from './dom.ts';
import { formatNumber, formatTime } from './format.ts';
import { t, tOr } from './i18n.ts';
import type { IncidentView, ReadingView } from './model.ts';
import { hottestSeries } from './reading-series.ts';

const BEFORE_MS = 30 * 60_000;
/** Fields worth charting, most telling first. */
const FIELDS = ['temp_c', 'smoke_db_m', 'co_ppm', 'h2_ppm', 'power_w'] as const;
export const FIELD_UNITS: Record<string, string> = {
  temp_c: '°C',
  co_ppm: 'ppm',
  h2_ppm: 'ppm',
  smoke_db_m: 'dB/m',
  power_w: 'W',
};
const W = 300;
const H = 72;
const PAD = 4;

/** Fills in once the readings have loaded; stays hidden when the device has none worth charting. */
export function renderReadingsChart(inc: IncidentView): HTMLElement {
  const box = h('figure', { class: 'readings-chart', hidden: true, 'data-chart': inc.id });
  if (!inc.deviceId) return box;
  void api
    .get<ReadingView[]>(
      withQuery(`/api/devices/${encodeURIComponent(inc.deviceId)}/readings`, {
        from: new Date(inc.openedAt - BEFORE_MS).toISOString(),
        limit: 2000,
      }),
    )
    .then((readings) => draw(box, readings))
    .catch(() => undefined);
  return box;
}

function draw(box: HTMLElement, readings: ReadingView[]): void {
  const field = FIELDS.find((f) => readings.some((r) => typeof r.values[f] === 'number'));
  if (!field) return;
  const { port, points } = hottestSeries(readings, field);
  const t0 = points[0]!.ts;
  const t1 = Math.max(points.at(-1)!.ts, t0 + 1);
  const values = points.map((p) => p.v);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const x = (ts: number): number => PAD + ((ts - t0) / (t1 - t0)) * (W - 2 * PAD);
  const y = (v: number): number => H - PAD - ((v - lo) / span) * (H - 2 * PAD);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'spark', role: 'img' });
  chart.append(
    svg('polyline', {
      points: points.map((p) => `${x(p.ts).toFixed(1)},${y(p.v).toFixed(1)}`).join(' '),
      fill: 'none',
      stroke: 'currentColor',
      'stroke-width': 2,
    }),
  );
  const last = points.at(-1)!;
  chart.append(svg('circle', { cx: x(last.ts), cy: y(last.v), r: 3, fill: 'currentColor' }));
  const unit = FIELD_UNITS[field] ?? '';
  const fieldName = tOr(`field.${field}`, field);
  const label = port === null ? fieldName : `${t('chart.port', { port })} ${fieldName}`;
  const summary = t('chart.summary', {
    field: label,
    last: `${formatNumber(last.v, 1)} ${unit}`,
    max: `${formatNumber(hi, 1)} ${unit}`,
    from: formatTime(t0),
  });
  chart.setAttribute('aria-label', summary);
  box.dataset.field = field;
  box.dataset.last = String(last.v);
  box.dataset.max = String(hi);
  box.replaceChildren(chart, h('figcaption', { class: 'small muted' }, summary));
  box.hidden = false;
}
