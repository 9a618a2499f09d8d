/**
 * `npm run train -- elderly-inactivity`: regenerates household-months with the simulators, trains
 * the cold-start prior (TF.js: P(water activity) by hour and household attributes), calibrates
 * the silence threshold on the training runs, evaluates on the held-out runs next to the 12-hour
 * rule and writes models/elderly-inactivity/<next version>/.
 */
import { SingleBar, Presets } from 'cli-progress';
import { quantile as quantileOf } from '../lib/report.ts';
import type { LayersModel } from '@tensorflow/tfjs';
import type { Tf } from '../lib/backend.ts';
import { MODELS_ROOT, type ModelMeta } from '../lib/model-store.ts';
import { loadNewest, newModelMeta, saveTrained, trainClassifier } from '../lib/train-mlp.ts';
import { generateMeterRuns, HELD_OUT_SPEC, TRAIN_SPEC, type MeterRun, type WaterSpec } from './dataset.ts';
import { evaluate, formatEvaluation, type InactivityMetrics } from './evaluate.ts';
import { bucketOf } from './household.ts';
import { DEFAULT_PARAMS, WAKE_OFF_H, type InactivityParams } from './params.ts';
import {
  CLASSES,
  coldStartPrior,
  FEATURE_NAMES,
  floorParams,
  floorsFrom,
  MODEL_NAME,
  paramsFrom,
  priorFeatures,
  storedParams,
} from './predict.ts';
import { buildLimitTable, type LimitTableOptions } from './limits.ts';
import { normalSilences } from './oracle.ts';

export { formatEvaluation };

const HOUR = 3_600_000;
/** False-alert budget the calibration keeps on training runs (target ≤ 0.01 per household-day, 15 % headroom). */
const FALSE_ALERT_BUDGET = 0.0085;
/** More past silences than four weeks can hold: the household record never takes over. */
const NEVER = 1_000_000;

export function collectRuns(spec: WaterSpec, label: string | null): MeterRun[] {
  const bar =
    label === null
      ? null
      : new SingleBar(
          { format: `${label} |{bar}| {value}/{total} household-months` },
          Presets.shades_classic,
        );
  bar?.start(spec.households, 0);
  const runs: MeterRun[] = [];
  for (const run of generateMeterRuns(spec)) {
    runs.push(run);
    bar?.increment();
  }
  bar?.stop();
  return runs;
}

/** Hourly activity rows for the prior: before any incident, outside absences, without leaks. */
function priorRows(runs: readonly MeterRun[], params: InactivityParams): { x: number[][]; y: number[] } {
  const x: number[][] = [];
  const y: number[] = [];
  for (const run of runs) {
    const stop = run.incident?.at ?? run.endMs;
    const pts = [...run.readings].sort((a, b) => a.ts - b.ts);
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1]!;
      const b = pts[i]!;
      if (b.ts > stop || b.ts - a.ts > 1.5 * HOUR || b.ts - a.ts < 0.5 * HOUR) continue;
      if (run.allAbsences.some((ab) => ab.from < b.ts && ab.to > a.ts)) continue;
      if (run.tap && run.tap.at < b.ts && run.tap.endAt > a.ts) continue;
      x.push(priorFeatures(bucketOf(a.ts, params.utcOffsetMin), run.household));
      y.push(b.litres - a.litres >= params.activeL ? 1 : 0);
    }
  }
  return { x, y };
}

