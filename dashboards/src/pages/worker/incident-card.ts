/**
 * One incident on the worker's phone, in plain words: what, where (spelled out), since when, what
 * to do first, who to call, a small chart of the readings that led to it, and the next step. The
 * detector's own facts (rule message, values, device) sit behind a "details" fold.
 */
import { api, ApiError } from '../../lib/api.ts';
import { h, toast, announce } from '../../lib/dom.ts';
import { renderEvidence } from '../../lib/evidence.ts';
import {
  formatTime,
  severityLabel,
  spellDuration,
  spellLocation,
  stateLabel,
  titleOf,
} from '../../lib/format.ts';
import { localized, t } from '../../lib/i18n.ts';
import { mayAct, toIncident, type IncidentView, type SiteView } from '../../lib/model.ts';
import type { SessionUser } from '../../lib/session.ts';
import { renderReadingsChart } from '../../lib/readings-chart.ts';
import { staffName } from '../../lib/site.ts';
import { renderCallButtons } from '../../lib/call-buttons.ts';
import { renderCallFirst } from './call-first.ts';

type Step = 'accept' | 'arrive' | 'resolve';

/** How it ended (alerting's dispositions); false alarms are counted against the detector. */
const DISPOSITIONS = [
  'real',
  'false_alarm',
  'resident_away',
  'leak',
  'device_fault',
  'duplicate',
  'other',
] as const;

/** Which workflow steps make sense from each state (the API decides what is allowed). */
const NEXT_STEPS: Record<string, Step[]> = {
  open: ['accept'],
  dispatched: ['accept'],
  escalated: ['accept'],
  accepted: ['arrive', 'resolve'],
  on_site: ['resolve'],
};

function whoLine(inc: IncidentView, site: SiteView): string | null {
  if (inc.state === 'open' || inc.state === 'dispatched' || inc.state === 'escalated') {
    const names = inc.assignees.map(
      (id) => inc.paged.find((p) => p.staffId === id)?.name ?? staffName(site, id),
    );
    return names.length ? t('incident.dispatchedTo', { names: names.join('、') }) : null;
  }
  const holder = inc.holderName ?? staffName(site, inc.holder);
  return holder ? t('incident.holder', { name: holder }) : null;
}

/** The first thing to do: my role's first open checklist item, else the first task's. */
function firstStep(inc: IncidentView, me: SessionUser): string | null {
  const mine = inc.tasks.find((task) => me.roles.includes(task.role as never)) ?? inc.tasks[0];
  if (!mine) return null;
  return mine.checklist.find((c) => !c.done)?.text ?? mine.title;
}

/** The detector's facts for those who want them: its message, the values, the device. */
function detailsFold(inc: IncidentView, timeZone: string): HTMLElement {
  return h(
    'details',
    { class: 'details-fold' },
    h('summary', {}, t('card.details')),
    localized(inc.message) ? h('p', { class: 'message small' }, localized(inc.message)) : null,
    renderEvidence(inc, timeZone, 'facts'),
    inc.deviceId ? h('p', { class: 'muted small mono' }, t('card.device', { id: inc.deviceId })) : null,
  );
}

/** What closing needs: how it ended and a note, shown on the first press of "resolve". */
interface ResolveFields {
  noteField: HTMLElement;
  note: HTMLTextAreaElement;
  disposition: HTMLSelectElement;
}

function resolveFields(inc: IncidentView): ResolveFields {
  const note = h('textarea', {
    id: `note-${inc.id}`,
    rows: 2,
    placeholder: t('worker.notePlaceholder'),
    maxlength: 1000,
  });
  const disposition = h(
    'select',
    { id: `disp-${inc.id}` },
    DISPOSITIONS.map((d) => h('option', { value: d }, t(`disposition.${d}`))),
  );
  const noteField = h(
    'div',
    { class: 'field', hidden: true },
    h('label', { for: `disp-${inc.id}` }, t('worker.disposition')),
    disposition,
    h('label', { for: `note-${inc.id}` }, t('worker.note')),
    note,
  );
  return { noteField, note, disposition };
}

async function runStep(
  inc: IncidentView,
  step: Step,
  button: HTMLButtonElement,
  { noteField, note, disposition }: ResolveFields,
  onChanged: (inc: IncidentView) => void,
): Promise<void> {
  if (step === 'resolve' && noteField.hidden) {
    noteField.hidden = false;
    note.focus();
    return;
  }
  if (step === 'resolve' && !note.value.trim()) {
    toast(t('worker.noteRequired'), 'error');
    note.focus();
    return;
  }
  button.disabled = true;
  try {
    const body = step === 'resolve' ? { disposition: disposition.value, note: note.value.trim() } : {};
    const updated = await api.post<Record<string, unknown>>(
      `/api/incidents/${encodeURIComponent(inc.id)}/${step}`,
      body,
    );
    const next = updated && typeof updated === 'object' && 'id' in updated ? toIncident(updated) : { ...inc };
    announce(t(`worker.done.${step}`));
    toast(t(`worker.done.${step}`));
    onChanged(next);
  } catch (err) {
    toast(err instanceof ApiError ? `${t('error.action')}: ${err.message}` : t('error.network'), 'error');
    button.disabled = false;
  }
}

