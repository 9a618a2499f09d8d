/**
 * `npm run bench`: canonical telemetry from many simulated devices over real MQTT (QoS 1) into
 * the full gateway (aedes → codec → validation → SQLite → bus) and, in the same run with the same
 * harness, into a bare aedes broker. Each target runs in its own process; the load generator runs
 * here. Prints msgs/s, PUBACK latency p50/p99 (for the gateway a PUBACK means "stored"), the
 * target process's CPU time per message, and the ratios gateway / bare aedes.
 *
 * Then, issue 16's overload and scale figures, each next to its baseline of the same run:
 * - a QoS 0 flood from every device at once (no window): bare aedes vs the gateway, the target's
 *   RSS before and after and what the gateway shed (`overload`) and stored;
 * - a gateway with BENCH_EXTRA_DEVICES (100 000) more registered devices vs the example site
 *   alone: start time (spawn → /healthz ready), RSS when ready, and CPU per message under the
 *   same QoS 1 load.
 *
 * And issue 15's: rules are off the acknowledgement path. A paced QoS 1 load (BENCH_PACED_DEVICES
 * meters, one reading each every BENCH_PACED_PERIOD_MS, below capacity: a saturating load would
 * measure the CPU the rules take, not where they run) goes to a gateway with the shipped rule packs
 * and to one that also loads a test-only pack that is slow on purpose: BENCH_SLOW_RULES rules over
 * every water meter, each scanning a meter's whole stored history (3000 readings, stored before
 * the start) at every reading. The slow pack costs CPU per message; a PUBACK waits for the store
 * commit, not for the rules, so its latency stays at the baseline's.
 *
 * Options (env): BENCH_SECONDS (10), BENCH_DEVICES (168), BENCH_WINDOW (8 in flight per device),
 * BENCH_EXTRA_DEVICES (100000), BENCH_SLOW_RULES (50), BENCH_PACED_DEVICES (20),
 * BENCH_PACED_PERIOD_MS (500).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { REPO_ROOT } from '../../gateway/src/config/settings.ts';
import { loadSiteFile, EXAMPLE_SITE_FILE } from '../../gateway/src/site/site-loader.ts';
import { openDatabase } from '../../gateway/src/store/database.ts';
import { DeviceStore } from '../../gateway/src/store/device-store.ts';
import { SqliteReadingStore } from '../../gateway/src/store/reading-store.ts';
import { scrapeMetrics } from '../helpers/metrics.ts';
import { testNow } from '../helpers/clock.ts';
import { makeDataDir } from '../helpers/gateway.ts';
import { spawnGateway } from '../helpers/gateway-process.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 168);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 8);
const EXTRA_DEVICES = Number(process.env.BENCH_EXTRA_DEVICES ?? 100_000);
const SLOW_RULES = Number(process.env.BENCH_SLOW_RULES ?? 50);
const PACED_DEVICES = Number(process.env.BENCH_PACED_DEVICES ?? 20);
const PACED_PERIOD_MS = Number(process.env.BENCH_PACED_PERIOD_MS ?? 500);
/** Stored readings per paced meter before the start, 10 minutes apart (about 21 days). */
const HISTORY = 3000;
/** node with the tsx loader (the tsx CLI would put the target in a grandchild process). */
const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;

interface Result {
  name: string;
  /** CPU time the target process spent per 1000 acknowledged messages (user + system). */
  cpuMsPer1k: number;
  sent: number;
  acked: number;
  msgsPerS: number;
  p50Ms: number;
  p99Ms: number;
}

/** Water meters with the canonical codec: any harness payload is valid for them. */
const site = loadSiteFile(EXAMPLE_SITE_FILE);
const deviceIds = site.devices
  .filter((d) => d.kind === 'water_meter' && d.codec === 'canonical')
  .slice(0, DEVICES)
  .map((d) => d.id);

interface Target {
  port: number;
  child: ChildProcess;
  cleanup: () => void;
  /** A device's MQTT password: the gateway's generated secret (microseconds to check, no scrypt). */
  passwordOf: (deviceId: string) => string;
  /** Gateway only: its HTTP base, and ms from spawn to /healthz ready. */
  http?: string;
  startMs?: number;
}

