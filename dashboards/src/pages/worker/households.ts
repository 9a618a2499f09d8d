/**
 * 一天两见面: the households in my grid that need looking after (elderly, living alone, consent on
 * file), with a button to record a visit and a form to record an absence (hospital, family) so
 * the inactivity detector does not raise an alert while they are away. Names and phones come as
 * the gateway lets this reader see them (full for the care worker, 张** / 138****5678 otherwise).
 */
import { api, ApiError } from '../../lib/api.ts';
import { h, toast } from '../../lib/dom.ts';
import { t } from '../../lib/i18n.ts';
import { spellLocation } from '../../lib/format.ts';
import type { MonitoredHousehold, SiteView } from '../../lib/model.ts';

type Household = MonitoredHousehold;

const dateInput = (d: Date): string => d.toISOString().slice(0, 10);

function absenceForm(hh: Household): HTMLFormElement {
  const id = hh.id;
  const from = h('input', {
    id: `abs-from-${id}`,
    type: 'date',
    required: true,
    value: dateInput(new Date()),
  });
  const to = h('input', {
    id: `abs-to-${id}`,
    type: 'date',
    required: true,
    value: dateInput(new Date(Date.now() + 7 * 86400_000)),
  });
  const reason = h(
    'select',
    { id: `abs-reason-${id}` },
    ['hospital', 'family', 'travel', 'other'].map((r) =>
      h('option', { value: r }, t(`absence.reason.${r as 'hospital'}`)),
    ),
  );
  const form = h(
    'form',
    { class: 'absence-form', hidden: true },
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: from.id }, t('absence.from')), from),
      h('div', { class: 'field' }, h('label', { for: to.id }, t('absence.to')), to),
    ),
    h('label', { for: reason.id }, t('absence.reason')),
    reason,
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('absence.save')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (to.value < from.value) {
      toast(t('absence.badRange'), 'error');
      return;
    }
    try {
      await api.post(`/api/households/${encodeURIComponent(id)}/absences`, {
        // Whole local days: from the start of the first to the end of the last.
        from: new Date(`${from.value}T00:00:00`).toISOString(),
        to: new Date(`${to.value}T23:59:59`).toISOString(),
        reason: reason.value,
      });
      toast(t('absence.saved'));
      form.hidden = true;
    } catch (err) {
      toast(err instanceof ApiError ? `${t('error.action')}: ${err.message}` : t('error.network'), 'error');
    }
  });
  return form;
}

function householdRow(hh: Household, site: SiteView): HTMLElement {
  const visit = h('button', { type: 'button', class: 'btn btn-ok btn-small' }, t('household.visit'));
  visit.addEventListener('click', async () => {
    visit.disabled = true;
    try {
      await api.post(`/api/households/${encodeURIComponent(hh.id)}/visits`, {});
      toast(t('household.visited'));
      visit.textContent = t('household.visitedShort');
    } catch (err) {
      toast(err instanceof ApiError ? `${t('error.action')}: ${err.message}` : t('error.network'), 'error');
      visit.disabled = false;
    }
  });
  const form = absenceForm(hh);
  const away = h(
    'button',
    { type: 'button', class: 'btn btn-quiet btn-small', 'aria-expanded': 'false' },
    t('household.absence'),
  );
  away.addEventListener('click', () => {
    form.hidden = !form.hidden;
    away.setAttribute('aria-expanded', String(!form.hidden));
  });
  const where = spellLocation(
    {
      building: hh.building,
      unit: hh.unit,
      floor: hh.floor,
      household: hh.id,
      facade: null,
      floorRange: null,
      place: null,
    },
    site,
  );
  return h(
    'li',
    { class: 'household' },
    h(
      'div',
      { class: 'household-head' },
      h('strong', {}, where),
      hh.livesAlone ? h('span', { class: 'badge badge-care' }, t('household.alone')) : null,
    ),
    residentLine(hh),
    h('div', { class: 'actions' }, visit, away),
    form,
  );
}

function residentLine(hh: Household): HTMLElement | null {
  const r = hh.resident;
  if (!r.name && !r.phone) return null;
  const phone = r.phone
    ? hh.masked.includes('phone')
      ? h('span', { class: 'resident-phone' }, r.phone)
      : h('a', { class: 'resident-phone', href: `tel:${r.phone}` }, r.phone)
    : null;
  return h(
    'div',
    { class: 'resident small', 'data-masked': String(hh.masked.includes('name')) },
    h('span', { class: 'resident-name' }, r.name ?? ''),
    phone ? ' · ' : null,
    phone,
    r.healthNote ? h('span', { class: 'muted' }, ` · ${r.healthNote}`) : null,
  );
}

/** `households`: GET /api/households (monitored households in my grid, as I may see them). */
export function renderHouseholds(site: SiteView, households: Household[]): HTMLElement {
  const cared = households
    .filter((hh) => hh.elderly && hh.livesAlone)
    .sort((a, b) => a.building.localeCompare(b.building, 'en', { numeric: true }) || a.floor - b.floor);
  const search = h('input', {
    id: 'household-search',
    type: 'search',
    placeholder: t('household.searchHint'),
  });
  const list = h('ul', { class: 'household-list' });
  const render = (): void => {
    const q = search.value.trim().toUpperCase();
    const shown = cared.filter((hh) => !q || hh.id.includes(q) || (hh.room ?? '').includes(q));
    list.replaceChildren(...shown.slice(0, 50).map((hh) => householdRow(hh, site)));
    if (!shown.length) list.append(h('li', { class: 'empty' }, t('household.none')));
  };
  search.addEventListener('input', render);
  render();
  return h(
    'div',
    { class: 'card' },
    h('h2', {}, t('household.title')),
    h('p', { class: 'muted small' }, t('household.hint', { n: cared.length })),
    h('label', { for: 'household-search' }, t('household.search')),
    search,
    list,
  );
}
