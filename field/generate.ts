/** One entry point for the three dangers: a seeded, sorted scene for the site's devices. */
import type { Site } from '../gateway/src/contracts/site.ts';
import { sortScene, type Danger, type Scene } from './scene.ts';
import { generateSheds } from './sheds/generate.ts';
import { generateThrows } from './throws/generate.ts';
import { generateWater } from './water/generate.ts';

export interface GenerateRequest {
  danger: Danger;
  seed: number;
  days: number;
  /** Scene start, epoch ms (a local midnight reads best). */
  startMs: number;
}

export function generateScene(site: Site, req: GenerateRequest): Scene {
  switch (req.danger) {
    case 'throws':
      return sortScene(generateThrows(site, req.seed, req.startMs, req.days));
    case 'water':
      return sortScene(generateWater(site, req.seed, req.startMs, req.days));
    case 'sheds':
      return sortScene(generateSheds(site, req.seed, req.startMs, req.days));
  }
}
