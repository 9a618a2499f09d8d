/** Rejected messages with their reasons (GET /api/dead-letters): counts by reason, then the latest. */
import { api, withQuery } from '../../lib/api.ts';
import { h, mount } from '../../lib/dom.ts';
import { formatTime } from '../../lib/format.ts';
import { t, tOr } from '../../lib/i18n.ts';

interface DeadLetters {
  counts: Record<string, number>;
  items: {
    id: number;
    receivedAt: string;
    topic: string;
    deviceId: string | null;
    reason: string;
    detail: string;
    payload: string;
    payloadEncoding: string;
  }[];
}

export function renderDeadLetters(): { element: HTMLElement; load: () => Promise<void> } {
  const chips = h('div', { class: 'chips' });
  const body = h('tbody');
  let reason = '';
  const load = async (): Promise<void> => {
    const data = await api.get<DeadLetters>(
      withQuery('/api/dead-letters', { limit: 50, reason: reason || undefined }),
    );
    const entries = Object.entries(data.counts).sort((a, b) => b[1] - a[1]);
    mount(
      chips,
      [['', entries.reduce((s, [, n]) => s + n, 0)] as const, ...entries].map(([r, n]) => {
        const chip = h(
          'button',
          { type: 'button', class: 'chip', 'aria-pressed': String(r === reason) },
          `${r ? tOr(`reason.${r}`, r) : t('eng.allReasons')} (${n})`,
        );
        chip.addEventListener('click', () => {
          reason = r;
          void load();
        });
        return chip;
      }),
    );
    mount(
      body,
      data.items.length
        ? data.items.map((d) =>
            h(
              'tr',
              {},
              h('td', {}, formatTime(d.receivedAt, true)),
              h('td', { class: 'mono small' }, d.topic),
              h(
                'td',
                {},
                h('span', { class: 'badge badge-reason' }, tOr(`reason.${d.reason}`, d.reason)),
                h('div', { class: 'small' }, d.detail),
              ),
              h(
                'td',
                { class: 'mono small payload' },
                d.payloadEncoding === 'base64'
                  ? `(base64) ${d.payload.slice(0, 60)}`
                  : d.payload.slice(0, 160),
              ),
            ),
          )
        : [h('tr', {}, h('td', { colspan: 4, class: 'empty' }, t('eng.noDeadLetters')))],
    );
  };
  const element = h(
    'div',
    {},
    chips,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table', id: 'dead-letter-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [t('col.received'), t('col.topic'), t('col.reason'), t('col.payload')].map((c) =>
              h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        body,
      ),
    ),
  );
  return { element, load };
}
