/**
 * `npm run train -- elderly-inactivity`: regenerates household-months with the simulators, trains
 * the cold-start prior (TF.js: P(water activity) by hour and household attributes), calibrates
 * the silence threshold on the training runs, evaluates on the held-out runs next to the 12-hour
 * rule and writes models/elderly-inactivity/<next version>/.
 */
import { SingleBar, Presets } from 'cli-progress';
import type { LayersModel } from '@tensorflow/tfjs';
import type { Tf } from '../../gateway/src/detectors/models/backend.ts';
import {
  listVersions,
  MODELS_ROOT,
  readModelFolder,
  writeModelFolder,
  type ModelMeta,
} from '../lib/model-store.ts';
import { modelArtifacts, newModelMeta, trainClassifier } from '../lib/train-mlp.ts';
import { generateMeterRuns, HELD_OUT_SPEC, TRAIN_SPEC, type MeterRun, type WaterSpec } from './dataset.ts';
import { evaluate, formatEvaluation, type InactivityMetrics } from './evaluate.ts';
import { bucketOf, DEFAULT_PARAMS, WAKE_OFF_H, type InactivityParams } from './household.ts';
import { CLASSES, coldStartPrior, FEATURE_NAMES, MODEL_NAME, paramsFrom, priorFeatures } from './predict.ts';

export { formatEvaluation };

const HOUR = 3_600_000;
/** False-alert budget the calibration keeps on training runs (target ≤ 0.01 per household-day, with headroom). */
const FALSE_ALERT_BUDGET = 0.008;
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
      if (run.absences.some((ab) => ab.from < b.ts && ab.to > a.ts)) continue;
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
    params: { ...DEFAULT_PARAMS },
  });
  const alone = collectRuns(
    // Twice the training households: a false-alert budget of 0.008 a day needs many household-days to judge.
    { ...spec, seed: `${spec.seed}/calibration`, households: spec.households * 2, livesAloneOnly: true },
    label('simulate calibration households'),
  );
  const calibrated = calibrate(
    alone,
    priorsFor(tf, trained.model, meta, alone),
    paramsFrom(meta),
    label('calibrate silence limits'),
  );
  meta.params = { ...calibrated };
  meta.thresholds = {
    silenceProbability: calibrated.silenceProbability,
    gapFactor: calibrated.gapFactor,
    gapMarginH: calibrated.gapMarginH,
    wakeMarginH: calibrated.wakeMarginH,
    minLimitH: calibrated.minLimitH,
  };
  const heldOut = options.heldOut ?? HELD_OUT_SPEC;
  const test = collectRuns(heldOut, label('simulate held-out households'));
  const evaluation = evaluate(test, priorsFor(tf, trained.model, meta, test), paramsFrom(meta));
  meta.heldOut = { seed: heldOut.seed, metrics: { ...evaluation } };
  const dir = writeModelFolder(await modelArtifacts(tf, trained.model), meta, root);
  trained.model.dispose();
  return { dir, meta, evaluation };
}

export async function evalLatest(
  tf: Tf,
  options: { root?: string; heldOut?: WaterSpec } = {},
): Promise<string> {
  const root = options.root ?? MODELS_ROOT;
  const version = listVersions(MODEL_NAME, root).at(-1);
  if (version === undefined) throw new Error(`no trained ${MODEL_NAME}; run npm run train -- ${MODEL_NAME}`);
  const folder = readModelFolder(MODEL_NAME, version, root);
  const model = await tf.loadLayersModel(tf.io.fromMemory(folder.artifacts));
  const heldOut = options.heldOut ?? HELD_OUT_SPEC;
  const test = collectRuns(heldOut, 'simulate held-out households');
  const evaluation = evaluate(test, priorsFor(tf, model, folder.meta, test), paramsFrom(folder.meta));
  model.dispose();
  return formatEvaluation(evaluation, `${MODEL_NAME}@${version} on held-out seed ${heldOut.seed}`);
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
    0.5 * finite(e.nightAfterFirstUseH.median, 24)
  );
}

/** Settings tried for each parameter, one parameter at a time (coordinate descent). */
const SEARCH: ReadonlyArray<[keyof InactivityParams, readonly number[]]> = [
  ['minGaps', [NEVER, 5, 8, 12]],
  ['minLimitH', [2, 4, 4.5, 5, 5.5, 6, 6.5]],
  ['gapWindowH', [1, 2, 3]],
  ['gapFactor', [1, 1.15, 1.3, 1.5]],
  ['gapMarginH', [0.5, 1, 1.5, 2]],
  ['rhythmWithRecord', [0, 1]],
  ['wakeMarginH', [WAKE_OFF_H, 0.5, 1, 1.5, 2]],
  ['minWakes', [4, 7, 10]],
];

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
  progress: string | null,
): InactivityParams {
  const steps = 9 + 2 * SEARCH.reduce((n, [, values]) => n + values.length, 0);
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
    const e = evaluate(runs, priors, { ...best, silenceProbability: p }).model;
    bar?.increment();
    if (e.falseAlertsPerHouseholdDay <= FALSE_ALERT_BUDGET) best = { ...best, silenceProbability: p };
  }
  const score = (candidate: InactivityParams): number => {
    const e = evaluate(runs, priors, candidate).model;
    bar?.increment();
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
  for (let pass = 0; pass < 2; pass++)
    for (const [key, values] of SEARCH)
      for (const value of values) {
        if (best[key] === value) {
          bar?.increment();
          continue;
        }
        const candidate = { ...best, [key]: value };
        const c = score(candidate);
        if (c < bestCost) {
          bestCost = c;
          best = candidate;
        }
      }
  bar?.stop();
  return best;
}
