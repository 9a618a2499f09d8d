/**
 * Chooses the TensorFlow.js backend once per process (issue 6, "Runtime"): the native
 * `@tensorflow/tfjs-node` when it is installed (declared optional: its install downloads
 * libtensorflow and fails offline), otherwise `@tensorflow/tfjs` on the wasm backend, whose
 * binaries ship inside the npm package and are loaded from node_modules by file path, never
 * fetched. The plain-JS cpu backend is the last resort. It logs which one it picked.
 *
 * Shared by the gateway's model runners and the training code (models/lib: both sides import it,
 * neither imports the other's internals).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Logger } from 'pino';

export type Tf = typeof import('@tensorflow/tfjs');
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface TfRuntime {
  tf: Tf;
  backend: BackendName;
  /** Why the better backends were passed over, for the log and `GET /api/models`. */
  fallbackReasons: string[];
}

/** Module loaders, injectable so tests can make the native or the wasm path fail. */
export interface BackendLoaders {
  native(): Promise<Tf>;
  portable(): Promise<Tf>;
  wasm(): Promise<{ setWasmPaths(prefix: string): void }>;
}

const require = createRequire(import.meta.url);

// The native package is optional and usually absent, so its name must not be a static import.
const NATIVE_PACKAGE = '@tensorflow/tfjs-node';

export const DEFAULT_LOADERS: BackendLoaders = {
  native: async () => (await import(NATIVE_PACKAGE)) as Tf,
  portable: () => import('@tensorflow/tfjs'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
};

/** Directory holding tfjs-backend-wasm's .wasm files, with a trailing separator as setWasmPaths wants. */
export function wasmDirectory(): string {
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkg), 'dist') + path.sep;
}

export async function selectBackend(
  log: Logger | null,
  loaders: BackendLoaders = DEFAULT_LOADERS,
): Promise<TfRuntime> {
  const fallbackReasons: string[] = [];
  try {
    const tf = await loaders.native();
    await tf.setBackend('tensorflow');
    await tf.ready();
    if (tf.getBackend() !== 'tensorflow') throw new Error(`backend is ${tf.getBackend()}`);
    log?.info({ backend: 'tensorflow' }, 'TensorFlow.js backend: tfjs-node (native)');
    return { tf, backend: 'tensorflow', fallbackReasons };
  } catch (err) {
    fallbackReasons.push(`tfjs-node: ${reason(err)}`);
  }
  const tf = await loaders.portable();
  try {
    const wasm = await loaders.wasm();
    wasm.setWasmPaths(wasmDirectory());
    if (!(await tf.setBackend('wasm'))) throw new Error('setBackend(wasm) returned false');
    await tf.ready();
    log?.info({ backend: 'wasm', fallbackReasons }, 'TensorFlow.js backend: wasm');
    return { tf, backend: 'wasm', fallbackReasons };
  } catch (err) {
    fallbackReasons.push(`wasm: ${reason(err)}`);
  }
  await tf.setBackend('cpu');
  await tf.ready();
  log?.warn({ backend: 'cpu', fallbackReasons }, 'TensorFlow.js backend: cpu (slow fallback)');
  return { tf, backend: 'cpu', fallbackReasons };
}

function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 200);
}
