/**
 * elderly-inactivity with presence (issue 13) on the simulators' held-out households: each run's
 * electricity meter and door contact are made from its own ground truth (simulators/water/
 * presence.ts: outings and absences empty the home, a collapse leaves a load on in some homes)
 * and fed to the household state with its water, in arrival order. Prints daytime delay, recall
 * within 12 h and false alerts per household-day (with the 95 % upper bound) for water alone,
 * with the door contact, with the electricity meter, and with both.
 *
 *   nice -n 10 npx tsx models/elderly-inactivity/presence-eval.ts [households]
 */
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../simulators/core/rng.ts';
import { presenceSignals, PRESENCE_RANGES, type PresenceSignals } from '../../simulators/water/presence.ts';
import { MODELS_ROOT } from '../lib/model-store.ts';
import { loadNewest } from '../lib/train-mlp.ts';
import { HELD_OUT_SPEC, type MeterRun, type WaterSpec } from './dataset.ts';
import { metrics, poissonUpper95, type InactivityMetrics, type RunAlerts } from './evaluate.ts';
import { HouseholdState } from './household.ts';
import type { InactivityParams } from './params.ts';
import { coldStartPrior, floorsFrom, MODEL_NAME, paramsFrom } from './predict.ts';
import type { PresenceSet } from './presence.ts';
import { collectRuns } from './train.ts';

const HOUR = 3_600_000;
const ACTIVE_L = 1.5;

export const SIGNAL_SETS: readonly PresenceSet[] = ['water', 'door', 'electricity', 'both'];

export function formatLine(label: string, m: InactivityMetrics): string {
  const bound = poissonUpper95(m.falseAlerts, m.householdDays);
  return `${label.padEnd(30)} daytime median ${m.daytimeDelayH.median.toFixed(1)} h, p90 ${m.daytimeDelayH.p90.toFixed(1)} h; within 12 h ${(100 * m.recall12h).toFixed(1)} % (missed ${m.missed} of ${m.incidents}); false ${m.falseAlertsPerHouseholdDay.toFixed(4)}/household-day (${m.falseAlerts} in ${m.householdDays.toFixed(0)}, 95 % bound ${bound.toFixed(4)})`;
}

/** Each run's electricity meter and door contact, made from its own ground truth. */
export function presenceOf(run: MeterRun, rng: Rng): PresenceSignals {
  const activeHours = new Set<number>();
  const sorted = [...run.readings].sort((a, b) => a.ts - b.ts);
  for (let i = 1; i < sorted.length; i++)
    if (
      sorted[i]!.litres - sorted[i - 1]!.litres >= ACTIVE_L &&
      sorted[i]!.ts - sorted[i - 1]!.ts <= 2 * HOUR
    )
      activeHours.add(Math.floor((sorted[i]!.ts - 1) / HOUR) * HOUR);
  const away = [...run.outings, ...run.allAbsences].map((a) => [a.from, a.to] as const);
  return presenceSignals(
    { startMs: run.startMs, endMs: run.endMs, activeHours, away, incidentAt: run.incident?.at ?? null },
    PRESENCE_RANGES,
    rng,
  );
}

/** Households with their presence, as the gateway would see them: runs, cold-start priors, signals. */
export interface PresenceHouseholds {
  runs: MeterRun[];
  priors: number[][];
  presence: PresenceSignals[];
}

/** The held-out households' presence draws (the @8 figures in models/README.md were made with it). */
export const HELD_OUT_PRESENCE_SEED = 'elderly-inactivity/presence/held-out';

export function presenceHouseholds(
  spec: WaterSpec,
  label: string,
  prior: (run: MeterRun) => number[],
  presenceSeed: string,
): PresenceHouseholds {
  const runs = collectRuns(spec, label);
  const root = new Rng(presenceSeed);
  return {
    runs,
    priors: runs.map(prior),
    presence: runs.map((run, i) => presenceOf(run, root.fork(`run-${i}`))),
  };
}

/** Every household through the detector with water and the given presence signals, in arrival order. */
export function evaluateWithPresence(
  set: PresenceHouseholds,
  params: InactivityParams,
  floors: readonly number[] | null,
  signals: PresenceSet,
): InactivityMetrics {
  const alerts: RunAlerts[] = set.runs.map((run, i) => {
    const state = new HouseholdState(set.priors[i]!, params, floors);
    for (const a of run.absences) state.addAbsence(a.from, a.to);
    type Item = { at: number; apply: () => number[] };
    const items: Item[] = run.readings.map((r) => ({
      at: r.arrivedAt,
      apply: () =>
        state
          .add(r.ts, r.litres, r.alarm)
          .filter((a) => a.kind === 'elderly_inactivity')
          .map((a) => Math.max(a.t, r.arrivedAt)),
    }));
    const presence = set.presence[i]!;
    if (signals === 'electricity' || signals === 'both')
      for (const e of presence.electricity)
        items.push({ at: e.arrivedAt, apply: () => (state.addElectricity(e.ts, e.kwh), []) });
    if (signals === 'door' || signals === 'both')
      for (const d of presence.doorOpenings)
        items.push({ at: d.arrivedAt, apply: () => (state.addDoor(d.ts, 1), []) });
    items.sort((a, b) => a.at - b.at);
    return { inactivity: items.flatMap((it) => it.apply()), flow: [] };
  });
  return metrics(set.runs, alerts);
}

async function main(households: number): Promise<void> {
  // The cold-start prior is a few dozen weights: the cpu backend is enough.
  await tf.setBackend('cpu');
  const { version, meta, model } = await loadNewest(tf, MODEL_NAME, MODELS_ROOT);
  const set = presenceHouseholds(
    { ...HELD_OUT_SPEC, households },
    `held-out households (${HELD_OUT_SPEC.seed})`,
    (run) => coldStartPrior(tf, model, meta, run.household),
    HELD_OUT_PRESENCE_SEED,
  );
  model.dispose();
  const params = paramsFrom(meta, 0.01);
  process.stdout.write(
    `${MODEL_NAME}@${version}, ${set.runs.length} held-out households, budget 0.01, presence ${JSON.stringify(PRESENCE_RANGES)}\n`,
  );
  for (const signals of SIGNAL_SETS)
    process.stdout.write(
      `${formatLine(signals, evaluateWithPresence(set, params, floorsFrom(meta), signals))}\n`,
    );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  main(Number(process.argv[2] ?? HELD_OUT_SPEC.households)).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
