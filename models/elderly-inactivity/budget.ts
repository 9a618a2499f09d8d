/**
 * The false-alert budget as a site setting (issue 13): calibrates, for budgets of 0.01, 0.02 and
 * 0.05 false alerts per household-day, the shift of the household's own silence limit
 * (`limitShiftH`) on simulated households never trained on (their own seed, over the held-out
 * ranges), then reports each on the held-out set with the 95 % upper bound of its false-alert
 * rate. `--write` stores the shifts as a new version of the newest model (same weights).
 *
 *   nice -n 10 npx tsx models/elderly-inactivity/budget.ts [--write]
 */
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { readModelFolder, writeModelFolder, MODELS_ROOT } from '../lib/model-store.ts';
import { loadNewest } from '../lib/train-mlp.ts';
import { HELD_OUT_SPEC, type MeterRun } from './dataset.ts';
import { evaluate, poissonUpper95, type InactivityMetrics } from './evaluate.ts';
import { budgetShiftKey, coldStartPrior, floorsFrom, MODEL_NAME, paramsFrom } from './predict.ts';
import { collectRuns } from './train.ts';

const BUDGETS = [0.01, 0.02, 0.05] as const;
const SHIFTS_H = [-3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1];
const CALIBRATION_SPEC = { ...HELD_OUT_SPEC, seed: 'elderly-inactivity/budget/1', households: 400 };

function line(label: string, m: InactivityMetrics): string {
  const bound = poissonUpper95(m.falseAlerts, m.householdDays);
  return `${label.padEnd(28)} daytime median ${m.daytimeDelayH.median.toFixed(1)} h, p90 ${m.daytimeDelayH.p90.toFixed(1)} h, within 12 h ${(100 * m.recall12h).toFixed(1)} %, false ${m.falseAlertsPerHouseholdDay.toFixed(4)}/day (${m.falseAlerts} in ${m.householdDays.toFixed(0)} household-days, 95 % bound ${bound.toFixed(4)})`;
}

async function main(write: boolean): Promise<void> {
  // The cold-start prior is a few dozen weights: the cpu backend is enough.
  await tf.setBackend('cpu');
  const { version, meta, model } = await loadNewest(tf, MODEL_NAME, MODELS_ROOT);
  const priorsOf = (runs: readonly MeterRun[]): number[][] =>
    runs.map((r) => coldStartPrior(tf, model, meta, r.household));
  const floors = floorsFrom(meta);
  const base = paramsFrom(meta);
  const calibration = collectRuns(CALIBRATION_SPEC, `calibration households (${CALIBRATION_SPEC.seed})`);
  const calibrationPriors = priorsOf(calibration);
  const sweep = SHIFTS_H.map((shift) => {
    const m = evaluate(calibration, calibrationPriors, { ...base, limitShiftH: shift }, floors).model;
    process.stdout.write(`${line(`calibration, shift ${shift} h`, m)}\n`);
    return { shift, m };
  });
  // The earliest alerting shift whose calibration rate stays within each budget.
  const chosen = BUDGETS.map((budget) => ({
    budget,
    shift: sweep.find((s) => s.m.falseAlertsPerHouseholdDay <= budget)?.shift ?? SHIFTS_H.at(-1)!,
  }));
  const test = collectRuns(HELD_OUT_SPEC, `held-out households (${HELD_OUT_SPEC.seed})`);
  const testPriors = priorsOf(test);
  for (const { budget, shift } of chosen) {
    const m = evaluate(test, testPriors, { ...base, limitShiftH: shift }, floors).model;
    process.stdout.write(`${line(`held-out, budget ${budget} (shift ${shift} h)`, m)}\n`);
  }
  model.dispose();
  if (!write) return;
  const shifts = Object.fromEntries(chosen.map(({ budget, shift }) => [budgetShiftKey(budget), shift]));
  writeShiftedVersion(version, shifts, { budgetCalibration: CALIBRATION_SPEC }, 'budget shifts');
}

/**
 * Stores the newest version again as the next one with `shifts` added to its params (same
 * weights), recording the households they were calibrated on under `calibration`.
 */
export function writeShiftedVersion(
  version: number,
  shifts: Record<string, number>,
  calibration: Record<string, unknown>,
  label: string,
): void {
  const folder = readModelFolder(MODEL_NAME, version, MODELS_ROOT);
  const dir = writeModelFolder(
    folder.artifacts,
    {
      ...folder.meta,
      version: version + 1,
      createdAt: new Date().toISOString(),
      params: { ...folder.meta.params, ...shifts },
      training: { ...folder.meta.training, ranges: { ...folder.meta.training.ranges, ...calibration } },
    },
    MODELS_ROOT,
  );
  process.stdout.write(`wrote ${dir} (@${version} with ${label})\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  main(process.argv.includes('--write')).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
