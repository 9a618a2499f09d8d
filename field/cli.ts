/**
 * The independent field check (issue 13):
 *   npx tsx field/cli.ts generate --danger throws|water|sheds --seed N --days D --out dir/ [--start ISO] [--site file]
 *   npx tsx field/cli.ts replay --dir dir/ --broker mqtt://host:port --user simulator [--password …]
 *   npx tsx field/cli.ts score --dir dir/ --api http://host:port [--user engineer --password …] [--settle S] [--until ISO]
 */
import { parseArgs } from 'node:util';
import { generateScene } from './generate.ts';
import { replayScene } from './replay.ts';
import { DANGERS, writeScene, type Danger } from './scene.ts';
import { scoreScene } from './score.ts';
import { DEFAULT_SITE_FILE, loadSite } from './site.ts';
import { DAY_MS, isoLocal, localMidnight } from './time.ts';

/** Gateways refuse readings older than 35 days (WEIGE_MAX_LATENESS_S) by default. */
const MAX_DAYS = 30;

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
      danger: { type: 'string' },
      seed: { type: 'string', default: '1' },
      days: { type: 'string', default: '1' },
      out: { type: 'string' },
      start: { type: 'string' },
      site: { type: 'string', default: DEFAULT_SITE_FILE },
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
      const scene = generateScene(loadSite(values.site), { danger, seed, days, startMs });
      writeScene(values.out, scene);
      console.log(
        `${danger} seed ${seed}: ${days} d from ${isoLocal(startMs)}, ${scene.messages.length} messages, ${scene.truth.length} truth rows → ${values.out}`,
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
