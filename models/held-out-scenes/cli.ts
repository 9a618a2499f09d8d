/**
 * A held-out scene from `simulators/` in the field's format (issue 13), to replay and score with
 * `field/cli.ts` as the field scenes are:
 *   npx tsx models/held-out-scenes/cli.ts generate --danger throws|water|sheds --seed N --days D --out dir/ [--start ISO]
 */
import { parseArgs } from 'node:util';
import { writeScene } from '../../field/scene.ts';
import { SCENE_ARGS, sceneOptions } from '../../field/scene-options.ts';
import { loadSite } from '../../field/site.ts';
import { isoLocal } from '../../field/time.ts';
import { heldOutScene, NOT_EXPRESSIBLE } from './scenes.ts';

const USAGE = `usage:
  npx tsx models/held-out-scenes/cli.ts generate --danger throws|water|sheds --seed N --days D --out dir/ [--start ISO] [--site file]`;

function usage(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function main(): void {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({ args: rest, options: SCENE_ARGS });
  if (command !== 'generate') usage(command ? `unknown command ${command}` : 'a command is required');
  const { danger, seed, days, startMs, out, site } = sceneOptions(values, usage);
  const scene = heldOutScene(loadSite(site), { danger, seed, days, startMs });
  writeScene(out, scene);
  const counts = new Map<string, number>();
  for (const t of scene.truth) counts.set(t.kind, (counts.get(t.kind) ?? 0) + 1);
  console.log(
    `simulators/ held-out ${danger} seed ${seed}: ${days} d from ${isoLocal(startMs)}, ${scene.messages.length} messages, truth ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')} → ${out}`,
  );
  console.log(
    `held-out ranges the scenario cannot set (simulator defaults used):\n  ${NOT_EXPRESSIBLE[danger].join('\n  ')}`,
  );
}

main();
