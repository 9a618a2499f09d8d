/**
 * The property manager's console (desktop and 大屏): site plan with live states, alert feed, open
 * incidents with holder and age, charts, emergency-mode switch and silences, all kept live by the
 * push channel.
 */
import '../../styles.css';
import { api, optional, withQuery } from '../../lib/api.ts';
import { announce, h, mount } from '../../lib/dom.ts';
import { spellLocation, titleOf } from '../../lib/format.ts';
import { locale, localized, t } from '../../lib/i18n.ts';
import {
  OPEN_STATES,
  toIncident,
  type Alert,
  type DeviceView,
  type IncidentView,
  type ReadingView,
  type SiteView,
} from '../../lib/model.ts';
import { hasRole } from '../../lib/session.ts';
import { startShell } from '../../lib/shell.ts';
import { loadSite } from '../../lib/site.ts';
import { openStream, type StreamMessage } from '../../lib/stream.ts';
import { AlertFeed } from './alert-feed.ts';
import {
  alertsByKindPerDay,
  inactivityWatchlist,
  lastDays,
  responseTimes,
  type WatchEntry,
} from './chart-data.ts';
import { waterPattern } from '../../lib/water-pattern.ts';
import type { Charts, ShedSeries } from './charts.ts';
import { IncidentDetail } from './incident-detail.ts';
import { ClosedIncidents } from './closed-incidents.ts';
import { IncidentsTable } from './incidents-table.ts';
import { ModeSwitch, type SiteMode } from './mode-switch.ts';
import { SitePlan } from './plan.ts';
import { Silences } from './silences.ts';

const CHART_DAYS = 7;
const SHED_HOURS = 24;

const shell = startShell('console');
shell.main.classList.add('console');
document.body.classList.add('theme-dark');

const incidents = new Map<string, IncidentView>();
const devices = new Map<string, DeviceView>();
const placeTempC = new Map<string, number>();
let alerts: Alert[] = [];
let charts: Charts | null = null;

function panel(id: string, title: string, ...content: (HTMLElement | null)[]): HTMLElement {
  return h(
    'section',
    { class: 'panel', id, 'aria-labelledby': `${id}-h` },
    h('h2', { id: `${id}-h` }, title),
    ...content,
  );
}

const chartBox = (id: string, title: string): [HTMLElement, HTMLElement] => {
  const canvas = h('div', { class: 'chart', id, role: 'img', 'aria-label': title });
  return [h('figure', { class: 'chart-figure' }, h('figcaption', {}, title), canvas), canvas];
};

/** The console's parts, made once the site is known. */
interface ConsoleViews {
  site: SiteView;
  modeSwitch: ModeSwitch;
  plan: SitePlan;
  table: IncidentsTable;
  feed: AlertFeed;
  closed: ClosedIncidents;
  silences: Silences;
  counters: HTMLElement;
  chartEls: Record<'alerts' | 'response' | 'sheds' | 'watchlist', HTMLElement>;
}

/** Makes the console's parts and lays them out on the page. */
function layOut(site: SiteView): ConsoleViews {
  const user = shell.session.user;
  const upsertHere = (inc: IncidentView): void => upsert(views, inc);
  // PUT /api/site/mode is for micro-grid leaders and above (and admins); others see the state only.
  const modeSwitch = new ModeSwitch(hasRole(user, 'micro_grid_leader', 'property_manager'));
  const plan = new SitePlan(site);
  const detail = new IncidentDetail(site, user, upsertHere);
  const table = new IncidentsTable(site, user, upsertHere, (id) => void detail.show(id));
  const feed = new AlertFeed(site);
  const closed = new ClosedIncidents(site);
  const silences = new Silences(site);
  const [alertsFig, alertsEl] = chartBox('chart-alerts', t('chart.alertsByKind'));
  const [respFig, respEl] = chartBox('chart-response', t('chart.responseTimes'));
  const [shedFig, shedEl] = chartBox('chart-sheds', t('chart.shedTemps'));
  const [watchFig, watchEl] = chartBox('chart-watchlist', t('chart.watchlist'));
  const counters = h('div', { class: 'counters', id: 'counters' });
  const views: ConsoleViews = {
    site,
    modeSwitch,
    plan,
    table,
    feed,
    closed,
    silences,
    counters,
    chartEls: { alerts: alertsEl, response: respEl, sheds: shedEl, watchlist: watchEl },
  };

  mount(
    shell.main,
    h('div', { class: 'emergency-banner', role: 'alert' }, t('mode.banner')),
    h('div', { class: 'console-top' }, h('h1', {}, localized(site.name)), counters, modeSwitch.element),
    h(
      'div',
      { class: 'console-grid' },
      panel('plan-panel', t('console.plan'), plan.element),
      panel('incidents-panel', t('console.openIncidents'), table.element),
      panel('feed-panel', t('console.feed'), feed.element),
      panel(
        'charts-panel',
        t('console.charts'),
        h('div', { class: 'chart-grid' }, alertsFig, respFig, shedFig, watchFig),
      ),
      panel('silences-panel', t('console.silences'), silences.element),
      panel('closed-panel', t('closed.title'), closed.element),
    ),
  );
  return views;
}

