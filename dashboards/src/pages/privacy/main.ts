/**
 * The data-protection officer's page (issue 18): the personal-data access log with the state of
 * its hash chain, filtered by household or subject, its export as JSON Lines, and residents'
 * requests with their outcome and time to complete.
 */
import '../../styles.css';
import { api, withQuery } from '../../lib/api.ts';
import { h, mount, toast } from '../../lib/dom.ts';
import { formatTime, spellDuration } from '../../lib/format.ts';
import { t } from '../../lib/i18n.ts';
import { loadSession } from '../../lib/session.ts';
import { startShell } from '../../lib/shell.ts';

const shell = startShell('privacy');
shell.main.classList.add('privacy');

interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  fields: string[];
  ip: string | null;
  purpose: string | null;
  detail?: Record<string, unknown>;
}

interface AuditPage {
  chain: { ok: boolean; entries: number; brokenAt: number | null };
  entries: AuditEntry[];
}

function panel(id: string, title: string, ...content: Array<HTMLElement | null>): HTMLElement {
  return h(
    'section',
    { class: 'panel', id, 'aria-labelledby': `${id}-h` },
    h('h2', { id: `${id}-h` }, title),
    ...content,
  );
}

const cell = (text: string, cls = ''): HTMLElement => h('td', cls ? { class: cls } : {}, text);

/** The export is JSON Lines, not JSON: fetched with the token and saved as a file. */
async function downloadLog(): Promise<void> {
  const session = loadSession();
  const res = await fetch('/api/privacy/audit/export', {
    headers: session ? { authorization: `Bearer ${session.token}` } : {},
  });
  if (!res.ok) {
    toast(t('error.network'), 'error');
    return;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: 'weige-access-log.jsonl' });
  a.click();
  URL.revokeObjectURL(url);
}

function logTable(entries: AuditEntry[]): HTMLElement {
  return h(
    'table',
    { class: 'table', id: 'audit-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [
          'privacy.at',
          'privacy.actor',
          'privacy.action',
          'privacy.subject',
          'privacy.fields',
          'privacy.purpose',
          'privacy.ip',
        ].map((k) => h('th', { scope: 'col' }, t(k as 'privacy.at'))),
      ),
    ),
    h(
      'tbody',
      {},
      [...entries]
        .reverse()
        .slice(0, 500)
        .map((e) =>
          h(
            'tr',
            { 'data-seq': String(e.seq) },
            cell(formatTime(e.at, true), 'small'),
            cell(e.actor),
            cell(e.action),
            cell(e.subject, 'mono small'),
            cell(e.fields.join(', '), 'small'),
            cell(e.purpose ?? '—', 'mono small'),
            cell(e.ip ?? '—', 'mono small'),
          ),
        ),
    ),
  );
}

function requestsTable(requests: AuditEntry[]): HTMLElement {
  if (!requests.length) return h('p', { class: 'empty' }, t('privacy.noRequests'));
  return h(
    'table',
    { class: 'table', id: 'requests-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['privacy.at', 'privacy.action', 'privacy.subject', 'privacy.outcome', 'privacy.took'].map((k) =>
          h('th', { scope: 'col' }, t(k as 'privacy.at')),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      requests.map((r) =>
        h(
          'tr',
          {},
          cell(formatTime(r.at, true), 'small'),
          cell(r.action),
          cell(r.subject, 'mono small'),
          cell(String(r.detail?.outcome ?? '—')),
          cell(spellDuration(Number(r.detail?.timeToCompleteMs ?? 0))),
        ),
      ),
    ),
  );
}

async function start(): Promise<void> {
  const filter = h('input', { id: 'audit-filter', type: 'search', placeholder: t('privacy.filterHint') });
  const status = h('p', { id: 'chain-status', role: 'status' });
  const tableBox = h('div', { class: 'table-scroll' });
  const exportButton = h('button', { type: 'button', class: 'btn btn-quiet' }, t('privacy.export'));
  exportButton.addEventListener('click', () => void downloadLog());
  const load = async (): Promise<void> => {
    const subject = filter.value.trim();
    const page = await api.get<AuditPage>(withQuery('/api/privacy/audit', { subject: subject || undefined }));
    status.textContent = page.chain.ok
      ? t('privacy.chainOk', { n: page.chain.entries })
      : t('privacy.chainBroken', { seq: page.chain.brokenAt ?? '?' });
    status.className = page.chain.ok ? 'notice' : 'notice notice-error';
    tableBox.replaceChildren(logTable(page.entries));
  };
  filter.addEventListener('change', () => void load());
  const requests = await api.get<AuditEntry[]>('/api/privacy/requests');
  mount(
    shell.main,
    panel(
      'audit-panel',
      t('privacy.log'),
      status,
      h('div', { class: 'row' }, h('label', { for: filter.id }, t('privacy.filter')), filter, exportButton),
      tableBox,
    ),
    panel('requests-panel', t('privacy.requests'), requestsTable(requests)),
  );
  await load();
}

void start();