async function startTarget(
  kind: 'gateway' | 'aedes',
  extraDevices = 0,
  env: Record<string, string> = {},
  prepare: (dataDir: string) => void = () => undefined,
): Promise<Target> {
  if (kind === 'aedes') {
    const child = spawn(
      NODE_TSX[0],
      [...NODE_TSX.slice(1), path.join(REPO_ROOT, 'test/bench/bare-aedes.ts')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const port = await new Promise<number>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => {
        const m = /READY (\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      }),
    );
    return { port, child, passwordOf: () => 'weige-device', cleanup: () => undefined };
  }
  const dataDir = makeDataDir();
  if (extraDevices) registerDevices(dataDir, extraDevices);
  prepare(dataDir);
  const spawnedAt = performance.now();
  // Raw ingest capacity: every meter sends as fast as it can, far above a device's normal rate,
  // so the per-device limits (which would hold each meter to 20 messages/s) are lifted.
  const gateway = await spawnGateway({
    WEIGE_DATA_DIR: dataDir,
    WEIGE_DEVICE_MAX_MSGS_PER_S: '1000000',
    WEIGE_DEVICE_MAX_KB_PER_S: '1000000',
    ...env,
  });
  const startMs = performance.now() - spawnedAt;
  const port = Number(new URL(gateway.mqttUrl).port);
  const child = gateway.child;
  const secrets = JSON.parse(readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as {
    devices: Record<string, string>;
  };
  return {
    port,
    child,
    passwordOf: (id) => secrets.devices[id]!,
    http: gateway.http,
    startMs,
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** `n` more water meters in the device registry (as POST /api/devices would leave them). */
function registerDevices(dataDir: string, n: number): void {
  const db = openDatabase(dataDir);
  const store = new DeviceStore(db);
  const { household: _none, ...template } = site.devices.find(
    (d) => d.kind === 'water_meter' && d.codec === 'canonical',
  )!;
  db.transaction(() => {
    for (let i = 0; i < n; i++) store.register(site.id, { ...template, id: `wm-bench-${i}` });
  })();
  db.close();
}

/** Resident memory of a process, MB (Linux). */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function connectAll(t: Target, ids = deviceIds): Promise<MqttClient[]> {
  return Promise.all(
    ids.map((id) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${t.port}`, {
        username: id,
        password: t.passwordOf(id),
        reconnectPeriod: 0,
        clientId: id,
      }),
    ),
  );
}

async function drive(name: string, t: Target): Promise<Result> {
  const pid = t.child.pid!;
  const clients = await connectAll(t);
  const latencies: number[] = [];
  let sent = 0;
  let acked = 0;
  // The target runs on the test clock (entry-process.ts): readings 20 days before it, not the wall's.
  const base = testNow() - 20 * 86400_000;
  const deadline = Date.now() + SECONDS * 1000;
  const started = performance.now();
  const cpuStart = cpuSeconds(pid);
  await Promise.all(
    clients.map(async (client, i) => {
      const id = deviceIds[i]!;
      let seq = 0;
      const lane = async (): Promise<void> => {
        while (Date.now() < deadline) {
          const n = seq++;
          const payload = JSON.stringify({ ts: base + n * 1000, total_m3: 100 + n * 0.001, battery_pct: 90 });
          const t0 = performance.now();
          sent++;
          await client.publishAsync(`weige/${id}/telemetry`, payload, { qos: 1 });
          latencies.push(performance.now() - t0);
          acked++;
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, lane));
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const cpuMsPer1k = ((cpuSeconds(pid) - cpuStart) * 1000 * 1000) / acked;
  await Promise.all(clients.map((c) => c.endAsync()));
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { name, sent, acked, msgsPerS: acked / elapsedS, p50Ms: pct(0.5), p99Ms: pct(0.99), cpuMsPer1k };
}

async function withTarget<T>(
  kind: 'gateway' | 'aedes',
  extraDevices: number,
  fn: (t: Target) => Promise<T>,
  env: Record<string, string> = {},
  prepare?: (dataDir: string) => void,
): Promise<T> {
  const target = await startTarget(kind, extraDevices, env, prepare);
  try {
    return await fn(target);
  } finally {
    target.child.kill('SIGTERM');
    await new Promise((r) => target.child.once('exit', r));
    target.cleanup();
  }
}

function run(kind: 'gateway' | 'aedes'): Promise<Result> {
  return withTarget(kind, 0, (t) =>
    drive(kind === 'gateway' ? 'weige gateway (full pipeline)' : 'bare aedes', t),
  );
}

interface FloodResult {
  name: string;
  sent: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  shed: number;
  stored: number;
  rejected: number;
}

/** Every device publishes QoS 0 as fast as its socket takes it, for SECONDS. */
async function flood(kind: 'gateway' | 'aedes'): Promise<FloodResult> {
  return withTarget(kind, 0, async (t) => {
    const pid = t.child.pid!;
    const clients = await connectAll(t);
    const rssBeforeMb = rssMb(pid);
    // The target runs on the test clock (entry-process.ts): readings 20 days before it, not the wall's.
    const base = testNow() - 20 * 86400_000;
    const deadline = Date.now() + SECONDS * 1000;
    let sent = 0;
    await Promise.all(
      clients.map(async (client, i) => {
        for (let n = 0; Date.now() < deadline; n++) {
          const payload = JSON.stringify({ ts: base + n * 1000, total_m3: 100 + n * 0.001 });
          await new Promise<void>((r) =>
            client.publish(`weige/${deviceIds[i]}/telemetry`, payload, { qos: 0 }, () => r()),
          );
          sent++;
        }
      }),
    );
    const rssAfterMb = rssMb(pid);
    await Promise.all(clients.map((c) => c.endAsync()));
    const metrics = t.http ? await scrapeMetrics(t.http) : null;
    return {
      name: kind === 'gateway' ? 'weige gateway (full pipeline)' : 'bare aedes',
      sent,
      rssBeforeMb,
      rssAfterMb,
      shed: metrics?.sum('weige_messages_refused_total', { reason: 'overload' }) ?? 0,
      stored: metrics?.sum('weige_readings_stored_total') ?? 0,
      rejected: metrics?.sum('weige_messages_rejected_total') ?? 0,
    };
  });
}

interface ScaleResult {
  name: string;
  startMs: number;
  rssMb: number;
  load: Result;
}

async function scale(extraDevices: number): Promise<ScaleResult> {
  const name = extraDevices ? `gateway + ${extraDevices} devices` : 'gateway, example site';
  return withTarget('gateway', extraDevices, async (t) => ({
    name,
    startMs: t.startMs!,
    rssMb: rssMb(t.child.pid!),
    load: await drive(name, t),
  }));
}

/**
 * A rule pack that is slow on purpose and never fires: each rule takes the maximum over all of a
 * meter's samples (30 days) at every reading. Returns its directory (WEIGE_RULES_DIR).
 */
function slowRulePack(rules: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weige-slow-rules-'));
  for (let i = 0; i < rules; i++)
    writeFileSync(
      path.join(dir, `slow-${i}.yaml`),
      `version: 1
id: slow-${i}
kind: water_use_abnormal
severity: info
match: { source: reading, deviceKind: [water_meter] }
when: { fact: 'max(total_m3, 30d)', op: gt, value: ${1e9 + i} }
texts:
  zh-CN: { title: 慢规则, message: 慢规则 }
  en: { title: slow rule, message: slow rule }
`,
    );
  return dir;
}

const pacedIds = deviceIds.slice(0, PACED_DEVICES);
/** The paced meters' history starts this long before the test clock; their live readings follow it. */
const HISTORY_FROM_MS = 25 * 86400_000;

/** The paced meters' stored history, written before the gateway starts (it rebuilds rule windows from it). */
function storeHistory(dataDir: string): void {
  const db = openDatabase(dataDir);
  const store = new SqliteReadingStore(db);
  const from = testNow() - HISTORY_FROM_MS;
  db.transaction(() => {
    for (const deviceId of pacedIds)
      store.insert(
        Array.from({ length: HISTORY }, (_, n) => ({
          siteId: site.id,
          deviceId,
          kind: 'water_meter' as const,
          ts: from + n * 600_000,
          port: null,
          values: { total_m3: 100 + n * 0.001 },
          labels: {},
        })),
      );
  })();
  db.close();
}

/** Each paced meter publishes one reading every PACED_PERIOD_MS (QoS 1) for SECONDS. */
async function drivePaced(name: string, t: Target): Promise<Result> {
  const pid = t.child.pid!;
  const clients = await connectAll(t, pacedIds);
  const latencies: number[] = [];
  let sent = 0;
  const base = testNow() - HISTORY_FROM_MS + HISTORY * 600_000;
  const started = performance.now();
  const cpuStart = cpuSeconds(pid);
  await Promise.all(
    clients.map(async (client, i) => {
      // Spread over the period, so the meters do not all publish in the same instant.
      await new Promise((r) => setTimeout(r, (i * PACED_PERIOD_MS) / clients.length));
      for (let n = 0; performance.now() - started < SECONDS * 1000; n++) {
        const payload = JSON.stringify({ ts: base + n * 1000, total_m3: 103 + n * 0.001 });
        const t0 = performance.now();
        sent++;
        await client.publishAsync(`weige/${pacedIds[i]}/telemetry`, payload, { qos: 1 });
        latencies.push(performance.now() - t0);
        const next = t0 + PACED_PERIOD_MS;
        await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const acked = latencies.length;
  const cpuMsPer1k = ((cpuSeconds(pid) - cpuStart) * 1000 * 1000) / acked;
  await Promise.all(clients.map((c) => c.endAsync()));
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { name, sent, acked, msgsPerS: acked / elapsedS, p50Ms: pct(0.5), p99Ms: pct(0.99), cpuMsPer1k };
}

/** The paced load with the shipped packs, then with the slow pack loaded beside them. */
async function rulesOffTheAckPath(): Promise<{ shipped: Result; slow: Result }> {
  const shipped = await withTarget(
    'gateway',
    0,
    (t) => drivePaced('gateway, shipped rules', t),
    {},
    storeHistory,
  );
  const dir = slowRulePack(SLOW_RULES);
  try {
    const slow = await withTarget(
      'gateway',
      0,
      (t) => drivePaced(`gateway + ${SLOW_RULES} slow rules`, t),
      { WEIGE_RULES_DIR: dir },
      storeHistory,
    );
    return { shipped, slow };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `ingest benchmark: ${deviceIds.length} devices × ${WINDOW} in flight, QoS 1, ${SECONDS} s per target`,
);
const aedes = await run('aedes');
const gateway = await run('gateway');
const fmt = (r: Result): string =>
  `${r.name.padEnd(30)} ${r.msgsPerS.toFixed(0).padStart(8)} msg/s   p50 ${r.p50Ms.toFixed(2).padStart(7)} ms   p99 ${r.p99Ms.toFixed(2).padStart(7)} ms   CPU ${r.cpuMsPer1k.toFixed(0).padStart(4)} ms/1k msgs   (${r.acked} acked)`;
console.log(fmt(aedes));
console.log(fmt(gateway));
console.log(
  `ratio gateway / bare aedes: throughput ${(gateway.msgsPerS / aedes.msgsPerS).toFixed(2)}, p50 latency ×${(gateway.p50Ms / aedes.p50Ms).toFixed(2)}, p99 latency ×${(gateway.p99Ms / aedes.p99Ms).toFixed(2)}, CPU per message ×${(gateway.cpuMsPer1k / aedes.cpuMsPer1k).toFixed(1)}`,
);
console.log(
  '(the load generator shares the 2 cores with the target; CPU per message is the steadier figure)',
);

console.log(
  `\nQoS 0 flood: ${deviceIds.length} devices publishing as fast as their sockets take it, ${SECONDS} s`,
);
for (const f of [await flood('aedes'), await flood('gateway')])
  console.log(
    `${f.name.padEnd(30)} ${f.sent} sent   RSS ${f.rssBeforeMb.toFixed(0)} → ${f.rssAfterMb.toFixed(0)} MB` +
      (f.name.startsWith('weige')
        ? `   stored ${f.stored}, shed (overload) ${f.shed}, rejected ${f.rejected}`
        : ''),
  );

console.log(`\nscale: the example site alone vs ${EXTRA_DEVICES} more registered devices`);
const small = await scale(0);
const large = await scale(EXTRA_DEVICES);
for (const r of [small, large])
  console.log(
    `${r.name.padEnd(30)} start ${(r.startMs / 1000).toFixed(1)} s   RSS ready ${r.rssMb.toFixed(0)} MB   ` +
      `CPU ${r.load.cpuMsPer1k.toFixed(0)} ms/1k msgs   ${r.load.msgsPerS.toFixed(0)} msg/s`,
  );
console.log(
  `ratio large / small: start ×${(large.startMs / small.startMs).toFixed(2)}, RSS ×${(large.rssMb / small.rssMb).toFixed(2)}, ` +
    `CPU per message ×${(large.load.cpuMsPer1k / small.load.cpuMsPer1k).toFixed(2)}`,
);

console.log(
  `\nrules and the acknowledgement path: ${pacedIds.length} meters, one QoS 1 reading each every ${PACED_PERIOD_MS} ms, ${SECONDS} s each`,
);
const rules = await rulesOffTheAckPath();
console.log(fmt(rules.shipped));
console.log(fmt(rules.slow));
console.log(
  `ratio slow / shipped: p50 latency ×${(rules.slow.p50Ms / rules.shipped.p50Ms).toFixed(2)}, ` +
    `p99 latency ×${(rules.slow.p99Ms / rules.shipped.p99Ms).toFixed(2)}, ` +
    `CPU per message ×${(rules.slow.cpuMsPer1k / rules.shipped.cpuMsPer1k).toFixed(2)} (what the slow rules cost)`,
);
process.exit(0);
