/**
 * The false-alert budget for households with presence signals (issue 13): their record of quiet
 * spells holds no outings (the door or the electricity meter shows them away), so their limits can
 * come down further than water alone allows. For each set of signals (door, electricity, both) and
 * each budget, calibrates the limit shift on simulated households never trained on (their own
 * seed, over the held-out ranges), the earliest alerting shift within the budget, then reports it
 * on the held-out households with the 95 % bound. `--write` stores the shifts as a new version of
 * the newest model (same weights).
 *
 *   nice -n 10 npx tsx models/elderly-inactivity/presence-budget.ts [--write]
 */
import * as tf from '@tensorflow/tfjs';
import { MODELS_ROOT } from '../lib/model-store.ts';
import { loadNewest } from '../lib/train-mlp.ts';
import { writeShiftedVersion } from './budget.ts';
import { HELD_OUT_SPEC, type MeterRun } from './dataset.ts';
import type { InactivityParams } from './params.ts';
import { coldStartPrior, floorsFrom, MODEL_NAME, paramsFrom, presenceShiftKey } from './predict.ts';
import {
  evaluateWithPresence,
  formatLine,
  HELD_OUT_PRESENCE_SEED,
  presenceHouseholds,
} from './presence-eval.ts';

const BUDGETS = [0.01, 0.02, 0.05] as const;
const SHIFTS_H = [-3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3];
const SETS = ['door', 'electricity', 'both'] as const;
const SHIFT_PARAM = { door: 'doorShiftH', electricity: 'electricityShiftH', both: 'bothShiftH' } as const;
const CALIBRATION_SPEC = { ...HELD_OUT_SPEC, seed: 'elderly-inactivity/presence-budget/1', households: 200 };

async function main(write: boolean): Promise<void> {
  // The cold-start prior is a few dozen weights: the cpu backend is enough.
  await tf.setBackend('cpu');
  const { version, meta, model } = await loadNewest(tf, MODEL_NAME, MODELS_ROOT);
  const prior = (run: MeterRun): number[] => coldStartPrior(tf, model, meta, run.household);
  const floors = floorsFrom(meta);
  const calibration = presenceHouseholds(
    CALIBRATION_SPEC,
    `calibration (${CALIBRATION_SPEC.seed})`,
    prior,
    `${CALIBRATION_SPEC.seed}/presence`,
  );
  const test = presenceHouseholds(
    HELD_OUT_SPEC,
    `held-out households (${HELD_OUT_SPEC.seed})`,
    prior,
    HELD_OUT_PRESENCE_SEED,
  );
  model.dispose();
  const chosen: Array<{ signals: (typeof SETS)[number]; budget: number; shift: number }> = [];
  for (const signals of SETS) {
    const withShift = (shift: number, budget: number): InactivityParams => ({
      ...paramsFrom(meta, budget),
      [SHIFT_PARAM[signals]]: shift,
    });
    const sweep = SHIFTS_H.map((shift) => {
      const m = evaluateWithPresence(calibration, withShift(shift, 0.01), floors, signals);
      process.stdout.write(`${formatLine(`calibration, ${signals}, shift ${shift} h`, m)}\n`);
      return { shift, m };
    });
    for (const budget of BUDGETS) {
      // The earliest alerting shift whose calibration rate stays within the budget.
      const shift = sweep.find((s) => s.m.falseAlertsPerHouseholdDay <= budget)?.shift ?? SHIFTS_H.at(-1)!;
      chosen.push({ signals, budget, shift });
      const m = evaluateWithPresence(test, withShift(shift, budget), floors, signals);
      process.stdout.write(`${formatLine(`held-out, ${signals}, budget ${budget} (shift ${shift} h)`, m)}\n`);
    }
  }
  if (!write) return;
  const shifts = Object.fromEntries(
    chosen.map(({ signals, budget, shift }) => [presenceShiftKey(signals, budget), shift]),
  );
  writeShiftedVersion(
    version,
    shifts,
    { presenceBudgetCalibration: CALIBRATION_SPEC },
    'presence budget shifts',
  );
}

main(process.argv.includes('--write')).catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
