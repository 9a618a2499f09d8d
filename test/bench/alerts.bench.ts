/**
 * `npm run bench:alerts`: latency from the MQTT message that triggers an alert to that alert
 * arriving on MQTT (`weige/alerts/{siteId}/{kind}`, QoS 1), through the real gateway
 * (`gateway/src/main.ts` in its own process, all stages loaded). Two paths:
 * - camera: a `falling_object` camera event on `weige/cam-b3-east/event` → ingest → rules engine
 *   (camera-events pack) → alerting → MQTT;
 * - flow: a Node-RED flow detection on `weige/flows/bench/detection` → alerting → MQTT.
 * One trigger at a time (latency, not throughput), then a burst of BENCH_BURST flow detections
 * sent at once (time for the last alert to arrive). Prints p50/p90/p99/max per path.
 *
 * Options (env): BENCH_SAMPLES (200 per path), BENCH_BURST (500).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { REPO_ROOT } from '../../gateway/src/config/settings.ts';
import { freePort, waitForPort } from '../helpers/ports.ts';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const BURST = Number(process.env.BENCH_BURST ?? 500);

interface Alert {
  eventTs: string;
  kind: string;
}

function stats(name: string, ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  const f = (x: number): string => x.toFixed(1);
  return {
    path: name,
    n: s.length,
    p50Ms: f(q(0.5)),
    p90Ms: f(q(0.9)),
    p99Ms: f(q(0.99)),
    maxMs: f(s[s.length - 1]!),
  };
}

/** The real gateway in its own process, on free ports, ready once /healthz answers. */
async function startGateway(dataDir: string) {
  const [mqttPort, httpPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'gateway/src/main.ts')], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      WEIGE_MQTT_PORT: String(mqttPort),
      WEIGE_HTTP_PORT: String(httpPort),
      WEIGE_DATA_DIR: dataDir,
      WEIGE_LOG_LEVEL: 'warn',
    },
  });
  await waitForPort(httpPort, 60_000);
  while (
    !(await fetch(`http://127.0.0.1:${httpPort}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  )
    await new Promise((r) => setTimeout(r, 100));
  const connect = (username: string, password: string): Promise<MqttClient> =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      username,
      password,
      reconnectPeriod: 0,
      // A device must connect with its own id as client id; service accounts may use any other.
      ...(password === 'weige-device' ? { clientId: username } : {}),
    });
  return { child, connect };
}

/** When the alert of each trigger arrives, matched by its event time (unique per trigger). */
async function alertArrivals(listener: MqttClient): Promise<(eventTs: number) => Promise<number>> {
  const waiting = new Map<number, (at: number) => void>();
  listener.on('message', (_topic, payload) => {
    const at = performance.now();
    const alert = JSON.parse(payload.toString()) as Alert;
    waiting.get(Date.parse(alert.eventTs))?.(at);
  });
  await listener.subscribeAsync('weige/alerts/#', { qos: 1 });
  return (eventTs) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no alert for eventTs ${eventTs} within 10 s`)),
        10_000,
      );
      waiting.set(eventTs, (at) => {
        clearTimeout(timer);
        waiting.delete(eventTs);
        resolve(at);
      });
    });
}

type Arrival = (eventTs: number) => Promise<number>;

async function cameraPath(camera: MqttClient, arrival: Arrival): Promise<number[]> {
  // Event times in the past, 3 minutes apart: the falling-object rule's cooldown (2 min, on
  // event time) lets every trigger through, and nothing is stamped in the future.
  const base = Date.now() - (SAMPLES + 10) * 180_000;
  const ms: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const ts = base + i * 180_000;
    const done = arrival(ts);
    const t0 = performance.now();
    await camera.publishAsync(
      'weige/cam-b3-east/event',
      JSON.stringify({
        ts,
        type: 'falling_object',
        confidence: 0.91,
        bbox: [812, 120, 24, 30],
        track_id: `t-${i}`,
      }),
      { qos: 1 },
    );
    ms.push((await done) - t0);
  }
  return ms;
}

/** One flow detection at a time, then a burst of BURST sent at once (each timed from its start). */
async function flowPaths(flow: MqttClient, arrival: Arrival): Promise<{ single: number[]; burst: number[] }> {
  const flowBase = Date.now() - 3600_000;
  const detection = (i: number) =>
    JSON.stringify({
      kind: 'littering',
      severity: 'minor',
      title: { 'zh-CN': '垃圾落地', en: 'Litter' },
      place: 'garbage-1',
      eventTs: flowBase + i,
      dedupeKey: `bench:${i % 20}`,
    });
  const single: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const done = arrival(flowBase + i);
    const t0 = performance.now();
    await flow.publishAsync('weige/flows/bench/detection', detection(i), { qos: 1 });
    single.push((await done) - t0);
  }
  const burstBase = SAMPLES;
  const arrivals = Array.from({ length: BURST }, (_, k) => arrival(flowBase + burstBase + k));
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: BURST }, (_, k) =>
      flow.publishAsync('weige/flows/bench/detection', detection(burstBase + k), { qos: 1 }),
    ),
  );
  return { single, burst: (await Promise.all(arrivals)).map((at) => at - t0) };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'weige-bench-alerts-'));
  const { child, connect } = await startGateway(dataDir);
  try {
    const listener = await connect('dashboard', 'weige-service');
    const camera = await connect('cam-b3-east', 'weige-device');
    const flow = await connect('node-red', 'weige-service');
    const arrival = await alertArrivals(listener);
    const cameraMs = await cameraPath(camera, arrival);
    const { single, burst } = await flowPaths(flow, arrival);
    console.table([
      stats('camera event → rule → alert on MQTT', cameraMs),
      stats('flow detection → alert on MQTT', single),
      stats(`burst of ${BURST} flow detections (from burst start)`, burst),
    ]);
    console.log(`burst throughput: ${(BURST / (Math.max(...burst) / 1000)).toFixed(0)} alerts/s`);
    await Promise.all([listener, camera, flow].map((c) => c.endAsync()));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
