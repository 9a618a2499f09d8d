/**
 * The street console (served by the street hub): every community of the street on one page —
 * open incidents by severity, incidents escalated to the street, response times, false-alarm
 * rates, devices offline — refreshed every few seconds. The street duty officer accepts or hands
 * back; a click on an incident shows what its community reported and what the street did. The
 * street administrator switches the whole street's mode.
 */
import '../../styles.css';
import { api, withQuery } from '../../lib/api.ts';
import { h, mount, toast } from '../../lib/dom.ts';
import {
  formatNumber,
  formatTime,
  kindLabel,
  severityLabel,
  spellDuration,
  stateLabel,
  titleOf,
} from '../../lib/format.ts';
import { localized, t } from '../../lib/i18n.ts';
import { hasRole } from '../../lib/session.ts';
import { startShell } from '../../lib/shell.ts';

/** Wall time on purpose: how often the page asks. */
const REFRESH_MS = 5000;
const SEVERITIES = ['critical', 'major', 'minor', 'info'];

interface CommunityRow {
  siteId: string;
  name: { 'zh-CN': string; en?: string };
  lastSeenAt: string | null;
  mode: string;
  open: Record<string, number>;
  atStreet: number;
  medianAcceptS: number | null;
  falseAlarmRate: number | null;
  devicesOffline: number;
}

interface StreetIncident {
  id: string;
  siteId: string;
  kind: string;
  severity: string;
  state: string;
  title: unknown;
  createdAt: string;
  escalationLevel: string | null;
  atStreetSince: string | null;
}

interface IncidentDetail extends StreetIncident {
  changes: Array<{ seq: number; type: string; at: string; by: string | null; state: string }>;
  street: Array<{ id: number; type: string; at: string; by: string | null }>;
}

const shell = startShell('street');
shell.main.classList.add('street');
const user = shell.session.user;
const communitiesBox = h('div', { class: 'table-wrap' });
const escalatedBox = h('div', { class: 'table-wrap' });
const activeBox = h('div', { class: 'table-wrap' });
const detailBox = h('section', {
  class: 'panel',
  id: 'incident-detail',
  hidden: true,
  'aria-live': 'polite',
});
let names = new Map<string, string>();
let streetMode = 'normal';

function panel(id: string, title: string, content: HTMLElement, ...extra: HTMLElement[]): HTMLElement {
  return h(
    'section',
    { class: 'panel', id, 'aria-labelledby': `${id}-h` },
    h('h2', { id: `${id}-h` }, title),
    ...extra,
    content,
  );
}

function renderCommunities(rows: CommunityRow[]): void {
  names = new Map(rows.map((r) => [r.siteId, localized(r.name)]));
  mount(
    communitiesBox,
    h(
      'table',
      { class: 'table', id: 'communities' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            t('street.community'),
            ...SEVERITIES.map(severityLabel),
            t('street.atStreet'),
            t('street.medianAccept'),
            t('street.falseAlarms'),
            t('street.offline'),
            t('street.mode'),
            t('street.lastSeen'),
          ].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            { 'data-site': r.siteId },
            h('th', { scope: 'row' }, localized(r.name)),
            SEVERITIES.map((s) => h('td', { class: 'num' }, r.open[s] ?? 0)),
            h('td', { class: `num${r.atStreet ? ' sev-critical' : ''}` }, r.atStreet),
            h('td', { class: 'num' }, r.medianAcceptS === null ? '—' : spellDuration(r.medianAcceptS * 1000)),
            h(
              'td',
              { class: 'num' },
              r.falseAlarmRate === null ? '—' : `${formatNumber(r.falseAlarmRate * 100)}%`,
            ),
            h('td', { class: 'num' }, r.devicesOffline),
            h('td', {}, t(r.mode === 'emergency' ? 'mode.emergencyShort' : 'mode.normal')),
            h('td', {}, r.lastSeenAt ? formatTime(r.lastSeenAt, true) : t('street.never')),
          ),
        ),
      ),
    ),
  );
}

