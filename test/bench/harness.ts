/**
 * The load harness the benchmarks share (ingest.bench.ts, ack-path.ts): a target (the gateway, or
 * a bare aedes broker as the baseline) in a process of its own, MQTT clients for the example site's
 * water meters, and the figures every section prints (msgs/s, PUBACK p50/p99, CPU per message).
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

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 168);
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
  const pct = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { name, sent, acked, msgsPerS: acked / elapsedS, p50Ms: pct(0.5), p99Ms: pct(0.99), cpuMsPer1k };
}

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
