/** One entry point for the three dangers: a seeded, sorted scene for the site's devices. */
import type { Site } from '../gateway/src/contracts/site.ts';
import { sortScene, type Danger, type Scene, type SceneSpan } from './scene.ts';
import { generateSheds } from './sheds/generate.ts';
import { generateThrows } from './throws/generate.ts';
import { generateWater } from './water/generate.ts';

export interface GenerateRequest extends SceneSpan {
  danger: Danger;
}

export function generateScene(site: Site, req: GenerateRequest): Scene {
  switch (req.danger) {
    case 'throws':
      return sortScene(generateThrows(site, req));
    case 'water':
      return sortScene(generateWater(site, req));
    case 'sheds':
      return sortScene(generateSheds(site, req));
  }
}
