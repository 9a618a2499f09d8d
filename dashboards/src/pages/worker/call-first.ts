/**
 * Elderly inactivity, call first: call the resident, then the emergency contact, and visit only
 * if nobody answers. The worker records each outcome; "answered, fine" closes the incident (and
 * counts as the detector's false alarm), a visit is recorded with what was found.
 */
import { api, ApiError } from '../../lib/api.ts';
import { h, toast } from '../../lib/dom.ts';
import { t } from '../../lib/i18n.ts';
import { OPEN_STATES, toIncident, type IncidentView } from '../../lib/model.ts';

type Who = 'resident' | 'emergency_contact' | 'visit';
type Outcome = 'answered_fine' | 'no_answer' | 'visited';

export function renderCallFirst(
  inc: IncidentView,
  onChanged: (inc: IncidentView) => void,
): HTMLElement | null {
  if (inc.kind !== 'elderly_inactivity' || !OPEN_STATES.has(inc.state)) return null;
  const record = async (
    who: Who,
    outcome: Outcome,
    button: HTMLButtonElement,
    note?: string,
  ): Promise<void> => {
    button.disabled = true;
    try {
      const updated = await api.post<Record<string, unknown>>(
        `/api/incidents/${encodeURIComponent(inc.id)}/calls`,
        {
          who,
          outcome,
          ...(note ? { note } : {}),
        },
      );
      toast(t(`callFirst.done.${outcome}`));
      onChanged(toIncident(updated));
    } catch (err) {
      toast(err instanceof ApiError ? `${t('error.action')}: ${err.message}` : t('error.network'), 'error');
      button.disabled = false;
    }
  };
  const button = (who: Who, outcome: Outcome, label: string, cls: string): HTMLButtonElement => {
    const b = h(
      'button',
      { type: 'button', class: `btn btn-small ${cls}`, 'data-call-outcome': `${who}:${outcome}` },
      label,
    );
    b.addEventListener('click', () => void record(who, outcome, b));
    return b;
  };
  const row = (who: 'resident' | 'emergency_contact'): HTMLElement =>
    h(
      'div',
      { class: 'call-row' },
      h('span', { class: 'call-who' }, t(`callFirst.${who}`)),
      button(who, 'answered_fine', t('callFirst.answeredFine'), 'btn-ok'),
      button(who, 'no_answer', t('callFirst.noAnswer'), 'btn-quiet'),
    );
  const found = h('input', {
    id: `visit-${inc.id}`,
    maxlength: 500,
    placeholder: t('callFirst.visitPlaceholder'),
    autocomplete: 'off',
  });
  const visit = h(
    'button',
    { type: 'button', class: 'btn btn-small btn-primary', 'data-call-outcome': 'visit:visited' },
    t('callFirst.visited'),
  );
  visit.addEventListener('click', () => {
    const note = found.value.trim();
    if (!note) {
      toast(t('callFirst.visitNoteRequired'), 'error');
      found.focus();
      return;
    }
    void record('visit', 'visited', visit, `${t('callFirst.visitedPrefix')}${note}`);
  });
  return h(
    'section',
    { class: 'call-first', 'aria-label': t('callFirst.title') },
    h('p', { class: 'small muted' }, t('callFirst.hint')),
    row('resident'),
    row('emergency_contact'),
    h(
      'div',
      { class: 'call-row' },
      h('label', { for: `visit-${inc.id}`, class: 'call-who' }, t('callFirst.visit')),
      found,
      visit,
    ),
  );
}
