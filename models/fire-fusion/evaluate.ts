/**
 * Held-out metrics for fire-fusion next to the single photoelectric smoke threshold (0.15 dB/m,
 * GB 4715 B-type): time from runaway onset to fire_risk and fire, runaways flagged before
 * visible smoke and before flame, suspect-port accuracy, false alerts per shed-year.
 */
import type { ModelMeta } from '../lib/model-store.ts';
import { pct, quantile, table } from '../lib/report.ts';
import type { Run } from './dataset.ts';
import { FireDecider, type Probabilities } from './predict.ts';

export const BASELINE_SMOKE_DB_M = 0.15;
const REARM_MS = 30 * 60_000;

export interface FireMetrics {
  runaways: number;
  riskBeforeSmoke: number;
  fireBeforeFlame: number;
  /** Minutes before visible smoke (positive = earlier) of the first alert of any kind. */
  leadBeforeSmokeMin: { median: number; p10: number };
  onsetToRiskMin: number;
  onsetToFireMin: number;
  portCorrect: number;
  falseAlerts: number;
  falseAlertsPerShedYear: number;
  shedDays: number;
  decisionMs: number;
}

interface Alert {
  kind: 'fire_risk' | 'fire';
  t: number;
  port: number | null;
}

export function evaluate(
  runs: readonly Run[],
  probs: ReadonlyArray<Probabilities[]>,
  meta: ModelMeta,
  decisionMs: number,
): { model: FireMetrics; baseline: FireMetrics } {
  const model = runs.map((run, i) => modelAlerts(run, probs[i]!, meta));
  const baseline = runs.map((run) => baselineAlerts(run));
  return { model: metrics(runs, model, decisionMs), baseline: metrics(runs, baseline, 0) };
}

function modelAlerts(run: Run, probs: Probabilities[], meta: ModelMeta): Alert[] {
  const decider = new FireDecider(meta.thresholds);
  return run.windows.flatMap((w, j) =>
    decider.step(w, probs[j]!).map((d) => ({ kind: d.kind, t: d.t, port: d.suspectPort })),
  );
}

function baselineAlerts(run: Run): Alert[] {
  const out: Alert[] = [];
  let armedAfter = Number.NEGATIVE_INFINITY;
  let lastHigh = Number.NEGATIVE_INFINITY;
  for (const w of run.windows) {
    if (w.raw.smokeDbM >= BASELINE_SMOKE_DB_M) {
      if (w.t >= armedAfter) out.push({ kind: 'fire', t: w.t, port: null });
      lastHigh = w.t;
      armedAfter = Number.POSITIVE_INFINITY;
    } else if (w.t - lastHigh > REARM_MS) armedAfter = w.t;
  }
  return out;
}

function metrics(runs: readonly Run[], alerts: Alert[][], decisionMs: number): FireMetrics {
  const withRunaway = runs.map((r, i) => ({ r, a: alerts[i]! })).filter(({ r }) => r.runaway);
  const leads: number[] = [];
  const toRisk: number[] = [];
  const toFire: number[] = [];
  let riskBeforeSmoke = 0;
  let fireBeforeFlame = 0;
  let portRight = 0;
  let portAsked = 0;
  let falseAlerts = 0;
  let quietMs = 0;
  for (const { r, a } of runs.map((r, i) => ({ r, a: alerts[i]! }))) {
    const onset = r.runaway?.onsetMs ?? Number.POSITIVE_INFINITY;
    falseAlerts += a.filter((x) => x.t < onset).length;
    const first = r.windows[0]?.t ?? 0;
    quietMs += Math.min(onset, r.windows.at(-1)?.t ?? first) - first;
  }
  for (const { r, a } of withRunaway) {
    const tl = r.runaway!;
    const after = a.filter((x) => x.t >= tl.onsetMs);
    const first = after[0];
    const risk = after.find((x) => x.kind === 'fire_risk');
    const fire = after.find((x) => x.kind === 'fire');
    if (first) leads.push((tl.smokeMs - first.t) / 60_000);
    else leads.push(Number.NEGATIVE_INFINITY);
    if (risk) {
      toRisk.push((risk.t - tl.onsetMs) / 60_000);
      if (risk.t < tl.smokeMs) riskBeforeSmoke++;
      portAsked++;
      if (risk.port === tl.port) portRight++;
    }
    if (fire) toFire.push((fire.t - tl.onsetMs) / 60_000);
    if (first && first.t < tl.flameMs) fireBeforeFlame++;
  }
  const n = withRunaway.length;
  const shedDays = quietMs / 86_400_000;
  return {
    runaways: n,
    riskBeforeSmoke: riskBeforeSmoke / Math.max(n, 1),
    fireBeforeFlame: fireBeforeFlame / Math.max(n, 1),
    leadBeforeSmokeMin: { median: quantile(leads, 0.5), p10: quantile(leads, 0.1) },
    onsetToRiskMin: quantile(toRisk, 0.5),
    onsetToFireMin: quantile(toFire, 0.5),
    portCorrect: portAsked ? portRight / portAsked : Number.NaN,
    falseAlerts,
    falseAlertsPerShedYear: (falseAlerts / Math.max(shedDays, 1e-9)) * 365,
    shedDays,
    decisionMs,
  };
}

export function formatEvaluation(e: { model: FireMetrics; baseline: FireMetrics }, title: string): string {
  const { model: m, baseline: b } = e;
  const min = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} min` : '—');
  return [
    `${title} — ${m.runaways} runaways, ${m.shedDays.toFixed(0)} shed-days without one`,
    '',
    table(
      ['metric', 'model', 'baseline (smoke ≥ 0.15 dB/m)', 'target'],
      [
        [
          'first alert before visible smoke, median',
          min(m.leadBeforeSmokeMin.median),
          min(b.leadBeforeSmokeMin.median),
          '≥ 5 min',
        ],
        [
          'first alert before visible smoke, p10',
          min(m.leadBeforeSmokeMin.p10),
          min(b.leadBeforeSmokeMin.p10),
          '≥ 2 min',
        ],
        ['fire_risk before visible smoke', pct(m.riskBeforeSmoke), '—', ''],
        ['alarm before flame', pct(m.fireBeforeFlame), pct(b.fireBeforeFlame), '≥ 95 %'],
        ['onset → fire_risk, median', min(m.onsetToRiskMin), '—', ''],
        ['onset → fire, median', min(m.onsetToFireMin), min(b.onsetToFireMin), ''],
        ['suspect port right', pct(m.portCorrect), '—', '≥ 95 %'],
        ['false alerts (fire_risk + fire)', m.falseAlerts, b.falseAlerts, ''],
        [
          'false alerts per shed-year',
          m.falseAlertsPerShedYear,
          b.falseAlertsPerShedYear,
          '≤ 1, ≥ 80 % fewer',
        ],
        ['decision time per window (ms)', m.decisionMs, '—', ''],
      ],
    ),
  ].join('\n');
}
