/**
 * The independent field check (issue 13):
 *   npx tsx field/cli.ts generate --danger throws|water|sheds --seed N --days D --out dir/ [--start ISO] [--site file]
 *   npx tsx field/cli.ts replay --dir dir/ --broker mqtt://host:port --user simulator [--password …]
 *   npx tsx field/cli.ts score --dir dir/ --api http://host:port [--user engineer --password …] [--settle S] [--until ISO]
 */
import { parseArgs } from 'node:util';
import { generateScene } from './generate.ts';
import { replayScene } from './replay.ts';
import { writeScene } from './scene.ts';
import { SCENE_ARGS, sceneOptions } from './scene-options.ts';
import { scoreScene } from './score.ts';
import { loadSite } from './site.ts';
import { isoLocal } from './time.ts';

function usage(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

const USAGE = `usage:
  npx tsx field/cli.ts generate --danger throws|water|sheds --seed N --days D --out dir/ [--start ISO] [--site file]
  npx tsx field/cli.ts replay --dir dir/ --broker mqtt://host:1883 --user simulator [--password weige-service]
  npx tsx field/cli.ts score --dir dir/ --api http://host:8080 [--user engineer] [--password weige-demo]
      [--settle 30] [--until ISO]   (wait for alerts to stop coming; score the scene only up to --until)`;

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      ...SCENE_ARGS,
      dir: { type: 'string' },
      broker: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      api: { type: 'string' },
      window: { type: 'string', default: '64' },
      settle: { type: 'string', default: '30' },
      until: { type: 'string' },
    },
  });
  switch (command) {
    case 'generate': {
      const { danger, seed, days, startMs, out, site } = sceneOptions(values, usage);
      const scene = generateScene(loadSite(site), { danger, seed, days, startMs });
      writeScene(out, scene);
      console.log(
        `${danger} seed ${seed}: ${days} d from ${isoLocal(startMs)}, ${scene.messages.length} messages, ${scene.truth.length} truth rows → ${out}`,
      );
      return;
    }
    case 'replay': {
      if (!values.dir || !values.broker || !values.user) usage('replay needs --dir, --broker and --user');
      const r = await replayScene({
        dir: values.dir,
        broker: values.broker,
        username: values.user,
        password: values.password ?? 'weige-service',
        window: Number(values.window),
        progress: (done, total) => process.stderr.write(`\r${done}/${total}`),
      });
      console.log(
        `\npublished ${r.published} messages in ${(r.elapsedMs / 1000).toFixed(1)} s (${Math.round(r.published / (r.elapsedMs / 1000))} msg/s); ${r.commands} commands received`,
      );
      return;
    }
    case 'score': {
      if (!values.dir || !values.api) usage('score needs --dir and --api');
      const untilMs = values.until ? Date.parse(values.until) : null;
      if (untilMs !== null && !Number.isFinite(untilMs)) usage('--until must be ISO 8601 with an offset');
      const text = await scoreScene({
        dir: values.dir,
        api: values.api,
        username: values.user ?? 'engineer',
        password: values.password ?? 'weige-demo',
        settleS: Number(values.settle),
        untilMs,
        progress: (line) => process.stderr.write(`\r${line}`),
      });
      console.log(text);
      return;
    }
    default:
      usage(command ? `unknown command '${command}'` : 'no command');
  }
}

await main();
