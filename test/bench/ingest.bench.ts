/**
 * `npm run bench`: canonical telemetry from many simulated devices over real MQTT (QoS 1) into
 * the full gateway (aedes → codec → validation → SQLite → bus) and, in the same run with the same
 * harness (harness.ts), into a bare aedes broker. Each target runs in its own process; the load
 * generator runs here. Prints msgs/s, PUBACK latency p50/p99 (for the gateway a PUBACK means
 * "stored"), the target process's CPU time per message, and the ratios gateway / bare aedes.
 *
 * Then, issue 16's overload and scale figures, each next to its baseline of the same run:
 * - a QoS 0 flood from every device at once (no window): bare aedes vs the gateway, the target's
 *   RSS before and after and what the gateway shed (`overload`) and stored;
 * - a gateway with BENCH_EXTRA_DEVICES (100 000) more registered devices vs the example site
 *   alone: start time (spawn → /healthz ready), RSS when ready, and CPU per message under the
 *   same QoS 1 load.
 * And issue 15's: rules are off the acknowledgement path (ack-path.ts).
 *
 * Options (env): BENCH_SECTIONS (throughput,flood,scale,rules: the sections to run, all by
 * default; `BENCH_SECTIONS=rules npm run bench` runs only the rules one), BENCH_SECONDS (10),
 * BENCH_DEVICES (168), BENCH_WINDOW (8 in flight per device), BENCH_EXTRA_DEVICES (100000),
 * BENCH_SLOW_RULES (200), BENCH_PACED_DEVICES (20), BENCH_PACED_PERIOD_MS (500).
 */
import { scrapeMetrics } from '../helpers/metrics.ts';
import { testNow } from '../helpers/clock.ts';
import { printAckPath } from './ack-path.ts';
import {
  connectAll,
  cpuSeconds,
  deviceIds,
  fmt,
  rssMb,
  SECONDS,
  summarize,
  withTarget,
  type Result,
  type Target,
} from './harness.ts';

const WINDOW = Number(process.env.BENCH_WINDOW ?? 8);
const EXTRA_DEVICES = Number(process.env.BENCH_EXTRA_DEVICES ?? 100_000);
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? 'throughput,flood,scale,rules').split(','));

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
  return summarize(name, sent, latencies, elapsedS, cpuMsPer1k);
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

/** The gateway against bare aedes under the same saturating QoS 1 load. */
async function printThroughput(): Promise<void> {
  console.log(
    `ingest benchmark: ${deviceIds.length} devices × ${WINDOW} in flight, QoS 1, ${SECONDS} s per target`,
  );
  const aedes = await run('aedes');
  const gateway = await run('gateway');
  console.log(fmt(aedes));
  console.log(fmt(gateway));
  console.log(
    `ratio gateway / bare aedes: throughput ${(gateway.msgsPerS / aedes.msgsPerS).toFixed(2)}, p50 latency ×${(gateway.p50Ms / aedes.p50Ms).toFixed(2)}, p99 latency ×${(gateway.p99Ms / aedes.p99Ms).toFixed(2)}, CPU per message ×${(gateway.cpuMsPer1k / aedes.cpuMsPer1k).toFixed(1)}`,
  );
  console.log(
    '(the load generator shares the 2 cores with the target; CPU per message is the steadier figure)',
  );
}

/** Issue 16: a QoS 0 flood, the gateway's RSS and what it shed. */
async function printFlood(): Promise<void> {
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
}

/** Issue 16: 100 000 more registered devices against the example site alone. */
async function printScale(): Promise<void> {
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
}

if (SECTIONS.has('throughput')) await printThroughput();
if (SECTIONS.has('flood')) await printFlood();
if (SECTIONS.has('scale')) await printScale();
if (SECTIONS.has('rules')) await printAckPath();
process.exit(0);
