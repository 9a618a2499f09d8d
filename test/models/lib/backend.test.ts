/** Backend choice: native when it loads, else wasm from node_modules, else cpu — and it says so. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOADERS,
  selectBackend,
  wasmDirectory,
  type BackendLoaders,
} from '../../../models/lib/backend.ts';
import { createRootLogger } from '../../../gateway/src/core/logger.ts';
import { REPO_ROOT } from '../../../gateway/src/config/settings.ts';

function capturingLogger(): {
  log: ReturnType<typeof createRootLogger>;
  lines: Array<Record<string, unknown>>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const log = createRootLogger('info');
  const child = log.child({});
  for (const level of ['info', 'warn'] as const) {
    (child as unknown as Record<string, (o: Record<string, unknown>, m: string) => void>)[level] = (o, m) =>
      lines.push({ ...o, level, msg: m });
  }
  return { log: child, lines };
}

describe('TensorFlow.js backend selection', () => {
  it('falls back to wasm when tfjs-node is not installed, loading the binaries from node_modules', async () => {
    const { log, lines } = capturingLogger();
    const missing = new Error("Cannot find package '@tensorflow/tfjs-node'");
    const runtime = await selectBackend(log, { ...DEFAULT_LOADERS, native: () => Promise.reject(missing) });
    expect(runtime.backend).toBe('wasm');
    expect(runtime.tf.getBackend()).toBe('wasm');
    expect(runtime.fallbackReasons).toEqual([`tfjs-node: ${missing.message}`]);
    expect(lines.some((l) => l.msg === 'TensorFlow.js backend: wasm' && l.backend === 'wasm')).toBe(true);
    expect(existsSync(path.join(wasmDirectory(), 'tfjs-backend-wasm.wasm'))).toBe(true);
    expect(runtime.tf.add(runtime.tf.scalar(2), runtime.tf.scalar(3)).dataSync()[0]).toBe(5);
  });

  it('with the loaders as shipped, takes tfjs-node where it is installed and wasm where it is not', async () => {
    // tfjs-node is an optional dependency that cannot install offline; where it does, it wins.
    const nativeInstalled = existsSync(
      path.join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-node/package.json'),
    );
    const runtime = await selectBackend(capturingLogger().log, DEFAULT_LOADERS);
    expect(runtime.backend).toBe(nativeInstalled ? 'tensorflow' : 'wasm');
  });

  it('uses the cpu backend, with a warning, when wasm cannot start either', async () => {
    const { log, lines } = capturingLogger();
    const loaders: BackendLoaders = {
      native: () => Promise.reject(new Error('native binding missing')),
      portable: DEFAULT_LOADERS.portable,
      wasm: () => Promise.reject(new Error('wasm unavailable')),
    };
    const runtime = await selectBackend(log, loaders);
    expect(runtime.backend).toBe('cpu');
    expect(runtime.fallbackReasons).toEqual(['tfjs-node: native binding missing', 'wasm: wasm unavailable']);
    expect(lines.find((l) => l.level === 'warn')?.backend).toBe('cpu');
    expect(runtime.tf.mul(runtime.tf.scalar(2), runtime.tf.scalar(4)).dataSync()[0]).toBe(8);
  });

  it('prefers the native backend when it loads', async () => {
    const portable = await DEFAULT_LOADERS.portable();
    // A stand-in for tfjs-node: same API, registering a backend called "tensorflow".
    portable.registerBackend('tensorflow', () => portable.findBackendFactory('cpu')!() as never, 1);
    const { log, lines } = capturingLogger();
    const runtime = await selectBackend(log, { ...DEFAULT_LOADERS, native: async () => portable });
    expect(runtime.backend).toBe('tensorflow');
    expect(runtime.fallbackReasons).toEqual([]);
    expect(lines[0]!.msg).toBe('TensorFlow.js backend: tfjs-node (native)');
    portable.removeBackend('tensorflow');
  });
});
