/**
 * Closed incidents of one month, for the monthly report: what, where, how it ended, who handled
 * it, how long to accept and to resolve — and the same rows as a CSV file (UTF-8 with a BOM, so
 * Excel opens the Chinese text right).
 */
import { api, withQuery } from '../../lib/api.ts';
import { h, mount } from '../../lib/dom.ts';
import { formatTime, spellDuration, spellLocation, stateLabel, titleOf } from '../../lib/format.ts';
import { locale, t, tOr } from '../../lib/i18n.ts';
import { toIncident, type IncidentView, type SiteView } from '../../lib/model.ts';
import { staffName } from '../../lib/site.ts';

interface ClosedRow {
  inc: IncidentView;
  disposition: string | null;
  rating: number | null;
}

const monthOf = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
};

/** RFC 4180: quote every field, double the quotes inside. */
const csvField = (v: string): string => `"${v.replace(/"/g, '""')}"`;

export class ClosedIncidents {
  readonly element: HTMLElement;
  private readonly body = h('tbody');
  private readonly month = h('input', { type: 'month', id: 'closed-month', 'aria-label': t('closed.month') });
  private readonly exportLink = h(
    'a',
    { class: 'btn btn-small', id: 'closed-export', download: 'incidents.csv', href: '#' },
    t('closed.export'),
  );
  private rows: ClosedRow[] = [];

  constructor(private readonly site: SiteView) {
    this.month.value = monthOf(Date.now());
    this.month.addEventListener('change', () => this.render());
    this.element = h(
      'div',
      { class: 'closed-incidents' },
      h(
        'div',
        { class: 'closed-tools' },
        h('label', { for: 'closed-month' }, t('closed.month')),
        this.month,
        this.exportLink,
      ),
      h(
        'div',
        { class: 'table-wrap table-grow' },
        h(
          'table',
          { class: 'table', id: 'closed-incidents' },
          h('caption', { class: 'sr-only' }, t('closed.title')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              this.columns().map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          this.body,
        ),
      ),
    );
  }

  async load(): Promise<void> {
    const raw = await api
      .get<Record<string, unknown>[]>(
        withQuery('/api/incidents', { status: 'closed', limit: 1000, lang: locale() }),
      )
      .catch((err: unknown) => {
        mount(
          this.body,
          h('tr', {}, h('td', { colspan: 8, role: 'alert' }, `${t('error.load')}: ${String(err)}`)),
        );
        return null;
      });
    if (!raw) return;
    this.rows = raw.map((r) => ({
      inc: toIncident(r),
      disposition: typeof r.disposition === 'string' ? r.disposition : null,
      rating: typeof r.rating === 'number' ? r.rating : null,
    }));
    // Once a month has incidents, show the newest such month.
    if (!this.shown().length && this.rows.length)
      this.month.value = monthOf(Math.max(...this.rows.map((r) => r.inc.openedAt)));
    this.render();
  }

  private columns(): string[] {
    return [
      t('closed.opened'),
      t('col.what'),
      t('col.where'),
      t('col.state'),
      t('closed.disposition'),
      t('col.holder'),
      t('closed.toAccept'),
      t('closed.toResolve'),
    ];
  }

  private shown(): ClosedRow[] {
    return this.rows
      .filter((r) => monthOf(r.inc.openedAt) === this.month.value)
      .sort((a, b) => b.inc.openedAt - a.inc.openedAt);
  }

  private cells(r: ClosedRow): string[] {
    const i = r.inc;
    const dur = (to: number | null): string => (to === null ? '–' : spellDuration(to - i.openedAt));
    return [
      formatTime(i.openedAt, true),
      titleOf(i),
      spellLocation(i.location, this.site),
      stateLabel(i.state),
      r.disposition ? tOr(`disposition.${r.disposition}`, r.disposition) : '–',
      i.holderName ?? staffName(this.site, i.holder) ?? '–',
      dur(i.acceptedAt),
      dur(i.resolvedAt),
    ];
  }

  private render(): void {
    const shown = this.shown();
    mount(
      this.body,
      shown.length
        ? shown.map((r) =>
            h(
              'tr',
              { 'data-incident': r.inc.id },
              this.cells(r).map((c) => h('td', {}, c)),
            ),
          )
        : h('tr', {}, h('td', { colspan: 8, class: 'empty' }, t('closed.none'))),
    );
    const lines = [this.columns(), ...shown.map((r) => this.cells(r))].map((l) => l.map(csvField).join(','));
    const csv = `\uFEFF${lines.join('\r\n')}\r\n`;
    this.exportLink.setAttribute('href', `data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`);
    this.exportLink.setAttribute('download', `weige-incidents-${this.month.value}.csv`);
  }
}
