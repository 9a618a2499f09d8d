/**
 * The falling-object ensemble (train.ts `averaged`): one tfjs layers model whose output is the
 * mean of its members' class probabilities, saved and loaded like any other model folder.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { selectBackend, type Tf } from '../../../models/lib/backend.ts';
import { modelArtifacts } from '../../../models/lib/train-mlp.ts';
import { averaged } from '../../../models/falling-object/train.ts';

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend(null)).tf;
});

/** A member like trainClassifier builds (4 inputs → 6 → 5 → 3 classes), weights from a seed. */
function member(seed: number): LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 6, activation: 'relu', kernelInitializer: init(seed) }),
      tf.layers.dense({ units: 5, activation: 'relu', kernelInitializer: init(seed + 1) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(seed + 2) }),
    ],
  });
}

const predict = (model: LayersModel, rows: number[][]): number[] =>
  Array.from(tf.tidy(() => (model.predict(tf.tensor2d(rows)) as Tensor).dataSync()));

describe('falling-object ensemble', () => {
  const rows = [
    [0.5, -1, 2, 0],
    [-0.3, 0.8, -1.5, 1.2],
    [2, 2, -2, -2],
  ];

  it('outputs the mean of its members’ probabilities, and survives a save and load', async () => {
    const members = [member(1), member(11), member(21)];
    const each = members.map((m) => predict(m, rows));
    const mean = each[0]!.map((_, i) => each.reduce((s, p) => s + p[i]!, 0) / each.length);
    const ensemble = averaged(tf, members);
    members.forEach((m) => m.dispose());
    expect(predict(ensemble, rows).map((v) => Number(v.toFixed(5)))).toEqual(
      mean.map((v) => Number(v.toFixed(5))),
    );
    // Members differ: averaging is not a no-op on this input.
    expect(Math.max(...each[0]!.map((v, i) => Math.abs(v - each[1]![i]!)))).toBeGreaterThan(1e-3);

    const loaded = await tf.loadLayersModel(tf.io.fromMemory(await modelArtifacts(tf, ensemble)));
    expect(predict(loaded, rows).map((v) => Number(v.toFixed(5)))).toEqual(
      mean.map((v) => Number(v.toFixed(5))),
    );
    ensemble.dispose();
    loaded.dispose();
  });

  it('is the member itself when there is one', () => {
    const only = member(3);
    const expected = predict(only, rows);
    const ensemble = averaged(tf, [only]);
    only.dispose();
    expect(predict(ensemble, rows).map((v) => Number(v.toFixed(6)))).toEqual(
      expected.map((v) => Number(v.toFixed(6))),
    );
    ensemble.dispose();
  });
});
