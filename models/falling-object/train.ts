/**
 * `npm run train -- falling-object`: regenerates tracks with the simulators, trains an ensemble
 * of track classifiers (members from different seeds, probabilities averaged in one saved
 * model), picks the alert threshold for the false-alert budget on a validation set of its own
 * seed drawn over the held-out ranges, evaluates on the held-out set (other seeds, wider ranges) and
 * writes models/falling-object/<next version>/.
 * `npm run eval -- falling-object` re-runs the held-out evaluation of the newest version.
 */
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs';
import type { Tf } from '../lib/backend.ts';
import { MODELS_ROOT, type ModelMeta } from '../lib/model-store.ts';
import { loadNewest, newModelMeta, saveTrained, trainClassifier } from '../lib/train-mlp.ts';
import {
  FALSE_ALERT_SPEC,
  HELD_OUT_SPEC,
  TRAIN_SPEC,
  trainingParts,
  VALIDATION_SPEC,
  type DatasetSpec,
} from './dataset.ts';
import { evaluate, formatEvaluation, type Evaluation } from './evaluate.ts';
import { FEATURE_NAMES } from './features.ts';
import { classify, CLASSES, MODEL_NAME } from './predict.ts';
import { collectRecords, type TrackRecord } from './records.ts';
import { DEFAULT_TRACER_OPTIONS } from './tracer.ts';

/** Tracer and origin parameters recorded in meta.json and used by predict.ts. */
export const PARAMS: Record<string, number> = {
  ...DEFAULT_TRACER_OPTIONS,
  sillM: 1.0,
  rangeSigmas: 2,
  /** Objects leave a window an arm's length out from the façade (predict.ts releasePoint). */
  releaseOffsetM: 0.4,
};

/**
 * False alerts per camera-day the threshold may cost on the validation set (issue 13's budget);
 * birds and insects count as false, unlike vendors count them. Until @9 the threshold kept 97 %
 * validation recall instead, and the false alerts fell where they fell.
 */
const FALSE_ALERT_BUDGET_PER_DAY = 0.1;

/**
 * Seeds of the ensemble's members. Confident mistakes of one member are rarely shared by the
 * others, so the averaged probability of a distractor drops below the threshold. Five since @8:
 * with three, a throw one member doubts sits at p ≈ 2/3, and a threshold just above that step
 * kept 97 % of the validation throws but a point less elsewhere; five members make the steps
 * smaller. Three since @10, at 60 epochs (100 until @9): the machine's time went to the wider
 * track data instead.
 */
const MEMBER_SEEDS = [7, 17, 27];

export interface TrainResult {
  dir: string;
  meta: ModelMeta;
  evaluation: Evaluation;
}

export async function train(
  tf: Tf,
  backend: string,
  options: {
    spec?: DatasetSpec;
    validation?: DatasetSpec;
    heldOut?: DatasetSpec;
    root?: string;
    quiet?: boolean;
    epochs?: number;
    members?: number;
    /** Tracks of these specs already analysed (by `collectRecords`, e.g. in parallel processes). */
    records?: { train: TrackRecord[]; validation: TrackRecord[]; heldOut: TrackRecord[] };
  } = {},
): Promise<TrainResult> {
  const spec = options.spec ?? TRAIN_SPEC;
  const label = (s: string): string | null => (options.quiet ? null : s);
  const trainRows =
    options.records?.train ??
    trainingParts(spec).flatMap((part, i) =>
      collectRecords(part, PARAMS, label(`simulate training tracks ${i + 1}/3`)),
    );
  const validation =
    options.records?.validation ??
    collectRecords(options.validation ?? VALIDATION_SPEC, PARAMS, label('simulate validation tracks'));
  const data = { x: trainRows.map((r) => r.features), y: trainRows.map((r) => CLASSES.indexOf(r.label)) };
  const members = [];
  for (const [i, seed] of MEMBER_SEEDS.slice(0, options.members ?? MEMBER_SEEDS.length).entries())
    members.push(
      await trainClassifier(tf, data, {
        classes: CLASSES,
        epochs: options.epochs ?? 60,
        seed,
        label: label(`train member ${i + 1}/${options.members ?? MEMBER_SEEDS.length}`),
      }),
    );
  // Same data, same standardisation: every member's mean and std are the first one's.
  const trained = {
    ...members[0]!,
    model: averaged(
      tf,
      members.map((m) => m.model),
    ),
  };
  for (const m of members) m.model.dispose();
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
    thresholds: { alert: 0.5, minDropFloors: 2 },
    params: PARAMS,
  });
  Object.assign(meta.thresholds, chooseThreshold(tf, trained.model, meta, validation));
  const heldOut = options.heldOut ?? HELD_OUT_SPEC;
  const evaluation = evaluateOn(
    tf,
    trained.model,
    meta,
    options.records?.heldOut ?? collectRecords(heldOut, PARAMS, label('simulate held-out tracks')),
  );
  const dir = await saveTrained(tf, trained.model, meta, { seed: heldOut.seed, metrics: evaluation }, root);
  return { dir, meta, evaluation };
}