export async function train(
  tf: Tf,
  backend: string,
  options: { spec?: WaterSpec; heldOut?: WaterSpec; root?: string; quiet?: boolean; epochs?: number } = {},
): Promise<{
  dir: string;
  meta: ModelMeta;
  evaluation: { model: InactivityMetrics; baseline: InactivityMetrics };
}> {
  const spec = options.spec ?? TRAIN_SPEC;
  const label = (s: string): string | null => (options.quiet ? null : s);
  const runs = collectRuns(spec, label('simulate training households'));
  const data = priorRows(
    runs.filter((r) => !r.incident?.leakMasked),
    DEFAULT_PARAMS,
  );
  const trained = await trainClassifier(tf, data, {
    classes: CLASSES,
    hidden: [16, 8],
    epochs: options.epochs ?? 12,
    batchSize: 256,
    seed: 5,
    label: label('train cold-start prior'),
  });
  const root = options.root ?? MODELS_ROOT;
  const meta = newModelMeta({
    name: MODEL_NAME,
    root,
    spec,
    data,
    trained,
    backend,
    featureNames: FEATURE_NAMES,
    classes: CLASSES,
    thresholds: {},
    params: storedParams(DEFAULT_PARAMS),
  });
  const alone = collectRuns(
    // Three times the training households: a false-alert budget this small needs many household-days to judge.
    { ...spec, seed: `${spec.seed}/calibration`, households: spec.households * 3, livesAloneOnly: true },
    label('simulate calibration households'),
  );
  // The population floors come from other households than the ones calibration judges them on.
  const silences = collectRuns(
    { ...spec, seed: `${spec.seed}/floors`, livesAloneOnly: true },
    label('simulate population-floor households'),
  ).flatMap(normalSilences);
  const floorsFor = (q: number): number[] | null => (q > 0 ? populationFloors(silences, q) : null);
  const calibrated = calibrate(
    alone,
    priorsFor(tf, trained.model, meta, alone),
    paramsFrom(meta),
    floorsFor,
    label('calibrate silence limits'),
  );
  const floors = floorsFor(calibrated.floorQuantile);
  const limitTable = chooseLimitTable(tf, trained.model, meta, spec, calibrated, floors, {
    label,
    log: options.quiet ? null : (line) => process.stdout.write(`${line}\n`),
  });
  meta.params = { ...storedParams({ ...calibrated, limitTable }), ...floorParams(floors) };
  meta.thresholds = {
    silenceProbability: calibrated.silenceProbability,
    gapFactor: calibrated.gapFactor,
    gapMarginH: calibrated.gapMarginH,
    wakeMarginH: calibrated.wakeMarginH,
    minLimitH: calibrated.minLimitH,
    floorQuantile: calibrated.floorQuantile,
  };
  const heldOut = options.heldOut ?? HELD_OUT_SPEC;
  const test = collectRuns(heldOut, label('simulate held-out households'));
  const evaluation = evaluate(test, priorsFor(tf, trained.model, meta, test), paramsFrom(meta), floors);
  const dir = await saveTrained(tf, trained.model, meta, { seed: heldOut.seed, metrics: evaluation }, root);
  return { dir, meta, evaluation };
}

export async function evalLatest(
  tf: Tf,
  options: { root?: string; heldOut?: WaterSpec } = {},
): Promise<string> {
  const { version, meta, model } = await loadNewest(tf, MODEL_NAME, options.root ?? MODELS_ROOT);
  const heldOut = options.heldOut ?? HELD_OUT_SPEC;
  const test = collectRuns(heldOut, 'simulate held-out households');
  const evaluation = evaluate(test, priorsFor(tf, model, meta, test), paramsFrom(meta), floorsFrom(meta));
  model.dispose();
  return formatEvaluation(evaluation, `${MODEL_NAME}@${version} on held-out seed ${heldOut.seed}`);
}

/** Table budgets tried (false alerts spent on the table households' own spells). */
const TABLE_BUDGETS = [0, 20, 40, 50, 60, 70, 80, 90, 100, 120];

/**
 * The silence-limit table (limits.ts): built on one set of households, and the largest budget
 * kept whose full detector stays within FALSE_ALERT_BUDGET on another (each 600 households:
 * a cell's false alerts are a few in a thousand spells).
 */
function chooseLimitTable(
  tf: Tf,
  model: LayersModel,
  meta: ModelMeta,
  spec: WaterSpec,
  params: InactivityParams,
  floors: number[] | null,
  output: { label: (s: string) => string | null; log: ((line: string) => void) | null },
): number[] {
  const { label, log } = output;
  const alone = (seed: string): WaterSpec => ({
    ...spec,
    seed: `${spec.seed}/${seed}`,
    households: 600,
    livesAloneOnly: true,
  });
  const build = collectRuns(alone('limits'), label('simulate limit-table households')).map(normalSilences);
  const check = collectRuns(alone('limits-check'), label('simulate limit-table check households'));
  const priors = priorsFor(tf, model, meta, check);
  const options: LimitTableOptions = {
    fromHour: 6,
    toHour: 20,
    windowH: params.gapWindowH,
    minGaps: params.minGaps,
    maxSpellH: params.maxSpellH,
    minLimitH: params.minSilenceH,
    startMarginH: 6,
    minSpells: 40,
    sparseMarginH: 2,
  };
  let chosen = buildLimitTable(build, 0, options, params.utcOffsetMin);
  for (const budget of TABLE_BUDGETS) {
    const table = buildLimitTable(build, budget, options, params.utcOffsetMin);
    const e = evaluate(check, priors, { ...params, limitTable: table }, floors).model;
    log?.(`limit table, budget ${budget}: ${e.falseAlertsPerHouseholdDay.toFixed(4)} false alerts/day`);
    if (e.falseAlertsPerHouseholdDay > FALSE_ALERT_BUDGET) break;
    chosen = table;
  }
  return chosen;
}

function priorsFor(tf: Tf, model: LayersModel, meta: ModelMeta, runs: readonly MeterRun[]): number[][] {
  return runs.map((r) => coldStartPrior(tf, model, meta, r.household));
}

