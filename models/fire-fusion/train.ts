/**
 * `npm run train -- fire-fusion`: regenerates shed runs with the simulators (runaways, nuisances,
 * quiet days), trains the window classifier, picks the fire_risk threshold on a validation split,
 * evaluates on the held-out runs and writes models/fire-fusion/<next version>/.
 */
import { SingleBar, Presets } from 'cli-progress';
import type { LayersModel } from '@tensorflow/tfjs';
import type { Tf } from '../lib/backend.ts';
import { MODELS_ROOT, type ModelMeta } from '../lib/model-store.ts';
import { loadNewest, newModelMeta, saveTrained, trainClassifier } from '../lib/train-mlp.ts';
import { generateRuns, HELD_OUT_SPEC, TRAIN_SPEC, type FireSpec, type Run } from './dataset.ts';
import { evaluate, formatEvaluation, type FireMetrics } from './evaluate.ts';
import { FEATURE_NAMES } from './features.ts';
import { classify, CLASSES, DEFAULT_THRESHOLDS, MODEL_NAME } from './predict.ts';

export { formatEvaluation };

export function collectRuns(spec: FireSpec, label: string | null): Run[] {
  const total = spec.runaways + spec.quietRuns;
  const bar =
    label === null
      ? null
      : new SingleBar({ format: `${label} |{bar}| {value}/{total} runs` }, Presets.shades_classic);
  bar?.start(total, 0);
  const runs: Run[] = [];
  for (const run of generateRuns(spec)) {
    runs.push(run);
    bar?.increment();
  }
  bar?.stop();
  return runs;
}

export async function train(
  tf: Tf,
  backend: string,
  options: { spec?: FireSpec; heldOut?: FireSpec; root?: string; quiet?: boolean; epochs?: number } = {},
): Promise<{ dir: string; meta: ModelMeta; evaluation: { model: FireMetrics; baseline: FireMetrics } }> {
  const spec = options.spec ?? TRAIN_SPEC;
  const label = (s: string): string | null => (options.quiet ? null : s);
  const runs = collectRuns(spec, label('simulate training sheds'));
  const isValidation = (i: number): boolean => i % 5 === 4;
  const trainRuns = runs.filter((_, i) => !isValidation(i));
  const validation = runs.filter((_, i) => isValidation(i));
  const rows = trainRuns.flatMap((r) => r.windows);
  const data = { x: rows.map((w) => w.features), y: rows.map((w) => CLASSES.indexOf(w.label)) };
  const trained = await trainClassifier(tf, data, {
    classes: CLASSES,
    epochs: options.epochs ?? 30,
    batchSize: 256,
    seed: 11,
    label: label('train classifier'),
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
    thresholds: { ...DEFAULT_THRESHOLDS },
    params: {},
  });
  meta.thresholds.risk = chooseRiskThreshold(tf, trained.model, meta, validation);
  const heldOut = options.heldOut ?? HELD_OUT_SPEC;
  const evaluation = evaluateOn(
    tf,
    trained.model,
    meta,
    collectRuns(heldOut, label('simulate held-out sheds')),
  );
  const dir = await saveTrained(tf, trained.model, meta, { seed: heldOut.seed, metrics: evaluation }, root);
  return { dir, meta, evaluation };
}

export async function evalLatest(
  tf: Tf,
  options: { root?: string; heldOut?: FireSpec } = {},
): Promise<string> {
  const { version, meta, model } = await loadNewest(tf, MODEL_NAME, options.root ?? MODELS_ROOT);
  const heldOut = options.heldOut ?? HELD_OUT_SPEC;
  const evaluation = evaluateOn(tf, model, meta, collectRuns(heldOut, 'simulate held-out sheds'));
  model.dispose();
  return formatEvaluation(evaluation, `${MODEL_NAME}@${version} on held-out seed ${heldOut.seed}`);
}

function evaluateOn(tf: Tf, model: LayersModel, meta: ModelMeta, runs: Run[]) {
  const probs = runs.map((r) => classify(tf, model, meta, r.windows));
  // The gateway classifies one shed window per call: time that.
  const sample = runs[0]?.windows.slice(0, 50) ?? [];
  const t0 = performance.now();
  for (const w of sample) classify(tf, model, meta, [w]);
  const decisionMs = (performance.now() - t0) / Math.max(sample.length, 1);
  return evaluate(runs, probs, meta, decisionMs);
}

/** Highest fire_risk threshold that still flags every validation runaway before visible smoke. */
function chooseRiskThreshold(tf: Tf, model: LayersModel, meta: ModelMeta, validation: Run[]): number {
  const probs = validation.map((r) => classify(tf, model, meta, r.windows));
  let best = 0.5;
  for (const risk of [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99]) {
    const m = { ...meta, thresholds: { ...meta.thresholds, risk } };
    const e = evaluate(validation, probs, m, 0).model;
    if (e.riskBeforeSmoke >= 1) best = risk;
  }
  return best;
}
