/**
 * The grid worker's phone page (PWA): my incidents, most urgent and newest first, live over the
 * push channel; residents' reports; visits and absences for the households in my grid.
 */
import '../../styles.css';
import { armAlarm, ringAlarm } from '../../lib/alarm.ts';
import { api, ApiError, withQuery } from '../../lib/api.ts';
import { announce, h, mount } from '../../lib/dom.ts';
import { spellDuration, titleOf } from '../../lib/format.ts';
import { locale, t } from '../../lib/i18n.ts';
import {
  byUrgency,
  OPEN_STATES,
  toIncident,
  type IncidentView,
  type MonitoredHousehold,
  type SiteView,
} from '../../lib/model.ts';
import { startShell } from '../../lib/shell.ts';
import { loadSite } from '../../lib/site.ts';
import { openStream } from '../../lib/stream.ts';
import { renderIncidentCard } from './incident-card.ts';
import { renderHouseholds } from './households.ts';
import { renderReportForm } from './report-form.ts';

const shell = startShell('worker');
shell.main.classList.add('worker');
armAlarm();

const incidents = new Map<string, IncidentView>();
let site: SiteView | null = null;
let showDone = false;

const list = h('div', { class: 'incident-list', 'aria-live': 'polite', id: 'incident-list' });
const filter = h(
  'button',
  { type: 'button', class: 'btn btn-quiet btn-small', 'aria-pressed': 'false' },
  t('worker.showDone'),
);
filter.addEventListener('click', () => {
  showDone = !showDone;
  filter.setAttribute('aria-pressed', String(showDone));
  renderList();
});
const detail = h('section', { class: 'incident-detail', hidden: true, 'aria-label': t('worker.detail') });

const tabs = [
  {
    id: 'tab-incidents',
    label: t('worker.tab.incidents'),
    panel: h(
      'section',
      { id: 'panel-incidents' },
      h('div', { class: 'section-head' }, h('h2', {}, t('worker.myIncidents')), filter),
      detail,
      list,
    ),
  },
  {
    id: 'tab-reports',
    label: t('worker.tab.reports'),
    panel: h('section', { id: 'panel-reports', hidden: true }),
  },
  {
    id: 'tab-households',
    label: t('worker.tab.households'),
    panel: h('section', { id: 'panel-households', hidden: true }),
  },
];
const tabBar = h(
  'div',
  { class: 'tab-bar', role: 'tablist', 'aria-label': t('worker.tabs') },
  tabs.map((tab, i) =>
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: tab.id,
        'aria-controls': tab.panel.id,
        'aria-selected': String(i === 0),
      },
      tab.label,
    ),
  ),
);
for (const tab of tabs) tab.panel.setAttribute('role', 'tabpanel');
tabBar.addEventListener('click', (ev) => {
  const button = (ev.target as HTMLElement).closest('button');
  if (!button) return;
  for (const tab of tabs) {
    const selected = tab.id === button.id;
    tab.panel.hidden = !selected;
    document.getElementById(tab.id)?.setAttribute('aria-selected', String(selected));
  }
});
mount(shell.main, tabBar, ...tabs.map((tab) => tab.panel));

/** Cards by incident id; a card is rebuilt only when its incident changed, so a half-typed note survives. */
const cards = new Map<string, { key: string; el: HTMLElement }>();
const cardKey = (i: IncidentView): string => `${i.state}|${i.updatedAt}|${i.holder ?? ''}|${i.severity}`;

/** Mine: dispatched or paged to me. The rest of my grid's incidents follow, under their own heading. */
const isMine = (i: IncidentView): boolean =>
  i.assignees.includes(shell.session.user.id) || i.paged.some((p) => p.staffId === shell.session.user.id);
const othersHeading = h('h2', { class: 'others-heading' }, t('worker.othersInGrid'));

function cardFor(inc: IncidentView): HTMLElement {
  const key = cardKey(inc);
  const existing = cards.get(inc.id);
  if (existing && existing.key === key) return existing.el;
  const el = renderIncidentCard(inc, site!, shell.session.user, upsert);
  if (existing) keepOpenFolds(existing.el, el);
  cards.set(inc.id, { key, el });
  return el;
}

