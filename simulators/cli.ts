/**
 * `npm run simulate -- --scenario <name|file> [options]`: runs a scenario against a broker with a
 * progress bar, or in-process (`--out messages.jsonl`, `--dry-run`) without one.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadSiteFile } from '../gateway/src/site/site-loader.ts';
import { AbsenceAnnouncer } from './core/api-announcer.ts';
import { runOverMqtt, type RunProgress } from './core/mqtt-runner.ts';
import { generatedAccountSecret } from './core/local-secret.ts';
import { isoLocal } from './core/time.ts';
import { ScenarioError } from './scenario/load.ts';
import { createSimulation, type Simulation } from './simulation.ts';
import { TruthWriter } from './truth-writer.ts';

const USAGE = `Usage: npm run simulate -- --scenario <name|file.yaml> [options]

  --scenario <s>     a scenario file, or a name in simulators/scenarios/ (quiet-day, shed-fire,
                     thrown-object, elderly-inactivity-week, mixed-month, load, demo)
  --site <file>      site file (default $WEIGE_SITE or sites/chunjiang.yaml)
  --broker <url>     MQTT broker (default $WEIGE_MQTT_URL or mqtt://127.0.0.1:1883)
  --username <u>     MQTT user (default simulator); --password <p> (default: the simulator's secret
                     in $WEIGE_DATA_DIR/credentials.json if there, else the demo weige-service)
  --speed <n|fast>   simulated seconds per wall second, or 'fast' (default: the scenario's)
  --fast             same as --speed fast
  --seed <s>         override the scenario's seed (same seed + same start → same messages)
  --start <s>        override the start: end-at-now | now | now-<duration> | ISO 8601 time
  --truth <file>     write the ground truth (what was injected, where, when) as JSONL
  --api <url>        gateway HTTP base: record the announced absences there, as grid workers
                     would (POST /api/households/:id/absences); --api-password (default weige-demo)
  --out <file>       no broker: write every message as JSONL {at, topic, payload, ...}
  --dry-run          no broker: generate and count only
  --no-progress      no progress bar (for logs)
  -h, --help`;

const OPTIONS = {
  scenario: { type: 'string' },
  site: { type: 'string' },
  broker: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  speed: { type: 'string' },
  fast: { type: 'boolean' },
  seed: { type: 'string' },
  start: { type: 'string' },
  truth: { type: 'string' },
  api: { type: 'string' },
  'api-password': { type: 'string' },
  out: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: OPTIONS });
  if (values.help || !values.scenario) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const scenarioFile = resolveScenario(values.scenario);
  const truth = values.truth ? new TruthWriter(values.truth) : null;
  const site = loadSiteFile(values.site ?? process.env.WEIGE_SITE ?? 'sites/chunjiang.yaml');
  const announcer = values.api
    ? new AbsenceAnnouncer({
        apiUrl: values.api,
        site,
        ...(values['api-password'] ? { password: values['api-password'] } : {}),
        onError: (m) => console.error(`weige-sim: ${m}`),
      })
    : null;
  const sim = createSimulation({
    site,
    scenario: scenarioFile,
    ...(values.seed !== undefined
      ? { seed: /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed }
      : {}),
    ...(values.start ? { start: values.start } : {}),
    onTruth: (r) => {
      truth?.write(r);
      announcer?.handle(r);
    },
  });
  const speed = values.fast ? 'fast' : values.speed ? parseSpeed(values.speed) : sim.speed;
  const { engine } = sim;
  console.error(
    `weige-sim: ${sim.scenario.name} (seed ${String(sim.scenario.seed)}) ${isoLocal(sim.startMs)} → ${isoLocal(sim.endMs)}, speed ${String(speed)}`,
  );

  const { show, stop } = progressDisplay(!values['no-progress'], sim);

  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const t0 = Date.now();
  if (values.out || values['dry-run']) {
    await generateOffline(engine, values.out ?? null, show, t0, sim.endMs);
  } else {
    // The simulator's generated secret when the gateway made one (README, "Credentials").
    const password = values.password ?? (values.username ? undefined : generatedAccountSecret('simulator'));
    const result = await runOverMqtt(engine, {
      brokerUrl: values.broker ?? process.env.WEIGE_MQTT_URL ?? 'mqtt://127.0.0.1:1883',
      ...(values.username ? { username: values.username } : {}),
      ...(password ? { password } : {}),
      speed,
      liveFromMs: sim.liveFromMs,
      onProgress: show,
      signal: controller.signal,
    });
    if (result.publishErrors) console.error(`weige-sim: ${result.publishErrors} publishes failed`);
  }
  stop();
  await truth?.close();
  await announcer?.flush();
  if (announcer)
    console.error(`weige-sim: ${announcer.posted} absences recorded via the API, ${announcer.failed} failed`);
  const s = engine.stats;
  console.error(
    `weige-sim: ${s.messages} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s ` +
      `(${Math.round((s.messages * 1000) / Math.max(1, Date.now() - t0))} msg/s), ${s.incidents} incidents, ` +
      `${s.malformed} malformed, ${s.droppedOffline} dropped while offline` +
      (values.truth ? `; truth → ${values.truth}` : ''),
  );
  return 0;
}

/** A progress bar over the run's simulated span (none with --no-progress). */
function progressDisplay(
  enabled: boolean,
  sim: { startMs: number; endMs: number },
): { show: (p: RunProgress) => void; stop: () => void } {
  const bar = !enabled
    ? null
    : new cliProgress.SingleBar(
        {
          format: '{bar} {percentage}% | sim {sim} | {messages} msgs | {incidents} incidents | {rate} msg/s',
          hideCursor: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
  const span = Math.max(1, sim.endMs - sim.startMs);
  const local = (t: number): string => isoLocal(t).slice(0, 19).replace('T', ' ');
  bar?.start(1000, 0, { sim: local(sim.startMs), messages: 0, incidents: 0, rate: 0 });
  const show = (p: RunProgress): void =>
    bar?.update(Math.round(((p.simTime - sim.startMs) / span) * 1000), {
      sim: local(p.simTime),
      messages: p.messages,
      incidents: p.incidents,
      rate: p.elapsedMs > 0 ? Math.round((p.messages * 1000) / p.elapsedMs) : 0,
    });
  return { show, stop: () => bar?.stop() };
}

/** Generates the run without a broker, writing every message to `out` as JSONL when given. */
async function generateOffline(
  engine: Simulation['engine'],
  out: string | null,
  show: (p: RunProgress) => void,
  t0: number,
  endMs: number,
): Promise<void> {
  const lines: string[] = [];
  let last = Date.now();
  for (const m of engine.messages()) {
    if (out) lines.push(JSON.stringify(m));
    if (Date.now() - last > 200) {
      last = Date.now();
      show({
        simTime: engine.simTime,
        messages: engine.stats.messages,
        incidents: engine.stats.incidents,
        elapsedMs: last - t0,
      });
    }
  }
  if (out) await writeFile(out, lines.length ? `${lines.join('\n')}\n` : '');
  show({
    simTime: endMs,
    messages: engine.stats.messages,
    incidents: engine.stats.incidents,
    elapsedMs: Date.now() - t0,
  });
}

function resolveScenario(s: string): string {
  if (existsSync(s)) return s;
  const named = path.join('simulators', 'scenarios', `${s}.yaml`);
  if (existsSync(named)) return named;
  throw new ScenarioError(`no scenario '${s}' (not a file, not in simulators/scenarios/)`, []);
}

function parseSpeed(s: string): number | 'fast' {
  if (s === 'fast') return 'fast';
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0)
    throw new ScenarioError(`--speed must be a positive number or 'fast', not '${s}'`, []);
  return n;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`weige-sim: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof ScenarioError || err instanceof RangeError ? 2 : 1);
  },
);
