/**
 * Held-out metrics for elderly-inactivity next to the fixed 12-hour rule: detection delay after
 * the incident (daytime median and p90, night median), recall within 12 h (and for incidents
 * masked by a leak), false alerts per household-day, running-water delay.
 */
import { pct, quantile, table } from '../lib/report.ts';
import { TwelveHourRule } from './baseline.ts';
import type { MeterRun } from './dataset.ts';
import { HouseholdState } from './household.ts';
import type { InactivityParams } from './params.ts';

const HOUR = 3_600_000;

export interface InactivityMetrics {
  incidents: number;
  daytimeDelayH: { median: number; p90: number };
  nightDelayH: number;
  /** Night incidents: alert after the person's usual first use of the morning (median, p90), h. */
  nightAfterFirstUseH: { median: number; p90: number };
  recall12h: number;
  recall12hLeakMasked: number;
  /** Recall within 12 h over incidents with no recorded absence in the 12 h after them. */
  recall12hNotAway: number;
  missed: number;
  falseAlertsPerHouseholdDay: number;
  falseAlerts: number;
  householdDays: number;
  tapFlagged: number;
  tapDelayMin: { median: number; max: number };
  falseFlowAlerts: number;
}

/**
 * One-sided 95 % upper bound of a Poisson rate (k events in `exposure` household-days), by the
 * Wilson–Hilferty approximation of the exact (chi-square) bound: within 1 % of it for any k.
 */
export function poissonUpper95(k: number, exposure: number): number {
  const n = k + 1;
  return (n * (1 - 1 / (9 * n) + 1.645 / (3 * Math.sqrt(n))) ** 3) / exposure;
}

export interface RunAlerts {
  inactivity: number[];
  flow: number[];
}

/** Replays every run through the model (with its priors) and the baseline. */
export function evaluate(
  runs: readonly MeterRun[],
  priors: ReadonlyArray<number[]>,
  params: InactivityParams,
  floorsH: readonly number[] | null = null,
): { model: InactivityMetrics; baseline: InactivityMetrics } {
  const model: RunAlerts[] = [];
  const baseline: RunAlerts[] = [];
  runs.forEach((run, i) => {
    const state = new HouseholdState(priors[i]!, params, floorsH);
    for (const a of run.absences) state.addAbsence(a.from, a.to);
    const rule = new TwelveHourRule(run.absences);
    const m: RunAlerts = { inactivity: [], flow: [] };
    const b: RunAlerts = { inactivity: [], flow: [] };
    for (const r of [...run.readings].sort((x, y) => x.arrivedAt - y.arrivedAt)) {
      // An alert can be raised no earlier than the reading that shows it arrives.
      for (const alert of state.add(r.ts, r.litres, r.alarm))
        (alert.kind === 'elderly_inactivity' ? m.inactivity : m.flow).push(Math.max(alert.t, r.arrivedAt));
      const base = rule.add(r.ts, r.litres);
      if (base !== null) b.inactivity.push(Math.max(base, r.arrivedAt));
    }
    model.push(m);
    baseline.push(b);
  });
  return { model: metrics(runs, model), baseline: metrics(runs, baseline) };
}

export function metrics(runs: readonly MeterRun[], alerts: RunAlerts[]): InactivityMetrics {
  const day: number[] = [];
  const night: number[] = [];
  const afterFirstUse: number[] = [];
  let within12 = 0;
  let leakRuns = 0;
  let leakWithin12 = 0;
  let notAway = 0;
  let notAwayWithin12 = 0;
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
      if (!run.incident.daytime) {
        const ref = morningAfter(run.incident.at, usualFirstUse(run));
        afterFirstUse.push(hit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, hit - ref) / HOUR);
      }
      if (delayH <= 12) within12++;
      if (!Number.isFinite(delayH)) missed++;
      // The simulator can start a recorded absence just after an incident: the detector is told
      // the resident is away and rightly holds its alert.
      const at = run.incident.at;
      if (!run.absences.some((a) => a.from < at + 12 * HOUR && a.to > at)) {
        notAway++;
        if (delayH <= 12) notAwayWithin12++;
      }
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
    nightAfterFirstUseH: { median: quantile(afterFirstUse, 0.5), p90: quantile(afterFirstUse, 0.9) },
    recall12h: within12 / Math.max(incidents, 1),
    recall12hLeakMasked: leakRuns ? leakWithin12 / leakRuns : Number.NaN,
    recall12hNotAway: notAway ? notAwayWithin12 / notAway : Number.NaN,
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

const LOCAL_MS = 8 * HOUR;
const tod = (t: number): number => (((t + LOCAL_MS) % (24 * HOUR)) + 24 * HOUR) % (24 * HOUR);

/**
 * The person's usual first use of the morning (local time of day, ms): the median over normal days
 * of the first hour from 04:00 with use above the standing flow, taken at the middle of that hour
 * (hourly registers show only the hour).
 */
export function usualFirstUse(run: MeterRun): number {
  const stop = run.incident?.at ?? run.endMs;
  const pts = [...run.readings].filter((r) => r.ts <= stop).sort((a, b) => a.ts - b.ts);
  const uses: Array<[number, number]> = [];
  for (let i = 1; i < pts.length; i++)
    if (pts[i]!.ts - pts[i - 1]!.ts <= 1.5 * HOUR)
      uses.push([pts[i - 1]!.ts, pts[i]!.litres - pts[i - 1]!.litres]);
  const floor = Math.min(...uses.map(([, l]) => l));
  const firsts = new Map<number, number>();
  for (const [t, l] of uses) {
    const day = t - tod(t);
    if (tod(t) < 4 * HOUR || l - floor < 1.5 || firsts.has(day)) continue;
    if (run.allAbsences.some((a) => a.from < t + HOUR && a.to > day)) continue;
    firsts.set(day, tod(t) + HOUR / 2);
  }
  return quantile([...firsts.values()], 0.5);
}

/** The usual first use on the morning after a night incident (or the incident itself, if later). */
function morningAfter(at: number, firstUseTod: number): number {
  let ref = at - tod(at) + firstUseTod;
  if (tod(at) >= 12 * HOUR) ref += 24 * HOUR;
  return Math.max(at, ref);
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
        [
          'night: alert after usual first use, median',
          h(m.nightAfterFirstUseH.median),
          h(b.nightAfterFirstUseH.median),
          '≤ 1.5 h',
        ],
        [
          'night: alert after usual first use, p90',
          h(m.nightAfterFirstUseH.p90),
          h(b.nightAfterFirstUseH.p90),
          '',
        ],
        ['recall within 12 h', pct(m.recall12h), pct(b.recall12h), '≥ 95 %'],
        ['recall within 12 h, leak-masked', pct(m.recall12hLeakMasked), pct(b.recall12hLeakMasked), '≥ 95 %'],
        ['recall within 12 h, no recorded absence', pct(m.recall12hNotAway), pct(b.recall12hNotAway), ''],
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
        [
          'false running-water alerts (per household-day)',
          `${m.falseFlowAlerts} (${(m.falseFlowAlerts / Math.max(m.householdDays, 1e-9)).toFixed(4)})`,
          '—',
          '≤ 0.005 / day',
        ],
      ],
    ),
  ].join('\n');
}
