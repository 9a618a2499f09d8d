/**
 * The model folders the training scripts write and `npm run eval` reads: each save is the next
 * version with its held-out metrics recorded, and the newest one loads with the same outputs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { selectBackend, type Tf } from '../../../models/lib/backend.ts';
import type { ModelMeta } from '../../../models/lib/model-store.ts';
import { loadNewest, saveTrained } from '../../../models/lib/train-mlp.ts';

let tf: Tf;
const root = mkdtempSync(path.join(os.tmpdir(), 'weige-models-'));
beforeAll(async () => {
  tf = (await selectBackend(null)).tf;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tiny(seed: number): LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [2],
        units: 2,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
    ],
  });
}

function meta(version: number): ModelMeta {
  return {
    name: 'tiny',
    version,
    createdAt: new Date(0).toISOString(),
    training: { seed: 's', dataHash: 'h', samples: 1, epochs: 1, backend: 'test', ranges: {} },
    features: { names: ['a', 'b'], mean: [0, 0], std: [1, 1] },
    classes: ['x', 'y'],
    thresholds: { alert: 0.5 },
    params: {},
    heldOut: null,
  };
}

const predict = (model: LayersModel): number[] =>
  Array.from(tf.tidy(() => (model.predict(tf.tensor2d([[0.3, -1.2]])) as Tensor).dataSync()));

describe('model folders', () => {
  it('saves versions with their held-out metrics, and loads the newest', async () => {
    await expect(loadNewest(tf, 'tiny', root)).rejects.toThrow(/no trained tiny/);
    await saveTrained(tf, tiny(1), meta(1), { seed: 'held/1', metrics: { recall: 0.9 } }, root);
    const second = tiny(2);
    const expected = predict(second);
    const dir = await saveTrained(tf, second, meta(2), { seed: 'held/2', metrics: { recall: 0.95 } }, root);
    expect(path.basename(dir)).toBe('2');
    const newest = await loadNewest(tf, 'tiny', root);
    expect(newest.version).toBe(2);
    expect(newest.meta.heldOut).toEqual({ seed: 'held/2', metrics: { recall: 0.95 } });
    expect(predict(newest.model).map((v) => v.toFixed(6))).toEqual(expected.map((v) => v.toFixed(6)));
    newest.model.dispose();
  });
});
