/** Open incidents: what, where, state, who holds it and for how long (the manager's view of 四单制). */
import { api, ApiError } from '../../lib/api.ts';
import { h, mount, toast } from '../../lib/dom.ts';
import { severityLabel, spellDuration, spellLocation, stateLabel, titleOf } from '../../lib/format.ts';
import { t } from '../../lib/i18n.ts';
import {
  byUrgency,
  mayAct,
  OPEN_STATES,
  toIncident,
  UNACCEPTED_STATES,
  type IncidentView,
  type SiteView,
} from '../../lib/model.ts';
import type { SessionUser } from '../../lib/session.ts';
import { staffName } from '../../lib/site.ts';

/** How long the incident has been in the hands of its current holder (or unclaimed). */
function heldFor(inc: IncidentView): number {
  const since = [...inc.history].reverse().find((e) => e.state === inc.state)?.at ?? inc.openedAt;
  return Date.now() - since;
}

export class IncidentsTable {
  readonly element: HTMLElement;
  private readonly body = h('tbody');

  constructor(
    private readonly site: SiteView,
    private readonly me: SessionUser,
    private readonly onChanged: (inc: IncidentView) => void,
    private readonly onOpen: (id: string) => void,
  ) {
    this.element = h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table', id: 'open-incidents' },
        h('caption', { class: 'sr-only' }, t('console.openIncidents')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [
              t('col.severity'),
              t('col.what'),
              t('col.where'),
              t('col.state'),
              t('col.holder'),
              t('col.age'),
              t('col.actions'),
            ].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        this.body,
      ),
    );
  }

  render(incidents: IncidentView[]): void {
    const open = incidents.filter((i) => OPEN_STATES.has(i.state) || i.state === 'resolved').sort(byUrgency);
    if (!open.length) {
      mount(this.body, h('tr', {}, h('td', { colspan: 7, class: 'empty' }, t('console.noOpen'))));
      return;
    }
    mount(
      this.body,
      open
        .slice(0, 100)
        .map((inc) =>
          h(
            'tr',
            { 'data-incident': inc.id, 'data-state': inc.state },
            h('td', {}, h('span', { class: `badge sev-${inc.severity}` }, severityLabel(inc.severity))),
            h('td', {}, this.titleButton(inc)),
            h('td', {}, spellLocation(inc.location, this.site)),
            h('td', { 'data-role': 'state' }, stateLabel(inc.state)),
            h('td', { 'data-role': 'holder' }, this.holderCell(inc)),
            h(
              'td',
              { class: 'num' },
              spellDuration(Date.now() - inc.openedAt),
              h('div', { class: 'muted small' }, t('console.inState', { d: spellDuration(heldFor(inc)) })),
            ),
            h('td', {}, this.actions(inc)),
          ),
        ),
    );
  }

  /** The title opens the incident's full record (a button, so Tab and Enter reach it). */
  private titleButton(inc: IncidentView): HTMLElement {
    const title = titleOf(inc);
    const b = h(
      'button',
      { type: 'button', class: 'link-button', 'aria-label': t('detail.open', { title }) },
      title,
    );
    b.addEventListener('click', () => this.onOpen(inc.id));
    return b;
  }

  /** Who holds it; before anyone accepts, who it waits on (muted). */
  private holderCell(inc: IncidentView): Node | string {
    if (inc.acceptedAt !== null || ['accepted', 'on_site', 'resolved', 'reviewed'].includes(inc.state))
      return inc.holderName ?? staffName(this.site, inc.holder) ?? '–';
    const waiting = inc.assignees.map(
      (id) => inc.paged.find((p) => p.staffId === id)?.name ?? staffName(this.site, id),
    );
    return h(
      'span',
      { class: 'muted' },
      t('console.unclaimed'),
      waiting.length
        ? h(
            'div',
            { class: 'small', title: waiting.join('、') },
            t('incident.dispatchedTo', {
              names:
                waiting.length > 3
                  ? t('console.andOthers', { names: waiting.slice(0, 3).join('、'), n: waiting.length })
                  : waiting.join('、'),
            }),
          )
        : null,
    );
  }

  /** 接单 for those paged (the manager is, for fires and devices); 评单 once it is resolved. */
  private actions(inc: IncidentView): HTMLElement | null {
    if (UNACCEPTED_STATES.has(inc.state) && mayAct(inc, this.me)) {
      const accept = h(
        'button',
        { type: 'button', class: 'btn btn-small btn-primary', 'data-step': 'accept' },
        t('worker.step.accept'),
      );
      accept.addEventListener(
        'click',
        () => void this.post(inc, 'accept', {}, accept, () => toast(t('worker.done.accept'))),
      );
      return h('div', { class: 'row-actions' }, accept, this.detailButton(inc));
    }
    if (inc.state !== 'resolved') return this.detailButton(inc);
    const rating = h(
      'select',
      { 'aria-label': t('console.rating'), class: 'rating' },
      [5, 4, 3, 2, 1].map((n) => h('option', { value: n }, '★'.repeat(n))),
    );
    const review = h('button', { type: 'button', class: 'btn btn-small btn-primary' }, t('console.review'));
    review.addEventListener(
      'click',
      () => void this.post(inc, 'review', { rating: Number(rating.value) }, review),
    );
    return h('div', { class: 'review' }, rating, review);
  }

  private detailButton(inc: IncidentView): HTMLElement {
    const b = h('button', { type: 'button', class: 'btn btn-small btn-quiet' }, t('console.detail'));
    b.addEventListener('click', () => this.onOpen(inc.id));
    return b;
  }

  private async post(
    inc: IncidentView,
    step: string,
    body: unknown,
    button: HTMLButtonElement,
    done?: () => void,
  ): Promise<void> {
    button.disabled = true;
    try {
      const updated = await api.post<Record<string, unknown>>(
        `/api/incidents/${encodeURIComponent(inc.id)}/${step}`,
        body,
      );
      done?.();
      this.onChanged(toIncident(updated));
    } catch (err) {
      toast(err instanceof ApiError ? `${t('error.action')}: ${err.message}` : t('error.network'), 'error');
      button.disabled = false;
    }
  }
}