function refreshViews({ plan, table, counters }: ConsoleViews): void {
  const list = [...incidents.values()];
  plan.update({ incidents: list, devices: [...devices.values()], placeTempC });
  table.render(list);
  const open = list.filter((i) => OPEN_STATES.has(i.state));
  const offline = [...devices.values()].filter((d) => d.health.status === 'offline').length;
  // A device that has never sent anything is not "offline": it was never set up (or not yet).
  const neverReported = [...devices.values()].filter((d) => d.health.lastSeen === null).length;
  mount(
    counters,
    counter(t('console.count.open'), open.length, 'open'),
    counter(t('console.count.critical'), open.filter((i) => i.severity === 'critical').length, 'critical'),
    counter(
      t('console.count.unclaimed'),
      open.filter((i) => i.state === 'open' || i.state === 'dispatched').length,
      'unclaimed',
    ),
    counter(t('console.count.offline'), offline, 'offline'),
    counter(t('console.count.neverReported'), neverReported, 'never-reported'),
  );
}

function drawCharts(site: SiteView): void {
  if (!charts) return;
  const days = lastDays(Date.now(), CHART_DAYS, site.timezone);
  charts.alertsByKind(days, alertsByKindPerDay(alerts, days, site.timezone));
  charts.responseTimes(days, responseTimes([...incidents.values()], days, site.timezone));
  const label = (id: string): string =>
    spellLocation(
      {
        household: id,
        building: null,
        unit: null,
        floor: null,
        floorRange: null,
        facade: null,
        place: null,
      },
      site,
    );
  void withSilenceHours(
    inactivityWatchlist([...incidents.values()], (s) => OPEN_STATES.has(s)),
    site,
  ).then((list) => charts?.watchlist(list, label));
}

let chartTimer = 0;
function scheduleCharts(site: SiteView): void {
  window.clearTimeout(chartTimer);
  chartTimer = window.setTimeout(() => drawCharts(site), 500);
}

function upsert(views: ConsoleViews, inc: IncidentView): void {
  incidents.set(inc.id, inc);
  refreshViews(views);
  scheduleCharts(views.site);
}

async function loadAll(views: ConsoleViews): Promise<void> {
  const since = new Date(Date.now() - CHART_DAYS * 86_400_000).toISOString();
  const [rawIncidents, rawAlerts, devs, mode] = await Promise.all([
    optional(
      api.get<Record<string, unknown>[] | { items: Record<string, unknown>[] }>('/api/incidents?limit=1000'),
      [],
    ),
    optional(
      api.get<Alert[] | { items: Alert[] }>(withQuery('/api/alerts', { since, limit: 5000, lang: locale() })),
      [],
    ),
    api.get<DeviceView[]>('/api/devices'),
    optional(api.get<{ mode: SiteMode }>('/api/site/mode'), { mode: 'normal' as SiteMode }),
  ]);
  incidents.clear();
  for (const r of Array.isArray(rawIncidents) ? rawIncidents : rawIncidents.items) {
    const inc = toIncident(r);
    incidents.set(inc.id, inc);
  }
  alerts = Array.isArray(rawAlerts) ? rawAlerts : rawAlerts.items;
  devices.clear();
  for (const d of devs) devices.set(d.id, d);
  views.modeSwitch.set(mode.mode);
  views.feed.reset(alerts);
  refreshViews(views);
  scheduleCharts(views.site);
}