/** The next workflow steps the caller may take, one button each. */
function stepButtons(
  inc: IncidentView,
  me: SessionUser,
  fields: ResolveFields,
  onChanged: (inc: IncidentView) => void,
): HTMLElement {
  const steps = mayAct(inc, me) ? (NEXT_STEPS[inc.state] ?? []) : [];
  return h(
    'div',
    { class: 'actions' },
    steps.map((step) => {
      const b = h(
        'button',
        { type: 'button', class: `btn ${step === 'resolve' ? 'btn-ok' : 'btn-primary'}`, 'data-step': step },
        t(`worker.step.${step}`),
      );
      b.addEventListener('click', () => void runStep(inc, step, b, fields, onChanged));
      return b;
    }),
  );
}

/** A button that unfolds the evidence package's hash and read count, fetched on first open. */
function evidencePackage(inc: IncidentView): [HTMLElement, HTMLElement] {
  const evidenceBtn = h(
    'button',
    { type: 'button', class: 'btn btn-quiet btn-small' },
    t('worker.evidencePackage'),
  );
  const evidenceBox = h('div', { class: 'evidence-package', hidden: true });
  evidenceBtn.addEventListener('click', async () => {
    evidenceBox.hidden = !evidenceBox.hidden;
    if (evidenceBox.hidden || evidenceBox.childElementCount) return;
    try {
      const pkg = await api.get<Record<string, unknown>>(
        `/api/incidents/${encodeURIComponent(inc.id)}/evidence`,
      );
      const hash = (pkg.hash ?? {}) as { algorithm?: string; value?: string };
      const log = Array.isArray(pkg.accessLog) ? pkg.accessLog.length : 0;
      evidenceBox.append(
        h(
          'p',
          { class: 'mono small' },
          `${t('worker.evidenceHash')} (${hash.algorithm ?? 'sha256'}): ${String(hash.value ?? '').slice(0, 16)}…`,
        ),
        h('p', { class: 'muted small' }, t('worker.evidenceReads', { n: log })),
      );
    } catch (err) {
      evidenceBox.append(
        h('p', { class: 'muted' }, err instanceof ApiError ? err.message : t('error.network')),
      );
    }
  });
  return [evidenceBtn, evidenceBox];
}

/** Severity, state, emergency and age badges. */
function cardTop(inc: IncidentView): HTMLElement {
  return h(
    'div',
    { class: 'card-top' },
    h('span', { class: `badge sev-${inc.severity}` }, severityLabel(inc.severity)),
    h('span', { class: 'badge badge-state', 'data-role': 'state' }, stateLabel(inc.state)),
    inc.emergency ? h('span', { class: 'badge sev-critical' }, t('mode.emergencyShort')) : null,
    h(
      'span',
      { class: 'age', 'data-since': inc.openedAt, title: formatTime(inc.openedAt, true) },
      spellDuration(Date.now() - inc.openedAt),
    ),
  );
}

export function renderIncidentCard(
  inc: IncidentView,
  site: SiteView,
  me: SessionUser,
  onChanged: (inc: IncidentView) => void,
): HTMLElement {
  const title = titleOf(inc);
  const who = whoLine(inc, site);
  const first = firstStep(inc, me);
  const fields = resolveFields(inc);
  const actions = stepButtons(inc, me, fields, onChanged);
  const [evidenceBtn, evidenceBox] = evidencePackage(inc);

  return h(
    'article',
    {
      class: `card incident sev-${inc.severity} state-${inc.state}`,
      'data-incident': inc.id,
      'data-state': inc.state,
      'data-updated': inc.updatedAt,
      'aria-labelledby': `inc-title-${inc.id}`,
    },
    cardTop(inc),
    h('h3', { id: `inc-title-${inc.id}` }, title),
    h('p', { class: 'location', 'data-role': 'where' }, spellLocation(inc.location, site)),
    h(
      'p',
      { class: 'small', 'data-role': 'since' },
      t('card.since', { time: formatTime(inc.openedAt, true) }),
    ),
    first
      ? h(
          'p',
          { class: 'first-step', 'data-role': 'first-step' },
          h('strong', {}, t('card.firstStep')),
          first,
        )
      : null,
    renderCallButtons(inc),
    mayAct(inc, me) ? renderCallFirst(inc, onChanged) : null,
    renderEvidence(inc, site.timezone, 'plain'),
    renderReadingsChart(inc),
    detailsFold(inc, site.timezone),
    who ? h('p', { class: 'muted small', 'data-role': 'who' }, who) : null,
    inc.resolutionNote ? h('p', { class: 'small' }, `${t('worker.note')}: ${inc.resolutionNote}`) : null,
    fields.noteField,
    actions,
    h('div', { class: 'card-foot' }, evidenceBtn),
    evidenceBox,
  );
}
