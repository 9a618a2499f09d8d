/**
 * The `generate` options both scene CLIs take (`field/cli.ts` and `models/held-out-scenes/cli.ts`),
 * checked once: a scene is the same danger, seed, days and start whichever generator writes it.
 */
import { DANGERS, type Danger } from './scene.ts';
import { DEFAULT_SITE_FILE } from './site.ts';
import { DAY_MS, localMidnight } from './time.ts';

/** Gateways refuse readings older than 35 days (WEIGE_MAX_LATENESS_S) by default. */
const MAX_DAYS = 30;

/** `parseArgs` options of `generate`. */
export const SCENE_ARGS = {
  danger: { type: 'string' },
  seed: { type: 'string', default: '1' },
  days: { type: 'string', default: '1' },
  out: { type: 'string' },
  start: { type: 'string' },
  site: { type: 'string', default: DEFAULT_SITE_FILE },
} as const;

export interface SceneOptions {
  danger: Danger;
  seed: number;
  days: number;
  startMs: number;
  out: string;
  site: string;
}

/** The checked options, or `usage(reason)` (which exits) on the first bad one. */
export function sceneOptions(
  values: { danger?: string; seed?: string; days?: string; out?: string; start?: string; site?: string },
  usage: (message: string) => never,
): SceneOptions {
  const danger = values.danger as Danger;
  if (!DANGERS.includes(danger)) usage(`--danger must be one of ${DANGERS.join(', ')}`);
  const seed = Number(values.seed);
  const days = Number(values.days);
  if (!Number.isInteger(seed) || seed < 0) usage('--seed must be a non-negative integer');
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS)
    usage(`--days must be an integer 1–${MAX_DAYS}`);
  if (!values.out) usage('--out dir/ is required');
  // By default the scene ends at the last local midnight, so a gateway accepts all of it as past.
  const startMs = values.start ? Date.parse(values.start) : localMidnight(Date.now()) - days * DAY_MS;
  if (!Number.isFinite(startMs)) usage('--start must be ISO 8601 with an offset');
  return { danger, seed, days, startMs, out: values.out, site: values.site ?? DEFAULT_SITE_FILE };
}
