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
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../simulators/core/rng.ts';
import { presenceSignals, PRESENCE_RANGES, type PresenceSignals } from '../../simulators/water/presence.ts';
import { MODELS_ROOT } from '../lib/model-store.ts';
import { loadNewest } from '../lib/train-mlp.ts';
import { HELD_OUT_SPEC, type MeterRun } from './dataset.ts';
import { metrics, type RunAlerts } from './evaluate.ts';
import { HouseholdState } from './household.ts';
import { coldStartPrior, floorsFrom, MODEL_NAME, paramsFrom } from './predict.ts';
import { collectRuns } from './train.ts';

const HOUR = 3_600_000;
const ACTIVE_L = 1.5;

type Signals = 'water' | 'door' | 'electricity' | 'both';

function presenceOf(run: MeterRun, rng: Rng): PresenceSignals {
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

async function main(households: number): Promise<void> {
  // The cold-start prior is a few dozen weights: the cpu backend is enough.
  await tf.setBackend('cpu');
  const { version, meta, model } = await loadNewest(tf, MODEL_NAME, MODELS_ROOT);
  const runs = collectRuns({ ...HELD_OUT_SPEC, households }, `held-out households (${HELD_OUT_SPEC.seed})`);
  const priors = runs.map((r) => coldStartPrior(tf, model, meta, r.household));
  model.dispose();
  const root = new Rng('elderly-inactivity/presence/held-out');
  const presence = runs.map((run, i) => presenceOf(run, root.fork(`run-${i}`)));
  const params = paramsFrom(meta, 0.01);
  process.stdout.write(
    `${MODEL_NAME}@${version}, ${runs.length} held-out households, presence ${JSON.stringify(PRESENCE_RANGES)}\n`,
  );
  for (const signals of ['water', 'door', 'electricity', 'both'] as Signals[]) {
    const alerts: RunAlerts[] = runs.map((run, i) => {
      const state = new HouseholdState(priors[i]!, params, floorsFrom(meta));
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
      if (signals === 'electricity' || signals === 'both')
        for (const e of presence[i]!.electricity)
          items.push({ at: e.arrivedAt, apply: () => (state.addElectricity(e.ts, e.kwh), []) });
      if (signals === 'door' || signals === 'both')
        for (const d of presence[i]!.doorOpenings)
          items.push({ at: d.arrivedAt, apply: () => (state.addDoor(d.ts, 1), []) });
      items.sort((a, b) => a.at - b.at);
      return { inactivity: items.flatMap((it) => it.apply()), flow: [] };
    });
    const m = metrics(runs, alerts);
    const n = m.falseAlerts + 1;
    const bound = (n * (1 - 1 / (9 * n) + 1.645 / (3 * Math.sqrt(n))) ** 3) / m.householdDays;
    process.stdout.write(
      `${signals.padEnd(12)} daytime median ${m.daytimeDelayH.median.toFixed(1)} h, p90 ${m.daytimeDelayH.p90.toFixed(1)} h; within 12 h ${(100 * m.recall12h).toFixed(1)} % (missed ${m.missed} of ${m.incidents}); false ${m.falseAlertsPerHouseholdDay.toFixed(4)}/household-day (${m.falseAlerts} in ${m.householdDays.toFixed(0)}, 95 % bound ${bound.toFixed(4)})\n`,
    );
  }
}

main(Number(process.argv[2] ?? HELD_OUT_SPEC.households)).catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