/** A message of the push channel. */
function onPush(views: ConsoleViews, msg: StreamMessage): void {
  switch (msg.type) {
    case 'alert': {
      const alert = msg.data as unknown as Alert;
      alerts.unshift(alert);
      views.feed.add(alert);
      announce(`${titleOf(alert)} · ${spellLocation(alert.location, views.site)}`);
      scheduleCharts(views.site);
      break;
    }
    case 'incident':
      upsert(views, toIncident(msg.data));
      break;
    case 'device_health': {
      const id = String(msg.data.deviceId ?? '');
      const d = devices.get(id);
      if (d) {
        const status = msg.data.status as DeviceView['health']['status'];
        devices.set(id, { ...d, health: { ...d.health, status } });
        refreshViews(views);
      }
      break;
    }
    case 'site_mode':
      views.modeSwitch.set(msg.data.mode);
      break;
  }
}

// Charts last: the library is a separate chunk, so the plan and lists are usable before it arrives.
async function startCharts(views: ConsoleViews): Promise<void> {
  const { Charts: ChartsClass } = await import('./charts.ts');
  charts = new ChartsClass(views.chartEls);
  drawCharts(views.site);
  const drawSheds = async (): Promise<void> => {
    charts?.shedTemperatures(await loadShedTemps(views.site, [...devices.values()]));
    refreshViews(views);
  };
  await drawSheds();
  window.setInterval(() => void drawSheds().catch(() => undefined), 60_000);
}

async function start(): Promise<void> {
  const site = await loadSite();
  const views = layOut(site);
  void views.closed.load();
  await loadAll(views);
  void views.silences.load();
  window.setInterval(() => refreshViews(views), 30_000);
  openStream({
    onStatus: shell.setStatus,
    onResync: () => void loadAll(views).catch(() => undefined),
    onMessage: (msg) => onPush(views, msg),
  });
  await startCharts(views);
}

function counter(label: string, n: number, key: string): HTMLElement {
  return h(
    'div',
    { class: `counter counter-${key}`, 'data-counter': key },
    h('span', { class: 'counter-n' }, String(n)),
    h('span', { class: 'counter-label' }, label),
  );
}

/** Hours since each watched household last used water, from its meter's last two days. */
async function withSilenceHours(entries: WatchEntry[], site: SiteView): Promise<WatchEntry[]> {
  const from = new Date(Date.now() - 2 * 86_400_000).toISOString();
  return Promise.all(
    entries.map(async (e) => {
      if (!e.deviceId) return e;
      const readings = await api
        .get<ReadingView[]>(
          withQuery(`/api/devices/${encodeURIComponent(e.deviceId)}/readings`, { from, limit: 2000 }),
        )
        .catch(() => []);
      // Newest first from the API; oldest first here.
      const points = readings
        .filter((r) => typeof r.values.total_m3 === 'number')
        .map((r) => ({ ts: Date.parse(r.ts), totalM3: r.values.total_m3! }))
        .reverse();
      const pattern = waterPattern(points, Date.now(), site.timezone);
      // No use at all in the window: at least the window itself.
      return {
        ...e,
        hours: pattern.hoursSinceLastUse ?? (points.length ? (Date.now() - points[0]!.ts) / 3_600_000 : null),
      };
    }),
  );
}

/** Temperature over the last day for each bike shed, from its heat (or smoke) sensor. */
async function loadShedTemps(site: SiteView, devs: DeviceView[]): Promise<ShedSeries[]> {
  const from = new Date(Date.now() - SHED_HOURS * 3600_000).toISOString();
  const sheds = site.places.filter((p) => p.kind === 'bike_shed');
  const series = await Promise.all(
    sheds.map(async (shed) => {
      const sensors = devs.filter((d) => d.place === shed.id && d.kind === 'smoke_sensor');
      const sensor = sensors.find((d) => d.id.startsWith('heat-')) ?? sensors[0];
      if (!sensor) return null;
      const readings = await api.get<ReadingView[]>(
        withQuery(`/api/devices/${encodeURIComponent(sensor.id)}/readings`, { from, limit: 5000 }),
      );
      const points = readings
        .filter((r) => typeof r.values.temp_c === 'number')
        .map((r): [number, number] => [Date.parse(r.ts), r.values.temp_c!])
        .reverse();
      const last = points.at(-1);
      if (last) placeTempC.set(shed.id, last[1]);
      return { name: localized(shed.name), points };
    }),
  );
  return series.filter((s): s is ShedSeries => s !== null);
}

start().catch((err: unknown) => {
  shell.main.append(
    h('p', { class: 'notice notice-error', role: 'alert' }, `${t('error.load')}: ${String(err)}`),
  );
});
