/**
 * The import rules (.dependency-cruiser.cjs, run by `npm test` as `npm run depcheck`) catch a
 * wrong-way import. A small tree in a temp dir, laid out like the gateway, is checked with the
 * project's own rules: the store importing the API, a model importing the ingest stage and a
 * two-file cycle are refused by name; imports toward contracts and core pass. The tools around
 * the gateway reach only its bottom parts (contracts, the site library) and, for the rules CLI,
 * the rules public API.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../gateway/src/config/settings.ts';

const DEPCRUISE = path.join(REPO_ROOT, 'node_modules/.bin/depcruise');
const RULES = path.join(REPO_ROOT, '.dependency-cruiser.cjs');

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'weige-deps-'));
  writeFileSync(
    path.join(root, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true } }),
  );
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

async function check(root: string, parts = ['gateway', 'models']): Promise<{ code: number; out: string }> {
  const run = promisify(execFile)(DEPCRUISE, [...parts, '--config', RULES, '--output-type', 'err'], {
    cwd: root,
  });
  return run.then(
    ({ stdout, stderr }) => ({ code: 0, out: stdout + stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      out: err.stdout + err.stderr,
    }),
  );
}

const CLEAN = {
  'gateway/src/contracts/alerts.ts': 'export type Alert = { id: string };\n',
  'gateway/src/core/clock.ts':
    "import type { Alert } from '../contracts/alerts.ts';\nexport type Stamp = Alert['id'];\n",
  'gateway/src/alerting/store.ts':
    "import type { Stamp } from '../core/clock.ts';\nexport const s: Stamp = 'a';\n",
  'gateway/src/api/app.ts': "import { s } from '../alerting/store.ts';\nexport const app = s;\n",
  'models/throws/predict.ts':
    "import type { Alert } from '../../gateway/src/contracts/alerts.ts';\nexport type P = Alert;\n",
};

describe('import rules', { timeout: 60_000 }, () => {
  it('pass a tree whose imports follow the pipeline', async () => {
    const { code, out } = await check(tree(CLEAN));
    expect(out).toContain('no dependency violations found (5 modules, 4 dependencies cruised)');
    expect(code).toBe(0);
  });

  it('refuse a wrong-way import, a model reaching into the gateway, and a cycle, naming each rule', async () => {
    const { code, out } = await check(
      tree({
        ...CLEAN,
        'gateway/src/store/readings.ts': "import { app } from '../api/app.ts';\nexport const r = app;\n",
        'models/throws/train.ts':
          "import { r } from '../../gateway/src/store/readings.ts';\nexport const t = r;\n",
        'gateway/src/detectors/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
        'gateway/src/detectors/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
      }),
    );
    expect(code).not.toBe(0);
    expect(out).toContain('store-not-downstream: gateway/src/store/readings.ts → gateway/src/api/app.ts');
    expect(out).toContain('models-not-into-gateway: models/throws/train.ts → gateway/src/store/readings.ts');
    expect(out).toMatch(/no-cycles: gateway\/src\/detectors\/a\.ts →/);
  });

  it('let simulators, models and the rules CLI use the bottom parts, and refuse them the rest', async () => {
    const bottom = {
      ...CLEAN,
      'gateway/src/site/site-loader.ts':
        "import type { Alert } from '../contracts/alerts.ts';\nexport const load = (): Alert[] => [];\n",
      'gateway/src/codecs/registry.ts': 'export const decode = (raw: string) => raw;\n',
      'gateway/src/detectors/rules/engine.ts': 'export const run = () => 1;\n',
      'gateway/src/detectors/rules/public-api.ts':
        "import { run } from './engine.ts';\nexport const checkRules = () => run();\n",
    };
    const fine = await check(
      tree({
        ...bottom,
        'simulators/cli.ts':
          "import { load } from '../gateway/src/site/site-loader.ts';\nexport const s = load;\n",
        'models/lib/sim-readings.ts':
          "import { decode } from '../../gateway/src/codecs/registry.ts';\nimport { load } from '../../gateway/src/site/site-loader.ts';\nexport const m = [decode, load];\n",
        'rules/cli.ts':
          "import { checkRules } from '../gateway/src/detectors/rules/public-api.ts';\nexport const c = checkRules;\n",
      }),
      ['gateway', 'models', 'simulators', 'rules'],
    );
    expect(fine.out).toContain('no dependency violations found');
    expect(fine.code).toBe(0);

    const wrong = await check(
      tree({
        ...bottom,
        'simulators/cli.ts':
          "import { decode } from '../gateway/src/codecs/registry.ts';\nexport const s = decode;\n",
        'rules/cli.ts':
          "import { run } from '../gateway/src/detectors/rules/engine.ts';\nexport const c = run;\n",
        'gateway/src/site/site-index.ts':
          "import { s } from '../alerting/store.ts';\nexport const index = s;\n",
      }),
      ['gateway', 'models', 'simulators', 'rules'],
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.out).toContain(
      'simulators-contracts-only: simulators/cli.ts → gateway/src/codecs/registry.ts',
    );
    expect(wrong.out).toContain(
      'rules-tools-over-public-api: rules/cli.ts → gateway/src/detectors/rules/engine.ts',
    );
    expect(wrong.out).toContain(
      'site-is-a-bottom-part: gateway/src/site/site-index.ts → gateway/src/alerting/store.ts',
    );
  });
});
