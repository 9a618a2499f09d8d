/**
 * Rules as loaded, with their load errors (GET /api/rules), and a bench that runs one rule against
 * a fixture the engineer pastes (POST /api/rules/test) and shows what it would raise. Both speak
 * the page language: each rule's description and each detection's title come in zh-CN and en.
 */
import { api, ApiError, optional } from '../../lib/api.ts';
import { h, mount } from '../../lib/dom.ts';
import { formatTime, kindLabel, severityLabel } from '../../lib/format.ts';
import { localized, t } from '../../lib/i18n.ts';

type Localized = { 'zh-CN': string; en: string };

interface RuleInfo {
  id: string;
  file: string;
  kind: string;
  severity: string;
  enabled: boolean;
  /** Its file is broken now; the last good version keeps running. */
  stale: boolean;
  description: Localized | null;
  fallbackFor: string | null;
  /** Its model is loaded: the rule keeps its state but raises nothing. */
  standingDown: boolean;
}

interface RuleProblem {
  file: string;
  line?: number;
  col?: number;
  message: string;
  text: string;
}

interface BenchDetection {
  kind: string;
  severity: string;
  eventTs: string;
  cleared?: boolean;
  title: Localized;
  message: Localized;
  evidence: { facts?: Record<string, unknown> };
}

interface RunResult {
  rules: string[];
  items: number;
  evaluations: number;
  detections: BenchDetection[];
  skipped: { index: number; reason: string }[];
}

/** A shed heating up while charging: enough for the shed-fire pack to fire. */
function sampleFixture(): string {
  const start = Date.now() - 30 * 60_000;
  return Array.from({ length: 7 }, (_, i) =>
    JSON.stringify({
      ts: new Date(start + i * 5 * 60_000).toISOString(),
      device: 'heat-shed-1',
      values: { temp_c: 24 + i * i * 1.5, smoke_db_m: 0.02 + i * 0.03, co_ppm: 2 + i * 6 },
    }),
  ).join('\n');
}

/** One detection in the page language: fired or cleared, when, how bad, what, and the facts. */
function detectionItem(d: BenchDetection): HTMLElement {
  const facts = Object.entries(d.evidence.facts ?? {})
    .map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(4) : String(v)}`)
    .join(' ');
  return h(
    'li',
    { class: d.cleared ? 'detection cleared' : 'detection', 'data-kind': d.kind },
    h(
      'strong',
      {},
      `${d.cleared ? t('rules.cleared') : t('rules.fired')} · ${formatTime(d.eventTs, true)} · ${severityLabel(d.severity)} · ${kindLabel(d.kind)}`,
    ),
    h('div', {}, localized(d.title)),
    h('div', { class: 'small' }, localized(d.message)),
    facts ? h('div', { class: 'mono small muted' }, facts) : null,
  );
}

function showResult(output: HTMLElement, r: RunResult): void {
  mount(
    output,
    h(
      'p',
      { class: 'small' },
      t('rules.result', { items: r.items, evaluations: r.evaluations, n: r.detections.length }),
    ),
    r.detections.length
      ? h('ul', { class: 'plain detections' }, r.detections.map(detectionItem))
      : h('p', { class: 'muted' }, t('rules.nothing')),
    ...r.skipped.map((s) =>
      h('p', { class: 'rule-error' }, t('rules.skipped', { n: s.index + 1, reason: s.reason })),
    ),
  );
}

function renderBench(select: HTMLSelectElement): HTMLElement {
  const fixture = h('textarea', { id: 'rule-fixture', rows: 8, class: 'mono', spellcheck: 'false' });
  fixture.value = sampleFixture();
  const output = h('div', { class: 'output', id: 'rule-output', 'aria-live': 'polite' });
  const run = h('button', { type: 'submit', class: 'btn btn-primary' }, t('rules.run'));
  const form = h(
    'form',
    { class: 'rule-bench' },
    h('h3', {}, t('rules.bench')),
    h('label', { for: select.id }, t('rules.rule')),
    select,
    h('label', { for: fixture.id }, t('rules.fixture')),
    fixture,
    run,
    output,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    run.disabled = true;
    try {
      const body = { ruleId: select.value, fixture: fixture.value };
      showResult(output, await api.post<RunResult>('/api/rules/test', body));
    } catch (err) {
      const why = err instanceof ApiError ? err.message : String(err);
      mount(output, h('p', { class: 'rule-error' }, t('rules.failed', { reason: why })));
    } finally {
      run.disabled = false;
    }
  });
  return form;
}

function ruleItem(r: RuleInfo): HTMLElement {
  const notes = [
    kindLabel(r.kind),
    severityLabel(r.severity),
    ...(r.enabled ? [] : [t('rules.disabled')]),
    ...(r.standingDown && r.fallbackFor ? [t('rules.standingDown', { model: r.fallbackFor })] : []),
  ];
  return h(
    'li',
    { class: r.stale ? 'rule rule-broken' : 'rule', 'data-rule': r.id },
    h('strong', { class: 'mono' }, r.id),
    h('span', { class: 'muted small' }, ` · ${notes.join(' · ')}`),
    r.stale ? h('div', { class: 'rule-error' }, t('rules.stale')) : null,
    r.description ? h('div', { class: 'small muted rule-description' }, localized(r.description)) : null,
  );
}

export function renderRules(): { element: HTMLElement; load: () => Promise<void> } {
  const list = h('ul', { class: 'plain rules', id: 'rule-list' });
  const select = h('select', { id: 'rule-select', required: true });
  const load = async (): Promise<void> => {
    const data = await optional(api.get<{ rules: RuleInfo[]; problems: RuleProblem[] }>('/api/rules'), null);
    if (data === null) {
      mount(list, h('li', { class: 'muted' }, t('eng.notAvailable')));
      return;
    }
    mount(
      list,
      h(
        'li',
        { class: 'muted small' },
        t('rules.count', { n: data.rules.length, broken: data.problems.length }),
      ),
      data.problems.map((p) =>
        h(
          'li',
          { class: 'rule rule-broken', role: 'note' },
          h('strong', {}, p.file),
          h('div', { class: 'rule-error' }, p.text || p.message),
        ),
      ),
      data.rules.map(ruleItem),
    );
    mount(
      select,
      data.rules.map((r) => h('option', { value: r.id }, `${r.id} · ${kindLabel(r.kind)}`)),
    );
  };
  return { element: h('div', { class: 'two-col' }, h('div', {}, list), renderBench(select)), load };
}
