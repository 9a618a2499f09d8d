/**
 * Held-out metrics for elderly-inactivity next to the fixed 12-hour rule: detection delay after
 * the incident (daytime median and p90, night median), recall within 12 h (and for incidents
 * masked by a leak), false alerts per household-day, running-water delay.
 */
import { pct, quantile, table } from '../lib/report.ts';
import { TwelveHourRule } from './baseline.ts';
import type { MeterRun } from './dataset.ts';
import { HouseholdState, type InactivityParams } from './household.ts';

const HOUR = 3_600_000;

export interface InactivityMetrics {
  incidents: number;
  daytimeDelayH: { median: number; p90: number };
  nightDelayH: number;
  recall12h: number;
  recall12hLeakMasked: number;
  missed: number;
  falseAlertsPerHouseholdDay: number;
  falseAlerts: number;
  householdDays: number;
  tapFlagged: number;
  tapDelayMin: { median: number; max: number };
  falseFlowAlerts: number;
}

interface RunAlerts {
  inactivity: number[];
  flow: number[];
}

/** Replays every run through the model (with its priors) and the baseline. */
export function evaluate(
  runs: readonly MeterRun[],
  priors: ReadonlyArray<number[]>,
  params: InactivityParams,
): { model: InactivityMetrics; baseline: InactivityMetrics } {
  const model: RunAlerts[] = [];
  const baseline: RunAlerts[] = [];
  runs.forEach((run, i) => {
    const state = new HouseholdState(priors[i]!, params);
    for (const a of run.absences) state.addAbsence(a.from, a.to);
    const rule = new TwelveHourRule(run.absences);
    const m: RunAlerts = { inactivity: [], flow: [] };
    const b: RunAlerts = { inactivity: [], flow: [] };
    for (const r of [...run.readings].sort((x, y) => x.arrivedAt - y.arrivedAt)) {
      // An alert can be raised no earlier than the reading that shows it arrives.
      for (const alert of state.add(r.ts, r.litres))
        (alert.kind === 'elderly_inactivity' ? m.inactivity : m.flow).push(Math.max(alert.t, r.arrivedAt));
      const base = rule.add(r.ts, r.litres);
      if (base !== null) b.inactivity.push(Math.max(base, r.arrivedAt));
    }
    model.push(m);
    baseline.push(b);
  });
  return { model: metrics(runs, model), baseline: metrics(runs, baseline) };
}

function metrics(runs: readonly MeterRun[], alerts: RunAlerts[]): InactivityMetrics {
  const day: number[] = [];
  const night: number[] = [];
  let within12 = 0;
  let leakRuns = 0;
  let leakWithin12 = 0;
  let incidents = 0;
  let missed = 0;
  let falseAlerts = 0;
  let householdDays = 0;
  let taps = 0;
  let tapFlagged = 0;
  const tapDelays: number[] = [];
  let falseFlow = 0;
  runs.forEach((run, i) => {
    const a = alerts[i]!;
    const incidentAt = run.incident?.at ?? Number.POSITIVE_INFINITY;
    householdDays += (Math.min(run.endMs, incidentAt) - run.startMs) / (24 * HOUR);
    falseAlerts += a.inactivity.filter((t) => t < incidentAt).length;
    if (run.incident) {
      incidents++;
      const hit = a.inactivity.find((t) => t >= incidentAt);
      const delayH = hit === undefined ? Number.POSITIVE_INFINITY : (hit - incidentAt) / HOUR;
      (run.incident.daytime ? day : night).push(delayH);
      if (delayH <= 12) within12++;
      if (!Number.isFinite(delayH)) missed++;
      if (run.incident.leakMasked) {
        leakRuns++;
        if (delayH <= 12) leakWithin12++;
      }
    }
    if (run.tap) {
      taps++;
      const hit = a.flow.find((t) => t >= run.tap!.at && t <= run.tap!.endAt + HOUR);
      if (hit !== undefined) {
        tapFlagged++;
        tapDelays.push((hit - run.tap.at) / 60_000);
      }
    }
    falseFlow += a.flow.filter((t) => !run.tap || t < run.tap.at || t > run.tap.endAt + HOUR).length;
  });
  return {
    incidents,
    daytimeDelayH: { median: quantile(day, 0.5), p90: quantile(day, 0.9) },
    nightDelayH: quantile(night, 0.5),
    recall12h: within12 / Math.max(incidents, 1),
    recall12hLeakMasked: leakRuns ? leakWithin12 / leakRuns : Number.NaN,
    missed,
    falseAlertsPerHouseholdDay: falseAlerts / Math.max(householdDays, 1e-9),
    falseAlerts,
    householdDays,
    tapFlagged: taps ? tapFlagged / taps : Number.NaN,
    tapDelayMin: {
      median: quantile(tapDelays, 0.5),
      max: tapDelays.length ? Math.max(...tapDelays) : Number.NaN,
    },
    falseFlowAlerts: falseFlow,
  };
}

export function formatEvaluation(
  e: { model: InactivityMetrics; baseline: InactivityMetrics },
  title: string,
): string {
  const { model: m, baseline: b } = e;
  // An infinite quantile means more incidents than that share were never detected.
  const h = (v: number): string =>
    Number.isFinite(v) ? `${v.toFixed(1)} h` : v === Number.POSITIVE_INFINITY ? 'never' : '—';
  return [
    `${title} — ${m.incidents} incidents over ${m.householdDays.toFixed(0)} household-days before them`,
    '',
    table(
      ['metric', 'model', 'baseline (12 h < 10 L)', 'target'],
      [
        ['daytime incidents: delay median', h(m.daytimeDelayH.median), h(b.daytimeDelayH.median), '≤ 3 h'],
        ['daytime incidents: delay p90', h(m.daytimeDelayH.p90), h(b.daytimeDelayH.p90), '≤ 6 h'],
        ['night incidents: delay median', h(m.nightDelayH), h(b.nightDelayH), ''],
        ['recall within 12 h', pct(m.recall12h), pct(b.recall12h), '≥ 95 %'],
        ['recall within 12 h, leak-masked', pct(m.recall12hLeakMasked), pct(b.recall12hLeakMasked), '≥ 95 %'],
        ['missed incidents', m.missed, b.missed, '0'],
        ['false alerts', m.falseAlerts, b.falseAlerts, ''],
        [
          'false alerts per household-day',
          m.falseAlertsPerHouseholdDay,
          b.falseAlertsPerHouseholdDay,
          '≤ 0.01',
        ],
        ['running taps flagged', pct(m.tapFlagged), '—', ''],
        [
          'running tap: start → alert, median',
          `${m.tapDelayMin.median.toFixed(0)} min`,
          '—',
          '≤ 30 min past usual',
        ],
        ['running tap: start → alert, max', `${m.tapDelayMin.max.toFixed(0)} min`, '—', ''],
        ['false running-water alerts', m.falseFlowAlerts, '—', ''],
      ],
    ),
  ].join('\n');
}
