/**
 * `npm run train -- <model>` and `npm run eval -- <model>` (issue 6, "Runtime"). Training runs on
 * the same backend the gateway would pick (tfjs-node if installed, else wasm).
 */
import { selectBackend, type Tf } from './lib/backend.ts';
import * as fallingObject from './falling-object/train.ts';
import * as fireFusion from './fire-fusion/train.ts';
import * as elderlyInactivity from './elderly-inactivity/train.ts';

interface ModelScripts {
  train(tf: Tf, backend: string): Promise<{ dir: string; meta: { version: number }; evaluation: unknown }>;
  evalLatest(tf: Tf, options?: { heldOut?: unknown; version?: number }): Promise<string>;
  /** Extra evaluation sets by name (`--set <name>`), beside the held-out set. */
  EVAL_SETS?: Record<string, unknown>;
  formatEvaluation?: (e: never, title: string) => string;
}

const MODELS: Record<string, ModelScripts> = {
  'falling-object': fallingObject as unknown as ModelScripts,
  'fire-fusion': fireFusion as unknown as ModelScripts,
  'elderly-inactivity': elderlyInactivity as unknown as ModelScripts,
};

async function main(argv: string[]): Promise<number> {
  const [command, nameAt, flag, setName] = argv;
  // `falling-object@9` evaluates that version instead of the newest.
  const [name, versionText] = (nameAt ?? '').split('@');
  const version = versionText === undefined ? undefined : Number(versionText);
  const scripts = name ? MODELS[name] : undefined;
  const set = flag === '--set' && setName ? scripts?.EVAL_SETS?.[setName] : undefined;
  if (
    (command !== 'train' && command !== 'eval') ||
    !scripts ||
    (flag !== undefined && !set) ||
    (version !== undefined && !Number.isInteger(version))
  ) {
    const sets = Object.entries(MODELS).flatMap(([m, s]) =>
      Object.keys(s.EVAL_SETS ?? {}).map((k) => `${m} --set ${k}`),
    );
    process.stderr.write(
      `usage: npm run train -- <model> | npm run eval -- <model>[@version] [--set <name>]\nmodels: ${Object.keys(MODELS).join(', ')}\nsets: ${sets.join(', ') || '—'}\n`,
    );
    return 2;
  }
  const runtime = await selectBackend(null);
  process.stdout.write(
    `TensorFlow.js backend: ${runtime.backend}${runtime.fallbackReasons.length ? ` (${runtime.fallbackReasons.join('; ')})` : ''}\n`,
  );
  const started = Date.now();
  if (command === 'train') {
    const result = await scripts.train(runtime.tf, runtime.backend);
    const report = scripts.formatEvaluation?.(
      result.evaluation as never,
      `${name}@${result.meta.version} on held-out data`,
    );
    process.stdout.write(
      `\nwrote ${result.dir} in ${((Date.now() - started) / 1000).toFixed(0)} s\n\n${report ?? ''}\n`,
    );
  } else {
    const options = { ...(set ? { heldOut: set } : {}), ...(version !== undefined ? { version } : {}) };
    process.stdout.write(`\n${await scripts.evalLatest(runtime.tf, options)}\n`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
