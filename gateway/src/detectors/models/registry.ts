/**
 * Loaded models by name, newest version first, swappable while the gateway runs: a new version
 * folder under models/<name>/ (written atomically by `npm run train`) is noticed by a directory
 * watch, loaded, warmed up on a zero batch, and only then swapped in; a broken folder leaves the
 * running version in place. `reload()` does the same on demand (POST /api/models/:name/reload).
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import type { Logger } from '../../core/logger.ts';
import {
  listVersions,
  MODELS_ROOT,
  readModelFolder,
  type ModelMeta,
} from '../../../../models/lib/model-store.ts';
import type { Tf } from '../../../../models/lib/backend.ts';

export interface LoadedModel {
  name: string;
  version: number;
  /** `name@version`, the value of an alert's `source.model`. */
  id: string;
  meta: ModelMeta;
  model: LayersModel;
  loadedAt: number;
}

export type SwapListener = (next: LoadedModel, previous: LoadedModel | null) => void;

export interface ModelRegistryOptions {
  tf: Tf;
  log: Logger;
  /** Folder holding models/<name>/<version>/; the repository's models/ by default. */
  root?: string;
  /** How long to wait for a burst of file events to settle before reloading, ms. */
  debounceMs?: number;
}

export class ModelRegistry {
  private readonly models = new Map<string, LoadedModel>();
  private readonly listeners = new Map<string, Set<SwapListener>>();
  private readonly watchers: FSWatcher[] = [];
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly root: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ModelRegistryOptions) {
    this.root = options.root ?? MODELS_ROOT;
  }

  get(name: string): LoadedModel | undefined {
    return this.models.get(name);
  }

  list(): LoadedModel[] {
    return [...this.models.values()];
  }

  /** Calls `fn` after every swap of `name` (and never for a failed load). Returns an unsubscribe. */
  onSwap(name: string, fn: SwapListener): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /**
   * Loads the newest version of `name` unless it is already running. Loads are serialised so a
   * watch event and an API reload never race. Resolves to the running model, or null when the
   * folder has no version at all.
   */
  reload(name: string): Promise<LoadedModel | null> {
    const next = this.chain.then(() => this.loadNewest(name));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Watches models/<name>/ for new versions. */
  watch(names: readonly string[]): void {
    for (const name of names) {
      const dir = path.join(this.root, name);
      try {
        const w = watch(dir, () => this.scheduleReload(name));
        w.on('error', (err) => this.options.log.warn({ err, model: name }, 'model folder watch failed'));
        this.watchers.push(w);
      } catch (err) {
        this.options.log.warn({ err, model: name }, 'cannot watch model folder; hot swap by API only');
      }
    }
  }

  close(): void {
    for (const w of this.watchers.splice(0)) w.close();
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    for (const m of this.models.values()) m.model.dispose();
    this.models.clear();
    this.listeners.clear();
  }

  private scheduleReload(name: string): void {
    clearTimeout(this.pending.get(name));
    const timer = setTimeout(() => {
      this.pending.delete(name);
      this.reload(name).catch((err) =>
        this.options.log.error({ err, model: name }, 'model hot swap failed; previous version kept'),
      );
    }, this.options.debounceMs ?? 300);
    timer.unref();
    this.pending.set(name, timer);
  }

  private async loadNewest(name: string): Promise<LoadedModel | null> {
    const versions = listVersions(name, this.root);
    const newest = versions[versions.length - 1];
    const current = this.models.get(name) ?? null;
    if (newest === undefined) return current;
    if (current && current.version === newest) return current;
    const { tf, log } = this.options;
    const folder = readModelFolder(name, newest, this.root);
    const model = await tf.loadLayersModel(tf.io.fromMemory(folder.artifacts));
    try {
      // Warm up on a zero batch: catches a feature-count mismatch before any live data sees it.
      const width = folder.meta.features.names.length;
      tf.tidy(() => (model.predict(tf.zeros([1, width])) as import('@tensorflow/tfjs').Tensor).dataSync());
    } catch (err) {
      model.dispose();
      throw err;
    }
    const loaded: LoadedModel = {
      name,
      version: newest,
      id: `${name}@${newest}`,
      meta: folder.meta,
      model,
      loadedAt: Date.now(),
    };
    this.models.set(name, loaded);
    log.info({ model: loaded.id, previous: current?.id ?? null }, current ? 'model swapped' : 'model loaded');
    for (const fn of this.listeners.get(name) ?? []) fn(loaded, current);
    // Predictions run synchronously between ticks, so nothing still holds the old weights.
    current?.model.dispose();
    return loaded;
  }
}
