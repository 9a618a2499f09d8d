/**
 * What the API may ask of the models stage (api/routes/models.ts): the TensorFlow.js backend,
 * the versions running, and a hot swap to the newest version folder.
 */
import type { LoadedModel } from './registry.ts';

export interface ModelsFacade {
  /** The backend chosen and why faster ones were not; null before the stage started. */
  backend(): { name: string; fallbackReasons: string[] } | null;
  /** The version of a model running now, or null when none is loaded. */
  loaded(name: string): LoadedModel | null;
  /** Loads the newest version folder now; throws when the stage is not running or the folder fails to load (the previous version keeps running). */
  reload(name: string): Promise<void>;
}
