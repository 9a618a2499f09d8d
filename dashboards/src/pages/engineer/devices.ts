/** Devices with health and, on demand, their last readings (engineer page). */
import { api, withQuery } from '../../lib/api.ts';
import { h, mount } from '../../lib/dom.ts';
import { formatNumber, formatTime, spellLocation } from '../../lib/format.ts';
import { t, tOr } from '../../lib/i18n.ts';
import type { DeviceView, ReadingView, SiteView } from '../../lib/model.ts';

const PAGE_SIZE = 40;

function locationOf(d: DeviceView, site: SiteView): string {
  return spellLocation(
    {
      building: d.building ?? null,
      household: d.household ?? null,
      place: d.place ?? null,
      facade: d.facade ?? null,
      unit: null,
      floor: null,
      floorRange: null,
    },
    site,
  );
}

function readingText(r: ReadingView): string {
  const values = Object.entries(r.values).map(([k, v]) => `${k}=${formatNumber(v, 3)}`);
  const labels = Object.entries(r.labels).map(([k, v]) => `${k}=${v}`);
  return [r.port !== null ? `#${r.port}` : null, ...values, ...labels].filter(Boolean).join('  ');
}

/** The kind, status and id filters over the device list. */
function deviceFilters(devices: DeviceView[]) {
  const kinds = [...new Set(devices.map((d) => d.kind))].sort();
  const kind = h(
    'select',
    { id: 'dev-kind' },
    h('option', { value: '' }, t('eng.allKinds')),
    kinds.map((k) => h('option', { value: k }, tOr(`device.${k}`, k))),
  );
  const status = h(
    'select',
    { id: 'dev-status' },
    h('option', { value: '' }, t('eng.allStatus')),
    ['online', 'offline', 'unknown'].map((s) => h('option', { value: s }, tOr(`health.${s}`, s))),
  );
  const search = h('input', { id: 'dev-search', type: 'search', autocomplete: 'off' });
  return { kind, status, search };
}

/** The device's last readings (one per port, or the last five), shown in `detail`. */
async function showReadings(detail: HTMLElement, d: DeviceView): Promise<void> {
  mount(detail, h('p', { class: 'muted' }, t('loading')));
  const readings = await api.get<ReadingView[]>(
    withQuery(`/api/devices/${encodeURIComponent(d.id)}/readings`, {
      order: 'desc',
      limit: d.ports ? d.ports : 5,
    }),
  );
  mount(
    detail,
    h('h3', {}, d.id, h('span', { class: 'muted small' }, ` · ${d.codec}`)),
    readings.length
      ? h(
          'ul',
          { class: 'plain mono small' },
          readings.map((r) => h('li', {}, `${formatTime(r.ts, true)}  ${readingText(r)}`)),
        )
      : h('p', { class: 'muted' }, t('eng.noReadings')),
  );
}

function deviceRow(d: DeviceView, site: SiteView, detail: HTMLElement): HTMLElement {
  const open = h(
    'button',
    { type: 'button', class: 'btn btn-small btn-quiet', 'aria-controls': 'device-detail' },
    d.id,
  );
  open.addEventListener('click', () => void showReadings(detail, d));
  return h(
    'tr',
    { 'data-device': d.id },
    h('td', {}, open),
    h('td', {}, tOr(`device.${d.kind}`, d.kind)),
    h('td', {}, locationOf(d, site)),
    h(
      'td',
      {},
      h(
        'span',
        { class: `health health-${d.health.status}` },
        tOr(`health.${d.health.status}`, d.health.status),
      ),
    ),
    h('td', {}, d.health.lastSeen ? formatTime(d.health.lastSeen, true) : '–'),
    h('td', { class: 'num' }, d.health.batteryPct !== null ? `${d.health.batteryPct}%` : '–'),
  );
}

function deviceTable(body: HTMLElement): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table', id: 'device-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            t('col.device'),
            t('col.kind'),
            t('col.where'),
            t('col.health'),
            t('col.lastSeen'),
            t('col.battery'),
          ].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      body,
    ),
  );
}

export function renderDevices(site: SiteView, devices: DeviceView[]): HTMLElement {
  const { kind, status, search } = deviceFilters(devices);
  const body = h('tbody');
  const summary = h('p', { class: 'muted small', 'aria-live': 'polite' });
  const detail = h(
    'div',
    { class: 'device-detail', id: 'device-detail', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, t('eng.pickDevice')),
  );

  const render = (): void => {
    const q = search.value.trim().toLowerCase();
    const shown = devices.filter(
      (d) =>
        (!kind.value || d.kind === kind.value) &&
        (!status.value || d.health.status === status.value) &&
        (!q || d.id.toLowerCase().includes(q)),
    );
    summary.textContent = t('eng.deviceCount', {
      shown: Math.min(shown.length, PAGE_SIZE),
      total: shown.length,
    });
    mount(
      body,
      shown.slice(0, PAGE_SIZE).map((d) => deviceRow(d, site, detail)),
    );
  };
  for (const el of [kind, status]) el.addEventListener('change', render);
  search.addEventListener('input', render);
  // Devices that are not water meters are few and the ones engineers look at first.
  devices.sort(
    (a, b) =>
      Number(a.kind === 'water_meter') - Number(b.kind === 'water_meter') ||
      a.id.localeCompare(b.id, 'en', { numeric: true }),
  );
  render();
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: kind.id }, t('eng.kind')), kind),
      h('div', { class: 'field' }, h('label', { for: status.id }, t('eng.status')), status),
      h('div', { class: 'field' }, h('label', { for: search.id }, t('eng.search')), search),
    ),
    summary,
    h('div', { class: 'split' }, deviceTable(body), detail),
  );
}
