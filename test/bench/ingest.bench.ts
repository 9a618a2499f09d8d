/**
 * `npm run bench`: canonical telemetry from many simulated devices over real MQTT (QoS 1) into
 * the full gateway (aedes → codec → validation → SQLite → bus) and, in the same run with the same
 * harness, into a bare aedes broker. Each target runs in its own process; the load generator runs
 * here. Prints msgs/s, PUBACK latency p50/p99 (for the gateway a PUBACK means "stored"), the
 * target process's CPU time per message, and the ratios gateway / bare aedes.
 *
 * Options (env): BENCH_SECONDS (10), BENCH_DEVICES (168), BENCH_WINDOW (8 in flight per device).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { EXAMPLE_SITE_FILE, REPO_ROOT } from '../../gateway/src/config/settings.ts';
import { loadSiteFile } from '../../gateway/src/config/site-loader.ts';
import { makeDataDir } from '../helpers/gateway.ts';
import { spawnGateway } from '../helpers/gateway-process.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 168);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 8);
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
const deviceIds = loadSiteFile(EXAMPLE_SITE_FILE)
  .devices.filter((d) => d.kind === 'water_meter' && d.codec === 'canonical')
  .slice(0, DEVICES)
  .map((d) => d.id);

async function startTarget(
  kind: 'gateway' | 'aedes',
): Promise<{ port: number; child: ChildProcess; cleanup: () => void }> {
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
    return { port, child, cleanup: () => undefined };
  }
  const dataDir = makeDataDir();
  // Raw ingest capacity: every meter sends as fast as it can, far above a device's normal rate,
  // so the per-device limits (which would hold each meter to 20 messages/s) are lifted.
  const gateway = await spawnGateway({
    WEIGE_DATA_DIR: dataDir,
    WEIGE_DEVICE_MAX_MSGS_PER_S: '1000000',
    WEIGE_DEVICE_MAX_KB_PER_S: '1000000',
  });
  const port = Number(new URL(gateway.mqttUrl).port);
  const child = gateway.child;
  return { port, child, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

async function drive(name: string, port: number, pid: number): Promise<Result> {
  const clients: MqttClient[] = await Promise.all(
    deviceIds.map((id) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        username: id,
        password: 'weige-device',
        reconnectPeriod: 0,
        clientId: id,
      }),
    ),
  );
  const latencies: number[] = [];
  let sent = 0;
  let acked = 0;
  const base = Date.now() - 20 * 86400_000;
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

async function run(kind: 'gateway' | 'aedes'): Promise<Result> {
  const target = await startTarget(kind);
  try {
    return await drive(
      kind === 'gateway' ? 'weige gateway (full pipeline)' : 'bare aedes',
      target.port,
      target.child.pid!,
    );
  } finally {
    target.child.kill('SIGTERM');
    await new Promise((r) => target.child.once('exit', r));
    target.cleanup();
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
process.exit(0);
