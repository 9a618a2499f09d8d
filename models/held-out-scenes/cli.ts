/**
 * A held-out scene from `simulators/` in the field's format (issue 13), to replay and score with
 * `field/cli.ts` as the field scenes are:
 *   npx tsx models/held-out-scenes/cli.ts generate --danger throws|water|sheds --seed N --days D --out dir/ [--start ISO]
 */
import { parseArgs } from 'node:util';
import { DANGERS, writeScene, type Danger } from '../../field/scene.ts';
import { DEFAULT_SITE_FILE, loadSite } from '../../field/site.ts';
import { DAY_MS, isoLocal, localMidnight } from '../../field/time.ts';
import { heldOutScene, NOT_EXPRESSIBLE } from './scenes.ts';

/** Gateways refuse readings older than 35 days (WEIGE_MAX_LATENESS_S) by default. */
const MAX_DAYS = 30;

const USAGE = `usage:
  npx tsx models/held-out-scenes/cli.ts generate --danger throws|water|sheds --seed N --days D --out dir/ [--start ISO] [--site file]`;

function usage(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function main(): void {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      danger: { type: 'string' },
      seed: { type: 'string', default: '1' },
      days: { type: 'string', default: '1' },
      out: { type: 'string' },
      start: { type: 'string' },
      site: { type: 'string', default: DEFAULT_SITE_FILE },
    },
  });
  if (command !== 'generate') usage(command ? `unknown command ${command}` : 'a command is required');
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
  const scene = heldOutScene(loadSite(values.site), { danger, seed, days, startMs });
  writeScene(values.out, scene);
  const counts = new Map<string, number>();
  for (const t of scene.truth) counts.set(t.kind, (counts.get(t.kind) ?? 0) + 1);
  console.log(
    `simulators/ held-out ${danger} seed ${seed}: ${days} d from ${isoLocal(startMs)}, ${scene.messages.length} messages, truth ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')} → ${values.out}`,
  );
  console.log(
    `held-out ranges the scenario cannot set (simulator defaults used):\n  ${NOT_EXPRESSIBLE[danger].join('\n  ')}`,
  );
}

main();