/** What calibration minimises: daytime delay (median and tail), misses, night delay past first use. */
function cost(e: InactivityMetrics): number {
  const finite = (v: number, cap: number): number => (Number.isFinite(v) ? Math.min(v, cap) : cap);
  return (
    finite(e.daytimeDelayH.median, 24) +
    0.5 * finite(e.daytimeDelayH.p90, 24) +
    24 * (1 - e.recall12h) +
    finite(e.nightAfterFirstUseH.median, 24)
  );
}

/**
 * Settings tried, a group of parameters at a time (coordinate descent over groups): parameters
 * that trade against each other within the false-alert budget are searched jointly.
 */
const SEARCH: ReadonlyArray<ReadonlyArray<Partial<InactivityParams>>> = [
  grid({ minGaps: [NEVER, 5, 8, 12], gapWindowH: [1, 2, 3] }),
  grid({ minLimitH: [2, 4, 4.5, 5, 5.5, 6], floorQuantile: [0, 0.95, 0.98, 0.99, 0.995] }),
  grid({ gapFactor: [1, 1.15, 1.3, 1.5], gapMarginH: [0.5, 1, 1.5, 2] }),
  grid({ rhythmWithRecord: [0, 1] }),
  grid({ wakeMarginH: [WAKE_OFF_H, 0.5, 1, 1.5], minWakes: [7, 10, 14, 20] }),
];

/** Every combination of the given values. */
function grid(
  values: Partial<Record<keyof InactivityParams, readonly number[]>>,
): Array<Partial<InactivityParams>> {
  let out: Array<Partial<InactivityParams>> = [{}];
  for (const [key, options] of Object.entries(values))
    out = out.flatMap((partial) => options.map((v) => ({ ...partial, [key]: v })));
  return out;
}

/**
 * The most permissive settings that keep training false alerts within budget: first the cold-start
 * silence probability (rhythm only), then — one parameter at a time, twice over — how the
 * household's own record of quiet spells and mornings takes over, keeping whatever lowers the
 * delay cost within the budget.
 */
function calibrate(
  runs: MeterRun[],
  priors: number[][],
  params: InactivityParams,
  floorsFor: (quantile: number) => number[] | null,
  progress: string | null,
): InactivityParams {
  const steps = 9 + [...SEARCH, SEARCH[1]!, SEARCH[4]!].reduce((n, group) => n + group.length, 0);
  const bar =
    progress === null
      ? null
      : new SingleBar({ format: `${progress} |{bar}| {value}/{total} settings` }, Presets.shades_classic);
  bar?.start(steps, 0);
  let best: InactivityParams = {
    ...params,
    silenceProbability: 1e-6,
    minGaps: NEVER,
    rhythmWithRecord: 1,
    wakeMarginH: WAKE_OFF_H,
  };
  for (const p of [1e-6, 1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2]) {
    const e = evaluate(runs, priors, { ...best, silenceProbability: p }, floorsFor(best.floorQuantile)).model;
    bar?.increment();
    if (e.falseAlertsPerHouseholdDay <= FALSE_ALERT_BUDGET) best = { ...best, silenceProbability: p };
  }
  const score = (candidate: InactivityParams): number => {
    bar?.increment();
    const e = evaluate(runs, priors, candidate, floorsFor(candidate.floorQuantile)).model;
    return e.falseAlertsPerHouseholdDay <= FALSE_ALERT_BUDGET ? cost(e) : Number.POSITIVE_INFINITY;
  };
  let bestCost = score(best);
  // The descent starts from the household's own record at ±1 h (rhythm only if that is no better).
  const start: InactivityParams = {
    ...best,
    minGaps: 8,
    gapWindowH: 1,
    gapFactor: 1.2,
    gapMarginH: 1,
    rhythmWithRecord: 0,
    minLimitH: 6,
    wakeMarginH: 1.5,
  };
  const startCost = score(start);
  if (startCost < bestCost) [best, bestCost] = [start, startCost];
  // A second pass over the groups that trade most: the floor under the household limit, the mornings.
  for (const group of [...SEARCH, SEARCH[1]!, SEARCH[4]!])
    for (const partial of group) {
      const candidate = { ...best, ...partial };
      const c = score(candidate);
      if (c < bestCost) {
        bestCost = c;
        best = candidate;
      }
    }
  bar?.stop();
  return best;
}

/**
 * Similar households' long quiet spells by the local hour they start (±1 h): the `quantile` of
 * their lengths plus half an hour, as the floor under each household's own limit.
 */
function populationFloors(
  silences: ReadonlyArray<{ start: number; hours: number }>,
  quantile: number,
): number[] {
  const hourOf = (t: number): number => new Date(t + DEFAULT_PARAMS.utcOffsetMin * 60_000).getUTCHours();
  return Array.from({ length: 24 }, (_, h) => {
    const near = silences
      .filter((s) => {
        const d = Math.abs(hourOf(s.start) - h);
        return Math.min(d, 24 - d) <= 1;
      })
      .map((s) => s.hours);
    return near.length ? quantileOf(near, quantile) + 0.5 : 0;
  });
}
