/** Model versions and their evaluation metrics (what is running in the detectors right now). */
import { api, optional } from '../../lib/api.ts';
import { h, mount } from '../../lib/dom.ts';
import { formatNumber, formatTime } from '../../lib/format.ts';
import { t, tOr } from '../../lib/i18n.ts';

interface ModelInfo {
  name: string;
  version: number;
  id: string;
  loadedAt: string;
  classes?: string[];
  thresholds?: Record<string, number>;
  training?: Record<string, unknown>;
  /** Evaluation on held-out data (precision, recall…), when the model was evaluated. */
  heldOut?: Record<string, unknown> | null;
}

/** Numbers at the top level and one level down (`heldOut.metrics.recall`), for display. */
function flatNumbers(
  o: Record<string, unknown> | null | undefined,
  prefix = '',
): [string, number | string][] {
  if (!o) return [];
  return Object.entries(o).flatMap(([k, v]): [string, number | string][] => {
    if (typeof v === 'number' || typeof v === 'string') return [[prefix + k, v]];
    if (v && typeof v === 'object' && !Array.isArray(v) && !prefix)
      return flatNumbers(v as Record<string, unknown>, `${k}.`);
    return [];
  });
}

function metricList(entries: [string, number | string][]): HTMLElement {
  return h(
    'dl',
    { class: 'metrics' },
    entries
      .slice(0, 16)
      .flatMap(([k, v]) => [
        h('dt', {}, tOr(`metric.${k.split('.').at(-1)}`, k)),
        h('dd', {}, typeof v === 'number' ? formatNumber(v, 3) : v),
      ]),
  );
}

/**
 * Numeric metrics, and one level into objects of numbers (`daytimeDelayH.median`,
 * `recallByClass.tissue`); deeper structures are for the eval report, not this table.
 */
function numericRows(metrics: Record<string, unknown>): [string, number][] {
  return Object.entries(metrics).flatMap(([k, v]): [string, number][] => {
    if (typeof v === 'number') return [[k, v]];
    if (v && typeof v === 'object' && !Array.isArray(v))
      return Object.entries(v as Record<string, unknown>)
        .filter((e): e is [string, number] => typeof e[1] === 'number')
        .map(([sub, n]) => [`${k}.${sub}`, n]);
    return [];
  });
}

/** `daytimeDelayH.p90` → its own label if there is one, else the parent's label and the key. */
function metricLabel(key: string): string {
  const [parent, sub] = key.split('.') as [string, string | undefined];
  if (sub === undefined) return tOr(`metric.${parent}`, parent);
  return tOr(`metric.${key}`, `${tOr(`metric.${parent}`, parent)} · ${tOr(`metric.stat.${sub}`, sub)}`);
}

/**
 * Held-out evaluation: `{seed, metrics: {model: {...}, baseline: {...}, samples}}` becomes a
 * table of each numeric metric for the model next to the baseline it has to beat.
 */
function heldOutView(heldOut: Record<string, unknown>): HTMLElement {
  const metrics = (heldOut.metrics ?? {}) as Record<string, unknown>;
  const model = metrics.model as Record<string, unknown> | undefined;
  if (!model || typeof model !== 'object') return metricList(flatNumbers(heldOut));
  const baseline = (metrics.baseline ?? {}) as Record<string, unknown>;
  const rows = numericRows(model);
  const baselineRows = new Map(numericRows(baseline));
  const cell = (v: unknown): string =>
    typeof v === 'number' && Number.isFinite(v) ? formatNumber(v, 3) : '–';
  return h(
    'table',
    { class: 'table metrics-table' },
    h(
      'caption',
      { class: 'small muted' },
      typeof metrics.samples === 'number'
        ? t('models.samples', { n: String(metrics.samples), seed: String(heldOut.seed ?? '') })
        : t('models.seedOnly', { seed: String(heldOut.seed ?? '') }),
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [t('models.metric'), t('models.model'), t('models.baseline')].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map(([k, v]) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, metricLabel(k)),
          h('td', { class: 'num' }, cell(v)),
          h('td', { class: 'num' }, cell(baselineRows.get(k))),
        ),
      ),
    ),
  );
}

export function renderModels(): { element: HTMLElement; load: () => Promise<void> } {
  const box = h('div', { class: 'models', id: 'model-list' });
  const load = async (): Promise<void> => {
    const data = await optional(
      api.get<{ backend: string | null; fallbackReasons: string[]; models: ModelInfo[] }>('/api/models'),
      null,
    );
    if (data === null) {
      mount(box, h('p', { class: 'muted' }, t('eng.notAvailable')));
      return;
    }
    if (!data.models.length) {
      mount(
        box,
        h('p', { class: 'muted' }, t('models.none')),
        ...data.fallbackReasons.map((r) => h('p', { class: 'small muted' }, r)),
      );
      return;
    }
    mount(
      box,
      data.models.map((m) =>
        h(
          'article',
          { class: 'card model', 'data-model': m.name },
          h('h3', { class: 'mono' }, m.id),
          h(
            'p',
            { class: 'muted small' },
            t('models.loadedAt', { at: formatTime(m.loadedAt, true), backend: data.backend ?? '?' }),
          ),
          m.heldOut ? h('h4', {}, t('models.heldOut')) : null,
          m.heldOut ? heldOutView(m.heldOut) : null,
          m.thresholds ? h('h4', {}, t('models.thresholds')) : null,
          m.thresholds ? metricList(Object.entries(m.thresholds)) : null,
        ),
      ),
    );
  };
  return { element: box, load };
}
