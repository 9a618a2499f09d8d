/**
 * The load harness the benchmarks share (ingest.bench.ts, ack-path.ts): a target (the gateway, or
 * a bare aedes broker as the baseline) in a process of its own, MQTT clients for the example site's
 * water meters, the QoS 1 load they send (`drive`: saturating, or paced to a rate) and the figures
 * every section prints (msgs/s, PUBACK p50/p99, CPU per message).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { REPO_ROOT } from '../../gateway/src/config/settings.ts';
import { loadSiteFile, EXAMPLE_SITE_FILE } from '../../gateway/src/site/site-loader.ts';
import { openDatabase } from '../../gateway/src/store/database.ts';
import { DeviceStore } from '../../gateway/src/store/device-store.ts';
import { makeDataDir } from '../helpers/gateway.ts';
import { spawnGateway } from '../helpers/gateway-process.ts';
import { testNow } from '../helpers/clock.ts';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 168);
export const WINDOW = Number(process.env.BENCH_WINDOW ?? 8);
/** node with the tsx loader (the tsx CLI would put the target in a grandchild process). */
const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;

export interface Result {
  name: string;
  /** CPU time the target process spent per 1000 acknowledged messages (user + system). */
  cpuMsPer1k: number;
  sent: number;
  acked: number;
  msgsPerS: number;
  p50Ms: number;
  p99Ms: number;
}

/** One target's figures from the PUBACK latencies of its run. */
export function summarize(
  name: string,
  sent: number,
  latencies: number[],
  elapsedS: number,
  cpuMsPer1k: number,
): Result {
  const acked = latencies.length;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => quantile(latencies, p);
  return { name, sent, acked, msgsPerS: acked / elapsedS, p50Ms: pct(0.5), p99Ms: pct(0.99), cpuMsPer1k };
}

/** The value at quantile `p` of ascending `sorted` (NaN when empty). */
export const quantile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

export const fmt = (r: Result): string =>
  `${r.name.padEnd(30)} ${r.msgsPerS.toFixed(0).padStart(8)} msg/s   p50 ${r.p50Ms.toFixed(2).padStart(7)} ms   p99 ${r.p99Ms.toFixed(2).padStart(7)} ms   CPU ${r.cpuMsPer1k.toFixed(0).padStart(4)} ms/1k msgs   (${r.acked} acked)`;

/** Water meters with the canonical codec: any harness payload is valid for them. */
export const site = loadSiteFile(EXAMPLE_SITE_FILE);
export const deviceIds = site.devices
  .filter((d) => d.kind === 'water_meter' && d.codec === 'canonical')
  .slice(0, DEVICES)
  .map((d) => d.id);

export interface Target {
  port: number;
  child: ChildProcess;
  cleanup: () => void;
  /** A device's or service account's MQTT password: the gateway's generated secret (no scrypt). */
  passwordOf: (name: string) => string;
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
    accounts: Record<string, string>;
  };
  return {
    port,
    child,
    passwordOf: (name) => secrets.devices[name] ?? secrets.accounts[name]!,
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
export function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

export function connectAll(t: Target, ids = deviceIds): Promise<MqttClient[]> {
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

export async function withTarget<T>(
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

export interface DriveOptions {
  /** Each lane sends one message per period instead of as fast as PUBACKs come back. */
  periodMs?: number;
  /** Told of each message as it is sent (a subscriber matches it by topic and payload). */
  onSend?: (topic: string, payload: string, at: number) => void;
  /** Runs beside the load and ends it early when it settles first. */
  until?: Promise<unknown>;
}

/**
 * QoS 1 telemetry from every meter, WINDOW messages in flight each, for SECONDS: as fast as the
 * target acknowledges, or paced to one message per lane every `periodMs`.
 */
export async function drive(name: string, t: Target, options: DriveOptions = {}): Promise<Result> {
  const pid = t.child.pid!;
  const clients = await connectAll(t);
  const latencies: number[] = [];
  let sent = 0;
  // The target runs on the test clock (entry-process.ts): readings 20 days before it, not the wall's.
  const base = testNow() - 20 * 86400_000;
  let deadline = Date.now() + SECONDS * 1000;
  void options.until?.then(() => (deadline = 0));
  const started = performance.now();
  const cpuStart = cpuSeconds(pid);
  const lane = async (client: MqttClient, id: string, lane: number): Promise<void> => {
    const topic = `weige/${id}/telemetry`;
    for (let n = lane; Date.now() < deadline; n += WINDOW) {
      const payload = JSON.stringify({ ts: base + n * 1000, total_m3: 100 + n * 0.001, battery_pct: 90 });
      const t0 = performance.now();
      sent++;
      options.onSend?.(topic, payload, t0);
      await client.publishAsync(topic, payload, { qos: 1 });
      latencies.push(performance.now() - t0);
      if (options.periodMs) await sleep(t0 + options.periodMs - performance.now());
    }
  };
  await Promise.all(
    clients.map((client, i) =>
      Promise.all(Array.from({ length: WINDOW }, (_, k) => lane(client, deviceIds[i]!, k))),
    ),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const cpuMsPer1k = ((cpuSeconds(pid) - cpuStart) * 1000 * 1000) / latencies.length;
  await Promise.all(clients.map((c) => c.endAsync()));
  return summarize(name, sent, latencies, elapsedS, cpuMsPer1k);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
