/**
 * Maintenance windows (silences): while a shed's sensors are being serviced, their alerts are held
 * back. Lists the active ones, adds one (device, place or kind + from/to + reason), ends one early.
 */
import { api, ApiError, optional } from '../../lib/api.ts';
import { h, mount, toast } from '../../lib/dom.ts';
import { formatTime, kindLabel } from '../../lib/format.ts';
import { localized, t } from '../../lib/i18n.ts';
import type { SiteView } from '../../lib/model.ts';
import { ALERT_KINDS } from '../../../../gateway/src/contracts/alerts.ts';

interface Silence {
  id: string;
  matchers: Record<string, unknown> | Record<string, unknown>[];
  from: string;
  to: string;
  reason: string;
  createdBy?: string;
}

const localInput = (ms: number): string => {
  const d = new Date(ms - new Date().getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

function describeMatchers(m: Silence['matchers'], site: SiteView): string {
  const list = Array.isArray(m) ? m : [m];
  return list
    .flatMap((x) =>
      Object.entries(x).map(([k, v]) => {
        if (k === 'kind') return kindLabel(String(v));
        if (k === 'place') return localized(site.places.find((p) => p.id === v)?.name) || String(v);
        return String(v);
      }),
    )
    .join(' · ');
}

export class Silences {
  readonly element: HTMLElement;
  private readonly list = h('ul', { class: 'plain silences', id: 'silence-list' });
  private readonly kindSelect: HTMLSelectElement;
  private ruleKinds: Promise<void> | null = null;

  constructor(private readonly site: SiteView) {
    const place = h(
      'select',
      { id: 'silence-place' },
      h('option', { value: '' }, t('silence.any')),
      site.places.map((p) => h('option', { value: p.id }, localized(p.name))),
    );
    const kind = h(
      'select',
      { id: 'silence-kind' },
      h('option', { value: '' }, t('silence.any')),
      ALERT_KINDS.map((k) => h('option', { value: k }, kindLabel(k))),
    );
    this.kindSelect = kind;
    const device = h('input', {
      id: 'silence-device',
      maxlength: 64,
      placeholder: 'smoke-shed-1',
      autocomplete: 'off',
    });
    const from = h('input', {
      id: 'silence-from',
      type: 'datetime-local',
      required: true,
      value: localInput(Date.now()),
    });
    const to = h('input', {
      id: 'silence-to',
      type: 'datetime-local',
      required: true,
      value: localInput(Date.now() + 2 * 3600_000),
    });
    const reason = h('input', { id: 'silence-reason', required: true, maxlength: 200 });
    const form = h(
      'form',
      { class: 'silence-form' },
      h('div', { class: 'field' }, h('label', { for: place.id }, t('silence.place')), place),
      h('div', { class: 'field' }, h('label', { for: kind.id }, t('silence.kind')), kind),
      h('div', { class: 'field' }, h('label', { for: device.id }, t('silence.device')), device),
      h('div', { class: 'field' }, h('label', { for: from.id }, t('silence.from')), from),
      h('div', { class: 'field' }, h('label', { for: to.id }, t('silence.to')), to),
      h('div', { class: 'field field-wide' }, h('label', { for: reason.id }, t('silence.reason')), reason),
      h('button', { type: 'submit', class: 'btn btn-primary' }, t('silence.add')),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const matchers: Record<string, string> = {};
      if (place.value) matchers.place = place.value;
      if (kind.value) matchers.kind = kind.value;
      if (device.value.trim()) matchers.device = device.value.trim();
      if (!Object.keys(matchers).length) {
        toast(t('silence.needMatcher'), 'error');
        return;
      }
      try {
        await api.post('/api/silences', {
          matchers,
          from: new Date(from.value).toISOString(),
          to: new Date(to.value).toISOString(),
          reason: reason.value.trim(),
        });
        toast(t('silence.added'));
        reason.value = '';
        await this.load();
      } catch (err) {
        toast(err instanceof ApiError ? `${t('error.action')}: ${err.message}` : t('error.network'), 'error');
      }
    });
    this.element = h('div', {}, this.list, h('details', {}, h('summary', {}, t('silence.new')), form));
  }

  /** Kinds the site's own rules raise (`gas_leak`…) join the contract's in the kind list, once. */
  private async addRuleKinds(): Promise<void> {
    const loaded = await optional(api.get<{ rules: Array<{ kind: string }> }>('/api/rules'), { rules: [] });
    const listed = new Set([...this.kindSelect.options].map((o) => o.value));
    for (const k of new Set(loaded.rules.map((r) => r.kind)))
      if (!listed.has(k)) this.kindSelect.append(h('option', { value: k }, kindLabel(k)));
  }

  async load(): Promise<void> {
    // Without the rule list the form still offers every contract kind.
    this.ruleKinds ??= this.addRuleKinds().catch(() => undefined);
    const raw = await optional(api.get<Silence[] | { items: Silence[] }>('/api/silences'), []);
    const items = (Array.isArray(raw) ? raw : raw.items).filter((s) => Date.parse(s.to) > Date.now());
    if (!items.length) {
      mount(this.list, h('li', { class: 'muted' }, t('silence.none')));
      return;
    }
    mount(
      this.list,
      items.map((s) => {
        const end = h(
          'button',
          {
            type: 'button',
            class: 'btn btn-small btn-quiet',
            'aria-label': `${t('silence.end')} ${s.reason}`,
          },
          t('silence.end'),
        );
        end.addEventListener('click', async () => {
          try {
            await api.del(`/api/silences/${encodeURIComponent(s.id)}`);
            await this.load();
          } catch (err) {
            toast(
              err instanceof ApiError ? `${t('error.action')}: ${err.message}` : t('error.network'),
              'error',
            );
          }
        });
        return h(
          'li',
          { class: 'silence' },
          h('strong', {}, describeMatchers(s.matchers, this.site)),
          h(
            'span',
            { class: 'muted small' },
            ` ${formatTime(s.from, true)} – ${formatTime(s.to, true)} · ${s.reason}`,
          ),
          end,
        );
      }),
    );
  }
}
