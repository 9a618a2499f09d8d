/** 居民点单: a resident tells the worker about a problem; it becomes an incident (POST /api/reports). */
import { api, ApiError } from '../../lib/api.ts';
import { h, toast } from '../../lib/dom.ts';
import { REPORT_CATEGORIES } from '../../lib/format.ts';
import { localized, t } from '../../lib/i18n.ts';
import type { SiteView } from '../../lib/model.ts';

/** crypto.randomUUID needs https; the estate LAN may serve plain http, getRandomValues works on both. */
const newRef = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');

export function renderReportForm(site: SiteView): HTMLElement {
  const kind = h(
    'select',
    { id: 'report-kind', required: true },
    REPORT_CATEGORIES.map((k) => h('option', { value: k }, t(`report.kind.${k}`))),
  );
  const building = h(
    'select',
    { id: 'report-building', required: true },
    h('option', { value: '' }, t('report.chooseWhere')),
    site.buildings.map((b) => h('option', { value: b.id }, localized(b.name))),
    site.places.map((p) => h('option', { value: `place:${p.id}` }, localized(p.name))),
  );
  const unit = h('input', { id: 'report-unit', inputmode: 'numeric', maxlength: 8, autocomplete: 'off' });
  const floor = h('input', { id: 'report-floor', type: 'number', min: -3, max: 99, inputmode: 'numeric' });
  const text = h('textarea', { id: 'report-text', rows: 3, required: true, maxlength: 2000 });
  const reporter = h('input', { id: 'report-reporter', maxlength: 64, autocomplete: 'off' });
  const phone = h('input', { id: 'report-phone', type: 'tel', maxlength: 20, autocomplete: 'off' });
  const urgent = h('input', { id: 'report-urgent', type: 'checkbox' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('report.submit'));
  const form = h(
    'form',
    { class: 'card form', 'aria-labelledby': 'report-heading' },
    h('h2', { id: 'report-heading' }, t('report.title')),
    h('label', { for: 'report-kind' }, t('report.kind')),
    kind,
    h('label', { for: 'report-building' }, t('report.where')),
    building,
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'report-unit' }, t('report.unit')), unit),
      h('div', { class: 'field' }, h('label', { for: 'report-floor' }, t('report.floor')), floor),
    ),
    h('label', { for: 'report-text' }, t('report.text')),
    text,
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'report-reporter' }, t('report.reporter')), reporter),
      h('div', { class: 'field' }, h('label', { for: 'report-phone' }, t('report.phone')), phone),
    ),
    h('label', { class: 'check' }, urgent, t('report.urgent')),
    submit,
  );
  // One id per report: resending after a dropped connection does not open a second incident.
  let clientRef = newRef();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    try {
      await api.post(
        '/api/reports',
        reportOf({ kind, building, unit, floor, text, reporter, phone, urgent }, clientRef),
      );
      toast(t('report.sent'));
      form.reset();
      clientRef = newRef();
    } catch (err) {
      toast(err instanceof ApiError ? `${t('error.action')}: ${err.message}` : t('error.network'), 'error');
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

interface ReportFields {
  kind: HTMLSelectElement;
  building: HTMLSelectElement;
  unit: HTMLInputElement;
  floor: HTMLInputElement;
  text: HTMLTextAreaElement;
  reporter: HTMLInputElement;
  phone: HTMLInputElement;
  urgent: HTMLInputElement;
}

/** The POST /api/reports body the form's fields say. */
function reportOf(f: ReportFields, clientRef: string): Record<string, unknown> {
  const where = f.building.value;
  const location: Record<string, unknown> = {};
  if (where.startsWith('place:')) location.place = where.slice(6);
  else if (where) location.building = where;
  if (f.unit.value.trim()) location.unit = f.unit.value.trim();
  if (f.floor.value) location.floor = Number(f.floor.value);
  return {
    category: f.kind.value,
    description: f.text.value.trim(),
    location,
    severity: f.urgent.checked ? 'major' : 'minor',
    clientRef,
    ...(f.reporter.value.trim()
      ? {
          reporter: {
            name: f.reporter.value.trim(),
            ...(f.phone.value.trim() ? { phone: f.phone.value.trim() } : {}),
          },
        }
      : {}),
  };
}
