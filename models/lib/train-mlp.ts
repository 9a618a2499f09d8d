/**
 * Shared training loop for the small classifiers: standardise features, fit a 2-hidden-layer
 * MLP with class weights (rare positives must not drown), show a progress bar, hand back the
 * model and the normalisation that predict.ts applies. Deterministic for a given seed.
 */
import { createHash } from 'node:crypto';
import { SingleBar, Presets } from 'cli-progress';
import type { LayersModel } from '@tensorflow/tfjs';
import type { Tf } from './backend.ts';
import { listVersions, readModelFolder, writeModelFolder, type ModelMeta } from './model-store.ts';

export interface Dataset {
  x: number[][];
  /** Class index per row. */
  y: number[];
}

export interface TrainOptions {
  classes: readonly string[];
  hidden?: [number, number];
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** Progress bar label; null to train silently (tests). */
  label?: string | null;
}

export interface TrainedClassifier {
  model: LayersModel;
  mean: number[];
  std: number[];
  epochs: number;
}

export async function trainClassifier(
  tf: Tf,
  data: Dataset,
  options: TrainOptions,
): Promise<TrainedClassifier> {
  const width = data.x[0]!.length;
  const mean = new Array<number>(width).fill(0);
  const std = new Array<number>(width).fill(0);
  for (const row of data.x) row.forEach((v, j) => (mean[j]! += v / data.x.length));
  for (const row of data.x) row.forEach((v, j) => (std[j]! += (v - mean[j]!) ** 2 / data.x.length));
  for (let j = 0; j < width; j++) std[j] = Math.sqrt(std[j]!) || 1;
  const rows = data.x.map((r) => r.map((v, j) => (v - mean[j]!) / std[j]!));

  const k = options.classes.length;
  const counts = new Array<number>(k).fill(0);
  for (const c of data.y) counts[c]!++;
  const classWeight: Record<number, number> = {};
  counts.forEach((n, c) => (classWeight[c] = n > 0 ? data.y.length / (k * n) : 0));

  const [h1, h2] = options.hidden ?? [32, 16];
  const seed = options.seed ?? 1;
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [width],
        units: h1,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.dense({
        units: h2,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
      tf.layers.dense({
        units: k,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
      }),
    ],
  });
  model.compile({
    optimizer: tf.train.adam(options.learningRate ?? 0.01),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const epochs = options.epochs ?? 60;
  const xs = tf.tensor2d(rows);
  const ys = tf.tensor1d(data.y, 'float32');
  const bar =
    options.label === null
      ? null
      : new SingleBar(
          { format: `${options.label ?? 'train'} |{bar}| {value}/{total} epochs  loss {loss}  acc {acc}` },
          Presets.shades_classic,
        );
  bar?.start(epochs, 0, { loss: '-', acc: '-' });
  await model.fit(xs, ys, {
    epochs,
    batchSize: options.batchSize ?? 64,
    shuffle: true,
    classWeight,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        bar?.update(epoch + 1, { loss: (logs?.loss ?? 0).toFixed(4), acc: (logs?.acc ?? 0).toFixed(3) });
      },
    },
  });
  bar?.stop();
  xs.dispose();
  ys.dispose();
  return { model, mean, std, epochs };
}

/** sha256 over the feature matrix and labels: the training data's fingerprint in meta.json. */
export function hashDataset(data: Dataset): string {
  const h = createHash('sha256');
  for (let i = 0; i < data.x.length; i++)
    h.update(`${data.x[i]!.map((v) => v.toPrecision(8)).join(',')};${data.y[i]}\n`);
  return h.digest('hex');
}

/** What differs between models in a new version's meta.json; the rest is derived here. */
export interface NewMetaInput {
  name: string;
  root: string;
  /** The simulator spec the training data came from (its seed and ranges are recorded). */
  spec: { seed: string } & object;
  data: Dataset;
  trained: TrainedClassifier;
  backend: string;
  featureNames: readonly string[];
  classes: readonly string[];
  thresholds: Record<string, number>;
  params: Record<string, number>;
}

/** meta.json for the next version folder of `name`, before held-out evaluation. */
export function newModelMeta(m: NewMetaInput): ModelMeta {
  return {
    name: m.name,
    version: (listVersions(m.name, m.root).at(-1) ?? 0) + 1,
    createdAt: new Date().toISOString(),
    training: {
      seed: m.spec.seed,
      dataHash: hashDataset(m.data),
      samples: m.data.x.length,
      epochs: m.trained.epochs,
      backend: m.backend,
      ranges: { ...m.spec },
    },
    features: { names: [...m.featureNames], mean: m.trained.mean, std: m.trained.std },
    classes: [...m.classes],
    thresholds: m.thresholds,
    params: m.params,
    heldOut: null,
  };
}

/** Saves a trained model's artifacts in memory (then model-store writes the folder). */
export async function modelArtifacts(
  tf: Tf,
  model: LayersModel,
): Promise<import('@tensorflow/tfjs').io.ModelArtifacts> {
  let captured: import('@tensorflow/tfjs').io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured) throw new Error('model.save produced no artifacts');
  return captured;
}

/** Records the held-out evaluation in meta, writes the next version folder, frees the model. */
export async function saveTrained(
  tf: Tf,
  model: LayersModel,
  meta: ModelMeta,
  heldOut: { seed: string; metrics: object },
  root: string,
): Promise<string> {
  meta.heldOut = { seed: heldOut.seed, metrics: { ...heldOut.metrics } };
  const dir = writeModelFolder(await modelArtifacts(tf, model), meta, root);
  model.dispose();
  return dir;
}

/** The newest trained version of a model (or the one asked for), loaded (what `npm run eval` measures). */
export async function loadNewest(
  tf: Tf,
  name: string,
  root: string,
  version = listVersions(name, root).at(-1),
): Promise<{ version: number; meta: ModelMeta; model: LayersModel }> {
  if (version === undefined) throw new Error(`no trained ${name}; run npm run train -- ${name}`);
  const folder = readModelFolder(name, version, root);
  return { version, meta: folder.meta, model: await tf.loadLayersModel(tf.io.fromMemory(folder.artifacts)) };
}
