/**
 * Versioned model folders on disk: `models/<name>/<version>/` holding `model.json` (tfjs layers
 * topology + weights manifest), `weights.bin` and `meta.json`. The plain tfjs package has no
 * file:// IO in Node, so artifacts are read and written here and handed to tfjs in memory.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { io } from '@tensorflow/tfjs';

export const MODELS_ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** What a model folder's meta.json records (issue 6, "Runtime"). */
export interface ModelMeta {
  name: string;
  version: number;
  createdAt: string;
  training: {
    /** Simulator seed of the training set; the same seed regenerates the same data. */
    seed: string;
    /** sha256 of the training feature matrix and labels. */
    dataHash: string;
    samples: number;
    epochs: number;
    backend: string;
    /** Parameter ranges the simulator drew from. */
    ranges: Record<string, unknown>;
  };
  features: { names: string[]; mean: number[]; std: number[] };
  classes: string[];
  thresholds: Record<string, number>;
  /** Extra model parameters used by predict.ts (tracer priors, sill height…). */
  params: Record<string, number>;
  /** Held-out evaluation, model next to baseline. */
  heldOut: { seed: string; metrics: Record<string, unknown> } | null;
}

export interface ModelFolder {
  dir: string;
  meta: ModelMeta;
  artifacts: io.ModelArtifacts;
}

/** Integer version folders under models/<name>/, ascending. */
export function listVersions(name: string, root = MODELS_ROOT): number[] {
  const dir = path.join(root, name);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d+$/.test(d.name))
    .filter((d) => existsSync(path.join(dir, d.name, 'meta.json')))
    .map((d) => Number(d.name))
    .sort((a, b) => a - b);
}

export function readModelFolder(name: string, version: number, root = MODELS_ROOT): ModelFolder {
  const dir = path.join(root, name, String(version));
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as ModelMeta;
  const modelJson = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ paths: string[]; weights: io.WeightsManifestEntry[] }>;
    format?: string;
    generatedBy?: string;
    convertedBy?: string | null;
  };
  const buffers: Buffer[] = [];
  const specs: io.WeightsManifestEntry[] = [];
  for (const group of modelJson.weightsManifest) {
    for (const p of group.paths) buffers.push(readFileSync(path.join(dir, p)));
    specs.push(...group.weights);
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return {
    dir,
    meta,
    artifacts: {
      modelTopology: modelJson.modelTopology,
      weightSpecs: specs,
      weightData,
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      convertedBy: modelJson.convertedBy ?? null,
    },
  };
}

/**
 * Writes a model folder atomically: into `<version>.tmp` first, renamed when complete, so a
 * registry watching the directory never loads half a model.
 */
export function writeModelFolder(artifacts: io.ModelArtifacts, meta: ModelMeta, root = MODELS_ROOT): string {
  const final = path.join(root, meta.name, String(meta.version));
  const tmp = `${final}.tmp`;
  mkdirSync(tmp, { recursive: true });
  const weights = artifacts.weightData;
  const bytes = Array.isArray(weights)
    ? Buffer.concat(weights.map((b) => Buffer.from(b)))
    : Buffer.from(weights ?? new ArrayBuffer(0));
  writeFileSync(path.join(tmp, 'weights.bin'), bytes);
  const modelJson = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
  };
  writeFileSync(path.join(tmp, 'model.json'), JSON.stringify(modelJson) + '\n');
  writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  renameSync(tmp, final);
  return final;
}
