/**
 * `npm run replay -- <file.jsonl | scenario> [options]`: backfills history through an in-process
 * gateway on the data's own clock (gateway/src/backfill.ts) and prints what it raised.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { Backfill, type RecordedMessage } from '../gateway/src/backfill.ts';
import { ManualClock, SystemClock } from '../gateway/src/core/clock.ts';
import type { Settings } from '../gateway/src/config/settings.ts';
import { createRootLogger } from '../gateway/src/core/logger.ts';
import { Gateway } from '../gateway/src/gateway.ts';
import { createSimulation } from '../simulators/simulation.ts';

const USAGE = `Usage: npm run replay -- <file.jsonl | scenario> [options]

  <file.jsonl>       recorded messages, one JSON object a line: {at, topic, payload}
                     (what \`npm run simulate -- --out\` writes; at = arrival time, epoch ms)
  <scenario>         a simulator scenario file or a name in simulators/scenarios/ (mixed-month …)
  --data-dir <dir>   store to fill (default: a new temporary directory, printed); must not be
                     in use by a running gateway
  --site <file>      site file (default $WEIGE_SITE or sites/chunjiang.yaml)
  --start <s>        scenario start (end-at-now | now-<duration> | ISO 8601; default the scenario's)
  --batch <n>        messages per store transaction (default 2000)
  --no-progress      no progress bar
  -h, --help`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      site: { type: 'string' },
      start: { type: 'string' },
      batch: { type: 'string' },
      'no-progress': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const source = positionals[0];
  if (values.help || !source) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const siteFile = values.site ?? process.env.WEIGE_SITE ?? 'sites/chunjiang.yaml';
  const input = loadInput(source, siteFile, values.start);
  const dataDir = values['data-dir'] ?? mkdtempSync(path.join(os.tmpdir(), 'weige-replay-'));
  const clock = new ManualClock(input.startMs);
  const gateway = await Gateway.open({
    env: process.env,
    settings: { dataDir, siteFile, httpPort: 0, mqttPort: 0, httpHost: '127.0.0.1', mqttHost: '127.0.0.1' },
    logger: createRootLogger((process.env.WEIGE_LOG_LEVEL ?? 'warn') as Settings['logLevel']),
    clock,
    housekeepingClock: new SystemClock(),
  });
  console.error(`weige-replay: ${source} → ${dataDir}`);
  await gateway.start();
  const bar = values['no-progress']
    ? null
    : new cliProgress.SingleBar(
        { format: '{bar} {percentage}% | {time} | {messages} msgs | {rate} msg/s', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
  const span = Math.max(1, input.endMs - input.startMs);
  bar?.start(1000, 0, { time: '', messages: 0, rate: 0 });
  const batch = values.batch === undefined ? undefined : Number(values.batch);
  if (batch !== undefined && !(Number.isInteger(batch) && batch > 0))
    throw new RangeError(`--batch must be a positive integer, not '${values.batch}'`);
  const cpuBefore = process.cpuUsage();
  const result = await new Backfill({ gateway, clock }).run(input.messages, input.endMs, {
    ...(batch ? { batch } : {}),
    onProgress: (p) =>
      bar?.update(Math.round(((p.at - input.startMs) / span) * 1000), {
        time: new Date(p.at).toISOString().slice(0, 16),
        messages: p.messages,
        rate: Math.round((p.messages * 1000) / Math.max(1, p.elapsedMs)),
      }),
  });
  bar?.stop();
  // CPU seconds beside wall seconds: on a shared machine the wall time says more about the others.
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const { db } = gateway.ctx.stores;
  const alerts = db
    .prepare('SELECT kind, COUNT(*) AS n FROM alerting_alerts GROUP BY kind ORDER BY kind')
    .all();
  const incidents = db
    .prepare('SELECT kind, COUNT(*) AS n FROM alerting_incidents GROUP BY kind ORDER BY kind')
    .all();
  const deadLetters = gateway.ctx.stores.deadLetters.countByReason(gateway.ctx.site.siteId);
  await gateway.stop();
  const seconds = result.elapsedMs / 1000;
  console.log(
    `weige-replay: ${result.messages} messages in ${seconds.toFixed(1)} s ` +
      `(${Math.round(result.messages / Math.max(seconds, 0.001))} msg/s, CPU ${cpuSeconds.toFixed(1)} s)` +
      (result.outOfOrder ? `, ${result.outOfOrder} recorded out of order` : ''),
  );
  console.log(`alerts by kind:    ${JSON.stringify(Object.fromEntries(alerts.map(countOf)))}`);
  console.log(`incidents by kind: ${JSON.stringify(Object.fromEntries(incidents.map(countOf)))}`);
  console.log(`dead letters:      ${JSON.stringify(deadLetters)}`);
  return 0;
}

function countOf(row: unknown): [string, number] {
  const { kind, n } = row as { kind: string; n: number };
  return [kind, n];
}

interface Input {
  messages: Iterable<RecordedMessage>;
  startMs: number;
  endMs: number;
}

function loadInput(source: string, siteFile: string, start: string | undefined): Input {
  if (source.endsWith('.jsonl')) {
    if (!existsSync(source)) throw new RangeError(`no file '${source}'`);
    // Two streaming passes (a month is ~400 MB): the time span first, then the messages.
    let startMs = Infinity;
    let endMs = -Infinity;
    for (const m of readRecorded(source)) {
      startMs = Math.min(startMs, m.at);
      endMs = Math.max(endMs, m.at);
    }
    if (startMs === Infinity) throw new RangeError(`'${source}' holds no messages`);
    return { messages: readRecorded(source), startMs, endMs };
  }
  const named = path.join('simulators', 'scenarios', `${source}.yaml`);
  const scenario = existsSync(source) ? source : named;
  if (!existsSync(scenario)) throw new RangeError(`no file or scenario '${source}'`);
  const sim = createSimulation({ site: siteFile, scenario, ...(start ? { start } : {}) });
  return { messages: sim.engine.messages(), startMs: sim.startMs, endMs: sim.endMs };
}

/** The file's messages, read a chunk at a time. */
function* readRecorded(file: string): Generator<RecordedMessage> {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    // Keeps a character split between two chunks whole (payloads may be Chinese).
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let lineNo = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      const text = rest + (n === 0 ? decoder.end() : decoder.write(chunk.subarray(0, n)));
      const lines = text.split('\n');
      rest = n === 0 ? '' : lines.pop()!;
      for (const line of lines) {
        lineNo++;
        if (line.trim() !== '') yield parseRecorded(line, `${file}:${lineNo}`);
      }
      if (n === 0) return;
    }
  } finally {
    closeSync(fd);
  }
}

function parseRecorded(line: string, where: string): RecordedMessage {
  const m = JSON.parse(line) as Partial<RecordedMessage>;
  if (typeof m.at !== 'number' || typeof m.topic !== 'string' || typeof m.payload !== 'string')
    throw new RangeError(`${where}: expected {at: number, topic: string, payload: string}`);
  return { at: m.at, topic: m.topic, payload: m.payload };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`weige-replay: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof RangeError || err instanceof SyntaxError ? 2 : 1);
  },
);
