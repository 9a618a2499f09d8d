/**
 * Model folders load at start and swap while running: a new version written by training is
 * picked up by the directory watch (or an explicit reload), warmed up, then swapped in; a broken
 * folder leaves the running version in place.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type Tf } from '../../../../models/lib/backend.ts';
import { ModelRegistry, type LoadedModel } from '../../../../gateway/src/detectors/models/registry.ts';
import { createRootLogger } from '../../../../gateway/src/core/logger.ts';
import { eventually } from '../../../helpers/gateway.ts';
import { listVersions, writeModelFolder, type ModelMeta } from '../../../../models/lib/model-store.ts';
import { modelArtifacts } from '../../../../models/lib/train-mlp.ts';

let tf: Tf;
const roots: string[] = [];
const log = createRootLogger('silent');

beforeAll(async () => {
  tf = (await selectBackend(null)).tf;
});
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'weige-models-'));
  roots.push(root);
  mkdirSync(path.join(root, 'toy'));
  return root;
}

/** A one-layer model whose output is a constant chosen by its bias: tells versions apart. */
async function writeToy(root: string, version: number, bias: number, inputs = 3): Promise<void> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [inputs],
        units: 1,
        kernelInitializer: 'zeros',
        biasInitializer: tf.initializers.constant({ value: bias }),
      }),
    ],
  });
  const meta: ModelMeta = {
    name: 'toy',
    version,
    createdAt: new Date(0).toISOString(),
    training: { seed: 's', dataHash: 'h', samples: 0, epochs: 0, backend: 'cpu', ranges: {} },
    features: { names: ['a', 'b', 'c'], mean: [0, 0, 0], std: [1, 1, 1] },
    classes: ['out'],
    thresholds: {},
    params: {},
    heldOut: null,
  };
  writeModelFolder(await modelArtifacts(tf, model), meta, root);
  model.dispose();
}

const output = (m: LoadedModel): number =>
  tf.tidy(() => (m.model.predict(tf.ones([1, 3])) as import('@tensorflow/tfjs').Tensor).dataSync()[0]!);

describe('model registry', () => {
  it('loads the newest version folder and names it name@version', async () => {
    const root = tempRoot();
    await writeToy(root, 1, 0.25);
    await writeToy(root, 2, 0.5);
    expect(listVersions('toy', root)).toEqual([1, 2]);
    const registry = new ModelRegistry({ tf, log, root });
    const loaded = await registry.reload('toy');
    expect(loaded?.id).toBe('toy@2');
    expect(output(registry.get('toy')!)).toBeCloseTo(0.5);
    registry.close();
  });

  it('swaps in a new version written while running, through the directory watch', async () => {
    const root = tempRoot();
    await writeToy(root, 1, 0.25);
    const registry = new ModelRegistry({ tf, log, root, debounceMs: 50 });
    await registry.reload('toy');
    const swaps: string[] = [];
    registry.onSwap('toy', (next, previous) => swaps.push(`${previous?.id}->${next.id}`));
    registry.watch(['toy']);
    await writeToy(root, 2, 0.75);
    await eventually(() => registry.get('toy')?.version === 2, 5000);
    expect(output(registry.get('toy')!)).toBeCloseTo(0.75);
    expect(swaps).toEqual(['toy@1->toy@2']);
    registry.close();
  });

  it('keeps the running version when a new folder is broken', async () => {
    const root = tempRoot();
    await writeToy(root, 1, 0.25);
    const registry = new ModelRegistry({ tf, log, root });
    await registry.reload('toy');
    // Version 2 expects 5 inputs while its meta promises 3: the warm-up batch must catch it.
    await writeToy(root, 2, 0.9, 5);
    await expect(registry.reload('toy')).rejects.toThrow();
    expect(registry.get('toy')?.id).toBe('toy@1');
    expect(output(registry.get('toy')!)).toBeCloseTo(0.25);
    // And a folder with unreadable weights.
    mkdirSync(path.join(root, 'toy', '3'));
    writeFileSync(path.join(root, 'toy', '3', 'meta.json'), '{}');
    await expect(registry.reload('toy')).rejects.toThrow();
    expect(registry.get('toy')?.id).toBe('toy@1');
    registry.close();
  });

  it('reports no model when the folder has no version', async () => {
    const registry = new ModelRegistry({ tf, log, root: tempRoot() });
    expect(await registry.reload('toy')).toBeNull();
    expect(await registry.reload('absent')).toBeNull();
    registry.close();
  });
});