/** A push that rebuilds a card keeps the folds its reader had opened (the details, the facts). */
function keepOpenFolds(from: HTMLElement, to: HTMLElement): void {
  const open = new Set([...from.querySelectorAll('details')].filter((d) => d.open).map((d) => d.className));
  for (const d of to.querySelectorAll('details')) if (open.has(d.className)) d.open = true;
}

function renderList(): void {
  if (!site) return;
  const shown = [...incidents.values()].filter((i) => showDone || OPEN_STATES.has(i.state)).sort(byUrgency);
  const mine = shown.filter(isMine);
  const others = shown.filter((i) => !isMine(i));
  list.replaceChildren(
    ...(mine.length ? mine.map(cardFor) : [h('p', { class: 'empty' }, t('worker.noIncidents'))]),
    ...(others.length ? [othersHeading, ...others.map(cardFor)] : []),
  );
}

/** Age labels ("5分钟") stay current without rebuilding cards. */
function refreshAges(): void {
  for (const el of document.querySelectorAll<HTMLElement>('.age[data-since]'))
    el.textContent = spellDuration(Date.now() - Number(el.dataset.since));
}

function upsert(inc: IncidentView): void {
  const before = incidents.get(inc.id);
  incidents.set(inc.id, inc);
  if (!before && OPEN_STATES.has(inc.state)) {
    announce(t('worker.newIncident', { title: titleOf(inc) }));
    if (inc.severity === 'critical') ringAlarm();
  }
  renderList();
}

async function loadIncidents(): Promise<void> {
  // Active ones, plus what was closed in the last day so "show resolved" has something to show.
  const items = await api.get<Record<string, unknown>[]>(
    withQuery('/api/incidents', { limit: 200, lang: locale() }),
  );
  const fresh = new Map(items.map((r) => [String(r.id), toIncident(r)]));
  incidents.clear();
  for (const [id, inc] of fresh) incidents.set(id, inc);
  renderList();
}

/** `#incident=<id>`: open one incident (a link from a notification). The API says whether I may. */
async function openFromHash(): Promise<void> {
  const id = new URLSearchParams(location.hash.slice(1)).get('incident');
  if (!id) {
    detail.hidden = true;
    return;
  }
  detail.hidden = false;
  try {
    const inc = toIncident(
      await api.get<Record<string, unknown>>(
        withQuery(`/api/incidents/${encodeURIComponent(id)}`, { lang: locale() }),
      ),
    );
    incidents.set(inc.id, inc);
    mount(
      detail,
      renderIncidentCard(inc, site!, shell.session.user, (next) => {
        upsert(next);
        void openFromHash();
      }),
    );
  } catch (err) {
    const status = err instanceof ApiError ? err.status : 0;
    mount(
      detail,
      h(
        'p',
        { class: 'notice notice-error', role: 'alert', 'data-denied': String(status) },
        status === 403 || status === 404 ? t('worker.notYours') : t('error.network'),
      ),
    );
  }
}

async function start(): Promise<void> {
  site = await loadSite();
  tabs[1]!.panel.append(renderReportForm(site));
  tabs[2]!.panel.append(renderHouseholds(site, await api.get<MonitoredHousehold[]>('/api/households')));
  await loadIncidents();
  await openFromHash();
  window.addEventListener('hashchange', () => void openFromHash());
  window.setInterval(refreshAges, 30_000);
  openStream({
    onStatus: shell.setStatus,
    onResync: () => void loadIncidents().catch(() => undefined),
    onMessage: (msg) => {
      if (msg.type === 'incident') upsert(toIncident(msg.data));
    },
  });
}

start().catch((err: unknown) => {
  mount(list, h('p', { class: 'notice notice-error', role: 'alert' }, `${t('error.load')}: ${String(err)}`));
});

if ('serviceWorker' in navigator)
  void navigator.serviceWorker.register('/sw.js', { type: 'module' }).catch(() => undefined);
