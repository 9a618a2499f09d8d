/**
 * Issue 16's latency figures for `npm run bench`:
 * - publish → subscriber: the saturating QoS 1 load of the throughput section with a TCP
 *   subscriber (QoS 1, `weige/+/telemetry`; the gateway's `node-red` account) on bare aedes and
 *   on the gateway; the time from a PUBLISH leaving a meter to the subscriber receiving it, and
 *   the throughput with the subscriber attached;
 * - camera event → alert on MQTT (`falling_object` from `cam-b3-east` through the rules worker
 *   to `weige/alerts/…`, as `npm run bench:alerts` measures it) while background telemetry flows
 *   at BENCH_BACKGROUND_RATE (10 000 msg/s) or the most this machine sustains: the throughput
 *   section's gateway capacity × 0.8 when that is lower. Baseline: the same gateway idle.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { testNow } from '../helpers/clock.ts';
import { record } from './figures.ts';
import {
  deviceIds,
  drive,
  quantile,
  sleep,
  WINDOW,
  withTarget,
  type Result,
  type Target,
} from './harness.ts';

const BACKGROUND_RATE = Number(process.env.BENCH_BACKGROUND_RATE ?? 10_000);
const IDLE_SAMPLES = 100;
/** Pause between camera events under load (one in flight at a time). */
const CAMERA_GAP_MS = 20;

const connect = (t: Target, username: string, clientId: string): Promise<MqttClient> =>
  mqtt.connectAsync(`mqtt://127.0.0.1:${t.port}`, {
    username,
    password: t.passwordOf(username),
    clientId,
    reconnectPeriod: 0,
  });

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

interface SubscriberRun {
  load: Result;
  deliveryMs: number[];
  undelivered: number;
}

/** The saturating load with a subscriber on the telemetry topics, and when each message reached it. */
function withSubscriber(kind: 'gateway' | 'aedes'): Promise<SubscriberRun> {
  return withTarget(kind, 0, async (t) => {
    const subscriber = await connect(t, 'node-red', 'bench-subscriber');
    const pending = new Map<string, number>();
    const deliveryMs: number[] = [];
    subscriber.on('message', (topic, payload) => {
      const key = topic + payload.toString();
      const at = pending.get(key);
      if (at === undefined) return;
      deliveryMs.push(performance.now() - at);
      pending.delete(key);
    });
    await subscriber.subscribeAsync('weige/+/telemetry', { qos: 1 });
    const name = `${kind === 'gateway' ? 'weige gateway' : 'bare aedes'} + subscriber`;
    const load = await drive(name, t, { onSend: (topic, payload, at) => pending.set(topic + payload, at) });
    // What is still on its way arrives within a few seconds, or not at all.
    for (let waited = 0; pending.size && waited < 5000; waited += 100) await sleep(100);
    await subscriber.endAsync();
    return { load, deliveryMs: sorted(deliveryMs), undelivered: pending.size };
  });
}

/** Throughput and publish → subscriber latency with a TCP subscriber, bare aedes vs the gateway. */
export async function printSubscriber(): Promise<void> {
  console.log(`\npublish → subscriber: the QoS 1 load with a TCP subscriber (QoS 1) on weige/+/telemetry`);
  const aedes = await withSubscriber('aedes');
  const gateway = await withSubscriber('gateway');
  for (const r of [aedes, gateway]) {
    const d = r.deliveryMs;
    console.log(
      `${r.load.name.padEnd(30)} ${r.load.msgsPerS.toFixed(0).padStart(8)} msg/s   PUBACK p99 ${r.load.p99Ms.toFixed(1)} ms   ` +
        `to subscriber p50 ${quantile(d, 0.5).toFixed(1)} ms, p99 ${quantile(d, 0.99).toFixed(1)} ms   ` +
        `(${d.length} delivered, ${r.undelivered} not)`,
    );
  }
  const ratio = gateway.load.msgsPerS / aedes.load.msgsPerS;
  console.log(`ratio gateway / bare aedes with a subscriber: throughput ${ratio.toFixed(2)}`);
  record({
    figure: 'throughput with a TCP subscriber',
    unit: 'msg/s',
    gateway: gateway.load.msgsPerS,
    baseline: aedes.load.msgsPerS,
    goal: 'ratio ≥ 0.5',
    met: ratio >= 0.5,
  });
  for (const [label, p] of [
    ['p50', 0.5],
    ['p99', 0.99],
  ] as const)
    record({
      figure: `publish → subscriber ${label}`,
      unit: 'ms',
      gateway: quantile(gateway.deliveryMs, p),
      baseline: quantile(aedes.deliveryMs, p),
      goal: '—',
      met: null,
    });
}

/** How long to wait for one alert; a later one counts as this long (a lower bound) and as late. */
const ALERT_WAIT_MS = 30_000;

