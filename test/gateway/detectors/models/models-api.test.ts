/**
 * The models stage over HTTP: GET /api/models shows the backend and versions running; a new
 * version folder is swapped in by POST /api/models/:name/reload (engineers only); a broken folder
 * is refused with the running version kept.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelsModule } from '../../../../gateway/src/detectors/models/models-module.ts';
import { listVersions, MODELS_ROOT } from '../../../../models/lib/model-store.ts';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway.ts';

let gw: TestGateway;
let root: string;
const latest = (): number => listVersions('falling-object').at(-1)!;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'weige-models-api-'));
  mkdirSync(path.join(root, 'falling-object'));
  cpSync(path.join(MODELS_ROOT, 'falling-object', String(latest())), path.join(root, 'falling-object', '1'), {
    recursive: true,
  });
  gw = await startTestGateway({}, { modules: [() => createModelsModule({ root, watch: false })] });
});
afterAll(async () => {
  await gw?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('models API', () => {
  it('lists the running models and the backend', async () => {
    const res = await gw.api<{ backend: string; models: Array<{ id: string; features: string[] }> }>(
      'GET',
      '/api/models',
      {
        user: 'engineer',
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.models.map((m) => m.id)).toEqual(['falling-object@1']);
    expect(res.body.models[0]!.features.length).toBeGreaterThan(10);
  });

  it('hot-swaps a new version on reload and refuses a broken one', async () => {
    const forbidden = await gw.api('POST', '/api/models/falling-object/reload', { user: 'property' });
    expect(forbidden.status).toBe(403);
    cpSync(path.join(root, 'falling-object', '1'), path.join(root, 'falling-object', '2'), {
      recursive: true,
    });
    const swapped = await gw.api<{ id: string; version: number }>(
      'POST',
      '/api/models/falling-object/reload',
      {
        user: 'engineer',
      },
    );
    expect(swapped.status).toBe(200);
    expect(swapped.body.id).toBe('falling-object@2');
    mkdirSync(path.join(root, 'falling-object', '3'));
    writeFileSync(path.join(root, 'falling-object', '3', 'meta.json'), '{"name":"falling-object"}');
    const broken = await gw.api<{ error?: unknown }>('POST', '/api/models/falling-object/reload', {
      user: 'engineer',
    });
    expect(broken.status).toBe(400);
    const after = await gw.api<{ models: Array<{ id: string }> }>('GET', '/api/models', { user: 'engineer' });
    expect(after.body.models.map((m) => m.id)).toEqual(['falling-object@2']);
  });
});
