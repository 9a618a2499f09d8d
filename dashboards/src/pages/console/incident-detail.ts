/**
 * One incident in full for the manager (a modal dialog: Esc closes, focus stays inside): where,
 * who was paged, the whole 四单制 timeline with notes, timers still pending, and the manager's
 * steps — escalate, reassign (micro-grid leaders), review a resolved one.
 */
import { api, ApiError } from '../../lib/api.ts';
import { renderCallButtons } from '../../lib/call-buttons.ts';
import { evidenceLinks, renderEvidence } from '../../lib/evidence.ts';
import { renderReadingsChart } from '../../lib/readings-chart.ts';
import { h, mount, toast } from '../../lib/dom.ts';
import { formatTime, severityLabel, spellLocation, stateLabel, titleOf } from '../../lib/format.ts';
import { localized, t, tOr } from '../../lib/i18n.ts';
import { OPEN_STATES, toIncident, type IncidentView, type SiteView } from '../../lib/model.ts';
import { hasRole, type SessionUser } from '../../lib/session.ts';
import { staffName } from '../../lib/site.ts';

interface Detail extends Record<string, unknown> {
  pendingTimers?: { kind: string; dueAt: string }[];
  history?: { type: string; at: string; by: string | null; note: string | null; toState: string | null }[];
}

export class IncidentDetail {
  private readonly dialog = h('dialog', { class: 'incident-dialog', 'aria-labelledby': 'detail-title' });

  constructor(
    private readonly site: SiteView,
    private readonly me: SessionUser,
    private readonly onChanged: (inc: IncidentView) => void,
  ) {
    document.body.append(this.dialog);
  }

  async show(id: string): Promise<void> {
    try {
      const raw = await api.get<Detail>(`/api/incidents/${encodeURIComponent(id)}`);
      this.render(toIncident(raw), raw);
      if (!this.dialog.open) this.dialog.showModal();
    } catch (err) {
      toast(err instanceof ApiError ? err.message : t('error.network'), 'error');
    }
  }

  private async step(
    inc: IncidentView,
    step: 'escalate' | 'reassign',
    body: Record<string, unknown>,
  ): Promise<void> {
    try {
      const updated = toIncident(
        await api.post<Record<string, unknown>>(`/api/incidents/${encodeURIComponent(inc.id)}/${step}`, body),
      );
      this.onChanged(updated);
      toast(t(`detail.done.${step}`));
      await this.show(inc.id);
    } catch (err) {
      toast(err instanceof ApiError ? `${t('error.action')}: ${err.message}` : t('error.network'), 'error');
    }
  }

  /** The camera's snapshot and clip, when the alert carries them. */
  private mediaLinks(inc: IncidentView): HTMLElement {
    const box = h('p', { class: 'media-links', 'data-role': 'media' });
    void evidenceLinks(inc).then((links) =>
      box.append(
        ...links.map((href) =>
          h(
            'a',
            { href, target: '_blank', rel: 'noopener', class: 'btn btn-small btn-quiet' },
            /clip|\.mp4|\.m3u8/i.test(href) ? t('detail.clip') : t('detail.snapshot'),
          ),
        ),
      ),
    );
    return box;
  }

  /** Badge, title and the close button. */
  private head(inc: IncidentView): HTMLElement {
    const close = h(
      'button',
      { type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': t('detail.close') },
      '✕',
    );
    close.addEventListener('click', () => this.dialog.close());
    return h(
      'div',
      { class: 'dialog-head' },
      h('span', { class: `badge sev-${inc.severity}` }, severityLabel(inc.severity)),
      h('h2', { id: 'detail-title' }, titleOf(inc)),
      close,
    );
  }

  /** The manager's steps on an open incident: escalate, and reassign for micro-grid leaders. */
  private actions(inc: IncidentView): HTMLElement {
    const note = h('input', { id: 'detail-note', maxlength: 500, autocomplete: 'off' });
    const escalate = h('button', { type: 'button', class: 'btn btn-danger btn-small' }, t('detail.escalate'));
    escalate.addEventListener(
      'click',
      () => void this.step(inc, 'escalate', note.value.trim() ? { note: note.value.trim() } : {}),
    );
    // Anyone covering the incident's grid node (or above) can take it over.
    const covering = this.site.staff.filter((s) => inc.grid.includes(s.grid) && s.id !== inc.holder);
    const to = h(
      'select',
      { id: 'detail-to' },
      covering.map((s) =>
        h('option', { value: s.id }, `${s.name} · ${s.roles.map((r) => tOr(`role.${r}`, r)).join('/')}`),
      ),
    );
    const reassign = h(
      'button',
      { type: 'button', class: 'btn btn-primary btn-small' },
      t('detail.reassign'),
    );
    reassign.addEventListener(
      'click',
      () =>
        void this.step(inc, 'reassign', {
          to: to.value,
          ...(note.value.trim() ? { note: note.value.trim() } : {}),
        }),
    );
    return h(
      'div',
      { class: 'detail-actions' },
      h('label', { for: note.id }, t('detail.note')),
      note,
      h('div', { class: 'actions' }, escalate),
      hasRole(this.me, 'micro_grid_leader') && covering.length
        ? h(
            'div',
            { class: 'row' },
            h('div', { class: 'field' }, h('label', { for: to.id }, t('detail.to')), to),
            reassign,
          )
        : null,
    );
  }

  /** The 四单制 timeline with notes, then the timers still pending. */
  private timeline(raw: Detail): HTMLElement[] {
    const history = raw.history ?? [];
    return [
      h('h3', {}, t('detail.timeline')),
      h(
        'ol',
        { class: 'timeline', id: 'detail-timeline' },
        history.map((e) =>
          h(
            'li',
            { 'data-type': e.type },
            h('time', { datetime: e.at }, formatTime(e.at, true)),
            ` ${tOr(`history.${e.type}`, e.type)}`,
            e.by ? h('span', { class: 'muted' }, ` · ${staffName(this.site, e.by)}`) : null,
            e.note ? h('div', { class: 'small' }, e.note) : null,
          ),
        ),
      ),
      ...(raw.pendingTimers?.length
        ? [
            h(
              'p',
              { class: 'small muted' },
              raw.pendingTimers
                .map((p) =>
                  t('detail.timer', { kind: tOr(`timer.${p.kind}`, p.kind), at: formatTime(p.dueAt, true) }),
                )
                .join(' · '),
            ),
          ]
        : []),
    ];
  }

  private render(inc: IncidentView, raw: Detail): void {
    mount(
      this.dialog,
      this.head(inc),
      h('p', { class: 'location' }, spellLocation(inc.location, this.site)),
      localized(inc.message)
        ? h('p', { class: 'message', 'data-role': 'message' }, localized(inc.message))
        : null,
      renderCallButtons(inc),
      renderReadingsChart(inc),
      renderEvidence(inc, this.site.timezone, 'plain'),
      renderEvidence(inc, this.site.timezone, 'facts'),
      this.mediaLinks(inc),
      h(
        'p',
        { class: 'small' },
        [
          stateLabel(inc.state),
          inc.escalationLevel ? `${t('detail.level')} ${inc.escalationLevel}` : null,
          inc.emergency ? t('mode.emergencyShort') : null,
        ]
          .filter(Boolean)
          .join(' · '),
      ),
      h(
        'p',
        { class: 'small muted' },
        t('detail.paged', { names: inc.paged.map((p) => p.name).join('、') || '–' }),
      ),
      ...this.timeline(raw),
      OPEN_STATES.has(inc.state) ? this.actions(inc) : null,
    );
  }
}