/** When the alert of each camera event arrives (matched by its event time, unique per event), or null if late. */
async function alertArrivals(listener: MqttClient): Promise<(eventTs: number) => Promise<number | null>> {
  const waiting = new Map<number, (at: number | null) => void>();
  listener.on('message', (_topic, payload) => {
    const at = performance.now();
    const alert = JSON.parse(payload.toString()) as { eventTs: string };
    waiting.get(Date.parse(alert.eventTs))?.(at);
  });
  await listener.subscribeAsync('weige/alerts/#', { qos: 1 });
  return (eventTs) =>
    new Promise((resolve) => {
      const settle = (at: number | null): void => {
        clearTimeout(timer);
        waiting.delete(eventTs);
        resolve(at);
      };
      const timer = setTimeout(() => settle(null), ALERT_WAIT_MS);
      waiting.set(eventTs, settle);
    });
}

/** Camera events one at a time, until `samples` are done or `until` settles: ms from publish to alert. */
async function cameraAlerts(t: Target, samples: number, until?: Promise<unknown>): Promise<number[]> {
  const listener = await connect(t, 'dashboard', 'bench-alert-listener');
  const camera = await connect(t, 'cam-b3-east', 'cam-b3-east');
  const arrival = await alertArrivals(listener);
  let done = false;
  void until?.then(() => (done = true));
  // Event times in the past, 3 minutes apart: the falling-object rule's cooldown (2 min, on event
  // time) lets every event through. Idle and loaded runs use separate stretches of time.
  const base = testNow() - (until ? 2 : 4) * 86400_000;
  const ms: number[] = [];
  for (let i = 0; i < samples && !done; i++) {
    const ts = base + i * 180_000;
    const alerted = arrival(ts);
    const t0 = performance.now();
    const event = {
      ts,
      type: 'falling_object',
      confidence: 0.91,
      bbox: [812, 120, 24, 30],
      track_id: `t-${i}`,
    };
    await camera.publishAsync('weige/cam-b3-east/event', JSON.stringify(event), { qos: 1 });
    ms.push(((await alerted) ?? t0 + ALERT_WAIT_MS) - t0);
    if (until) await sleep(CAMERA_GAP_MS);
  }
  await Promise.all([listener, camera].map((c) => c.endAsync()));
  return sorted(ms);
}

/** Camera event → alert idle, then under background telemetry at `rate` msg/s; one gateway. */
export async function printAlertsUnderLoad(capacityMsgsPerS?: number): Promise<void> {
  const rate = Math.min(BACKGROUND_RATE, capacityMsgsPerS ? capacityMsgsPerS * 0.8 : Infinity);
  const source =
    rate < BACKGROUND_RATE
      ? `0.8 × this run's gateway capacity, below ${BACKGROUND_RATE}`
      : 'BENCH_BACKGROUND_RATE';
  console.log(
    `\ncamera event → alert on MQTT: idle, then under ${rate.toFixed(0)} msg/s QoS 1 telemetry (${source})`,
  );
  const { idle, loaded, load } = await withTarget('gateway', 0, async (t) => {
    const idle = await cameraAlerts(t, IDLE_SAMPLES);
    const lanes = deviceIds.length * WINDOW;
    const background = drive('background telemetry', t, { periodMs: (lanes * 1000) / rate });
    const loaded = await cameraAlerts(t, 10_000, background);
    return { idle, loaded, load: await background };
  });
  const late = (s: number[]): number => s.filter((x) => x >= ALERT_WAIT_MS).length;
  const line = (name: string, s: number[]): string =>
    `${name.padEnd(30)} p50 ${quantile(s, 0.5).toFixed(1)} ms   p99 ${quantile(s, 0.99).toFixed(1)} ms   max ${s.at(-1)!.toFixed(1)} ms   ` +
    `(${s.length} events, ${late(s)} without an alert within ${ALERT_WAIT_MS / 1000} s: counted as ${ALERT_WAIT_MS / 1000} s)`;
  console.log(line('alerts, gateway idle', idle));
  console.log(line('alerts, under telemetry', loaded));
  console.log(
    `background telemetry: ${load.msgsPerS.toFixed(0)} msg/s acknowledged of ${rate.toFixed(0)} asked, PUBACK p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms`,
  );
  const p99 = quantile(loaded, 0.99);
  record({
    figure: 'camera event → alert p99, under load (vs idle)',
    unit: 'ms',
    gateway: p99,
    baseline: quantile(idle, 0.99),
    goal: '≤ 20 ms',
    met: p99 <= 20,
  });
  record({
    figure: 'background telemetry acknowledged',
    unit: 'msg/s',
    gateway: load.msgsPerS,
    baseline: rate,
    goal: '10 000 msg/s asked',
    met: null,
  });
}