/** Extra evaluation sets, `npm run eval -- falling-object --set <name>`. */
export const EVAL_SETS: Record<string, DatasetSpec> = { 'false-alerts': FALSE_ALERT_SPEC };

export async function evalLatest(
  tf: Tf,
  options: { root?: string; heldOut?: DatasetSpec; version?: number } = {},
): Promise<string> {
  const { version, meta, model } = await loadNewest(
    tf,
    MODEL_NAME,
    options.root ?? MODELS_ROOT,
    options.version,
  );
  const heldOut = options.heldOut ?? HELD_OUT_SPEC;
  const records = collectRecords(heldOut, meta.params, 'simulate held-out tracks');
  const evaluation = evaluateOn(tf, model, meta, records);
  model.dispose();
  return formatEvaluation(evaluation, `${MODEL_NAME}@${version} on held-out seed ${heldOut.seed}`);
}

export { formatEvaluation };

function evaluateOn(tf: Tf, model: LayersModel, meta: ModelMeta, records: TrackRecord[]): Evaluation {
  const probs = classify(tf, model, meta, records);
  // The gateway classifies one track per call: time that, not the batch.
  const t0 = performance.now();
  const runs = Math.min(50, records.length);
  for (let i = 0; i < runs; i++) classify(tf, model, meta, [records[i]!]);
  const perTrack = (performance.now() - t0) / Math.max(runs, 1);
  return evaluate(records, probs, meta, perTrack);
}

/**
 * One model averaging the members' class probabilities, rebuilt layer by layer on a shared input
 * so the folder stays a plain tfjs layers model that predict.ts and the registry load as before.
 */
export function averaged(tf: Tf, members: LayersModel[]): LayersModel {
  const width = members[0]!.inputs[0]!.shape[1]!;
  const input = tf.input({ shape: [width] });
  const outputs = members.map((member, i) => {
    let x: SymbolicTensor = input;
    for (const [j, layer] of member.layers.entries()) {
      const config = layer.getConfig() as { units: number; activation: string };
      const dense = tf.layers.dense({
        units: config.units,
        activation: config.activation as 'relu' | 'softmax',
        name: `member${i + 1}_dense${j + 1}`,
      });
      x = dense.apply(x) as SymbolicTensor;
      dense.setWeights(layer.getWeights());
    }
    return x;
  });
  const mean = outputs.length > 1 ? (tf.layers.average().apply(outputs) as SymbolicTensor) : outputs[0]!;
  return tf.model({ inputs: input, outputs: mean });
}

/**
 * The lowest threshold whose validation false alerts, weighted by a camera-day's distractor mix,
 * stay within the budget: every throw it can keep, at the false-alert rate allowed. Records the
 * validation recall there and the one-sided 95 % bound on the false-alert rate, which a few
 * hundred tracks per distractor cannot bring down to the budget (the held-out set and the field
 * check say more).
 */
function chooseThreshold(
  tf: Tf,
  model: LayersModel,
  meta: ModelMeta,
  validation: TrackRecord[],
): {
  alert: number;
  validationRecall: number;
  validationFalsePerDay: number;
  validationFalsePerDayUpper95: number;
} {
  const probs = classify(tf, model, meta, validation);
  for (let t = 0.05; t <= 0.9951; t += 0.005) {
    const m = { ...meta, thresholds: { ...meta.thresholds, alert: Number(t.toFixed(3)) } };
    const e = evaluate(validation, probs, m, 0).model;
    if (e.falseAlertsPerCameraDay <= FALSE_ALERT_BUDGET_PER_DAY || t >= 0.995)
      return {
        alert: m.thresholds.alert,
        validationRecall: Number(e.recall.toFixed(4)),
        validationFalsePerDay: Number(e.falseAlertsPerCameraDay.toFixed(3)),
        validationFalsePerDayUpper95: Number(e.falseAlertsPerCameraDayUpper95.toFixed(3)),
      };
  }
  throw new Error('unreachable: the threshold loop ends at 0.995');
}