function incidentTable(rows: StreetIncident[], withActions: boolean): HTMLElement {
  if (!rows.length) return h('p', { class: 'muted' }, t('street.none'));
  return h(
    'table',
    { class: 'table' },
    h(
      'tbody',
      {},
      rows.map((i) =>
        h(
          'tr',
          { 'data-incident': i.id },
          h('td', {}, names.get(i.siteId) ?? i.siteId),
          h('td', { class: `sev-${i.severity}` }, severityLabel(i.severity)),
          h(
            'td',
            {},
            h(
              'button',
              { type: 'button', class: 'btn btn-quiet', onclick: () => void showDetail(i) },
              `${kindLabel(i.kind)} · ${titleOf(i)}`,
            ),
          ),
          h('td', {}, stateLabel(i.state)),
          h(
            'td',
            {},
            i.atStreetSince
              ? t('street.since', { time: formatTime(i.atStreetSince) })
              : formatTime(i.createdAt),
          ),
          withActions && hasRole(user, 'street_duty', 'street_admin')
            ? h(
                'td',
                {},
                h(
                  'button',
                  { type: 'button', class: 'btn btn-primary accept', onclick: () => void act(i, 'accept') },
                  t('street.accept'),
                ),
                ' ',
                h(
                  'button',
                  { type: 'button', class: 'btn', onclick: () => void act(i, 'hand-back') },
                  t('street.handBack'),
                ),
              )
            : null,
        ),
      ),
    ),
  );
}

async function act(i: StreetIncident, action: 'accept' | 'hand-back'): Promise<void> {
  try {
    await api.post(
      `/api/street/incidents/${encodeURIComponent(i.siteId)}/${encodeURIComponent(i.id)}/${action}`,
      {},
    );
    toast(t('street.sent'));
    await refresh();
  } catch (err) {
    toast(`${t('error.action')}: ${String((err as Error).message)}`, 'error');
  }
}

async function showDetail(i: StreetIncident): Promise<void> {
  const d = await api.get<IncidentDetail>(
    `/api/street/incidents/${encodeURIComponent(i.siteId)}/${encodeURIComponent(i.id)}`,
  );
  detailBox.hidden = false;
  mount(
    detailBox,
    h('h2', {}, `${names.get(d.siteId) ?? d.siteId} · ${kindLabel(d.kind)} · ${titleOf(d)}`),
    h('p', {}, `${severityLabel(d.severity)} · ${stateLabel(d.state)} · ${d.escalationLevel ?? ''}`),
    h('h3', {}, t('street.history')),
    h(
      'ol',
      { class: 'plain' },
      d.changes.map((c) =>
        h('li', {}, `${formatTime(c.at, true)} ${c.type} ${c.by ?? ''} → ${stateLabel(c.state)}`),
      ),
    ),
    h('h3', {}, t('street.streetEvents')),
    h(
      'ol',
      { class: 'plain' },
      d.street.map((e) => h('li', {}, `${formatTime(e.at, true)} ${e.type} ${e.by ?? ''}`)),
    ),
    h(
      'button',
      { type: 'button', class: 'btn btn-quiet', onclick: () => (detailBox.hidden = true) },
      t('street.close'),
    ),
  );
  detailBox.scrollIntoView({ block: 'nearest' });
}

function modeButton(): HTMLElement | null {
  if (!hasRole(user, 'street_admin')) return null;
  const next = streetMode === 'emergency' ? 'normal' : 'emergency';
  return h(
    'button',
    {
      type: 'button',
      id: 'street-mode',
      class: `btn ${next === 'emergency' ? 'btn-danger' : ''}`,
      onclick: async () => {
        if (
          !confirm(
            t('street.confirmMode', { mode: t(next === 'emergency' ? 'mode.emergency' : 'mode.normal') }),
          )
        )
          return;
        await api.put('/api/street/mode', { mode: next }).then(
          () => toast(t('street.sent')),
          (err: Error) => toast(`${t('error.action')}: ${err.message}`, 'error'),
        );
      },
    },
    t(next === 'emergency' ? 'street.toEmergency' : 'street.toNormal'),
  );
}

const modeBox = h('div', { class: 'toolbar' });

async function refresh(): Promise<void> {
  const [street, escalated, active] = await Promise.all([
    api.get<{ communities: CommunityRow[] }>('/api/street'),
    api.get<StreetIncident[]>(withQuery('/api/street/incidents', { scope: 'street' })),
    api.get<StreetIncident[]>(withQuery('/api/street/incidents', { scope: 'active', limit: 100 })),
  ]);
  renderCommunities(street.communities);
  const modes = new Set(street.communities.map((c) => c.mode));
  streetMode = modes.size === 1 && modes.has('emergency') ? 'emergency' : 'normal';
  mount(modeBox, modeButton());
  mount(escalatedBox, incidentTable(escalated, true));
  mount(activeBox, incidentTable(active, false));
}

mount(
  shell.main,
  panel('communities-panel', t('street.communities'), communitiesBox, modeBox),
  panel('escalated-panel', t('street.escalated'), escalatedBox),
  detailBox,
  panel('active-panel', t('street.active'), activeBox),
);

async function loop(): Promise<void> {
  try {
    await refresh();
    shell.setStatus('live');
  } catch {
    shell.setStatus('offline');
  }
  window.setTimeout(() => void loop(), REFRESH_MS);
}
void loop();
