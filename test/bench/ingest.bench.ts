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
 * - publish → subscriber latency and throughput with a TCP subscriber, and camera event → alert
 *   under background telemetry (latency.ts).
 * It ends with issue 16's table (figures.ts): each figure, its baseline, the ratio, the goal, met.
 * And, on request, issue 15's: rules are off the acknowledgement path (ack-path.ts, ~11 min).
 *
 * Options (env): BENCH_SECTIONS (throughput,subscriber,alerts,flood,scale,rules: the sections to
 * run; all but rules by default; `BENCH_SECTIONS=rules npm run bench` runs only the rules one),
 * BENCH_RUNS (1: how often to run the sections; the summary then gives ranges and medians),
 * BENCH_SECONDS (10), BENCH_DEVICES (168), BENCH_WINDOW (8 in flight per device),
 * BENCH_BACKGROUND_RATE (10000), BENCH_EXTRA_DEVICES (100000), BENCH_SLOW_RULES (200),
 * BENCH_PACED_DEVICES (20), BENCH_PACED_PERIOD_MS (500).
 */
import { scrapeMetrics } from '../helpers/metrics.ts';
import { testNow } from '../helpers/clock.ts';
import { printAckPath } from './ack-path.ts';
import { nextRun, printSummary, record } from './figures.ts';
import {
  connectAll,
  deviceIds,
  drive,
  fmt,
  quantile,
  rssMb,
  SECONDS,
  sleep,
  WINDOW,
  withTarget,
  type Result,
} from './harness.ts';
import { printAlertsUnderLoad, printSubscriber } from './latency.ts';

const EXTRA_DEVICES = Number(process.env.BENCH_EXTRA_DEVICES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const SECTIONS = new Set(
  (process.env.BENCH_SECTIONS ?? 'throughput,subscriber,alerts,flood,scale').split(','),
);
/** During the flood one meter does not flood: it sends a QoS 1 reading this often (its PUBACKs time the others' flood). */
const PROBE_PERIOD_MS = 50;

function run(kind: 'gateway' | 'aedes'): Promise<Result> {
  return withTarget(kind, 0, (t) =>
    drive(kind === 'gateway' ? 'weige gateway (full pipeline)' : 'bare aedes', t),
  );
}

interface FloodResult {
  name: string;
  sent: number;
  rssBeforeMb: number;
  /** The highest RSS sampled during the flood (every 250 ms) and at its end. */
  rssAfterMb: number;
  /** PUBACK latencies of the probe meter's QoS 1 readings during the flood, ascending. */
  probeMs: number[];
  shed: number;
  stored: number;
  rejected: number;
}

/** Every device but the probe publishes QoS 0 as fast as its socket takes it, for SECONDS. */
async function flood(kind: 'gateway' | 'aedes'): Promise<FloodResult> {
  return withTarget(kind, 0, async (t) => {
    const pid = t.child.pid!;
    const clients = await connectAll(t);
    const probe = clients.pop()!;
    const rssBeforeMb = rssMb(pid);
    // The target runs on the test clock (entry-process.ts): readings 20 days before it, not the wall's.
    const base = testNow() - 20 * 86400_000;
    const deadline = Date.now() + SECONDS * 1000;
    let sent = 0;
    const probeMs: number[] = [];
    const probing = (async () => {
      for (let n = 0; Date.now() < deadline; n++) {
        const t0 = performance.now();
        const payload = JSON.stringify({ ts: base + n * 1000, total_m3: 100 + n * 0.001 });
        await probe.publishAsync(`weige/${deviceIds[clients.length]}/telemetry`, payload, { qos: 1 });
        probeMs.push(performance.now() - t0);
        await sleep(t0 + PROBE_PERIOD_MS - performance.now());
      }
    })();
    let rssPeakMb = rssBeforeMb;
    const sampler = setInterval(() => (rssPeakMb = Math.max(rssPeakMb, rssMb(pid))), 250);
    await Promise.all(
      clients.map(async (client, i) => {
        for (let n = 0; Date.now() < deadline; n++) {
          const payload = JSON.stringify({ ts: base + n * 1000, total_m3: 100 + n * 0.001 });
          await new Promise<void>((r) =>
            client.publish(`weige/${deviceIds[i]}/telemetry`, payload, { qos: 0 }, () => r()),
          );
          sent++;
          // A QoS 0 write completes on the next tick: without a turn of the event loop now and then
          // the flood would starve the probe's PUBACKs and the RSS sampler in this process.
          if (n % 50 === 49) await new Promise(setImmediate);
        }
      }),
    );
    await probing;
    clearInterval(sampler);
    const rssAfterMb = Math.max(rssPeakMb, rssMb(pid));
    await Promise.all([...clients, probe].map((c) => c.endAsync()));
    const metrics = t.http ? await scrapeMetrics(t.http) : null;
    return {
      name: kind === 'gateway' ? 'weige gateway (full pipeline)' : 'bare aedes',
      sent,
      rssBeforeMb,
      rssAfterMb,
      probeMs: probeMs.sort((a, b) => a - b),
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

/** The gateway against bare aedes under the same saturating QoS 1 load; returns the gateway's msg/s. */
async function printThroughput(): Promise<number> {
  console.log(
    `ingest benchmark: ${deviceIds.length} devices × ${WINDOW} in flight, QoS 1, ${SECONDS} s per target`,
  );
  const aedes = await run('aedes');
  const gateway = await run('gateway');
  console.log(fmt(aedes));
  console.log(fmt(gateway));
  const throughput = gateway.msgsPerS / aedes.msgsPerS;
  const cpu = gateway.cpuMsPer1k / aedes.cpuMsPer1k;
  console.log(
    `ratio gateway / bare aedes: throughput ${throughput.toFixed(2)}, p50 latency ×${(gateway.p50Ms / aedes.p50Ms).toFixed(2)}, p99 latency ×${(gateway.p99Ms / aedes.p99Ms).toFixed(2)}, CPU per message ×${cpu.toFixed(1)}`,
  );
  console.log(
    '(the load generator shares the 2 cores with the target; CPU per message is the steadier figure)',
  );
  const vsAedes = (
    figure: string,
    unit: string,
    pick: (r: Result) => number,
    goal = '—',
    met: boolean | null = null,
  ) => record({ figure, unit, gateway: pick(gateway), baseline: pick(aedes), goal, met });
  vsAedes('CPU per 1k messages', 'CPU ms', (r) => r.cpuMsPer1k, 'ratio ≤ 2', cpu <= 2);
  vsAedes('throughput', 'msg/s', (r) => r.msgsPerS, 'ratio ≥ 0.5', throughput >= 0.5);
  vsAedes('PUBACK p50', 'ms', (r) => r.p50Ms);
  vsAedes('PUBACK p99', 'ms', (r) => r.p99Ms);
  return gateway.msgsPerS;
}

/** Issue 16: a QoS 0 flood, the gateway's RSS, a probe meter's PUBACKs and what it shed. */
async function printFlood(): Promise<void> {
  console.log(
    `\nQoS 0 flood: ${deviceIds.length - 1} devices publishing as fast as their sockets take it, ${SECONDS} s; ` +
      `one more sends a QoS 1 reading every ${PROBE_PERIOD_MS} ms (probe)`,
  );
  const [aedes, gateway] = [await flood('aedes'), await flood('gateway')];
  for (const f of [aedes, gateway])
    console.log(
      `${f.name.padEnd(30)} ${f.sent} sent   RSS ${f.rssBeforeMb.toFixed(0)} → peak ${f.rssAfterMb.toFixed(0)} MB   ` +
        `probe PUBACK p50 ${quantile(f.probeMs, 0.5).toFixed(1)} ms, p99 ${quantile(f.probeMs, 0.99).toFixed(1)} ms` +
        (f === gateway ? `   stored ${f.stored}, shed (overload) ${f.shed}, rejected ${f.rejected}` : ''),
    );
  const rise = (f: FloodResult): number => f.rssAfterMb - f.rssBeforeMb;
  const probeP99 = quantile(gateway.probeMs, 0.99);
  // Bounded: memory grew little, the probe kept its PUBACKs coming, and a flood this far above
  // capacity was partly shed with a counted reason (storing all of it late is not bounded).
  record({
    figure: 'QoS 0 flood: RSS rise',
    unit: 'MB',
    gateway: rise(gateway),
    baseline: rise(aedes),
    goal: '≤ 100 MB',
    met: rise(gateway) <= 100,
  });
  record({
    figure: 'QoS 0 flood: probe PUBACK p99',
    unit: 'ms',
    gateway: probeP99,
    baseline: quantile(aedes.probeMs, 0.99),
    goal: '≤ 1000 ms',
    met: probeP99 <= 1000,
  });
  record({
    figure: 'QoS 0 flood: shed as overload',
    unit: 'msgs',
    gateway: gateway.shed,
    baseline: gateway.sent,
    goal: '> 0, counted',
    met: gateway.shed > 0,
  });
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
  const cpu = large.load.cpuMsPer1k / small.load.cpuMsPer1k;
  console.log(
    `ratio large / small: start ×${(large.startMs / small.startMs).toFixed(2)}, RSS ×${(large.rssMb / small.rssMb).toFixed(2)}, ` +
      `CPU per message ×${cpu.toFixed(2)}`,
  );
  const n = `${EXTRA_DEVICES / 1000} k devices`;
  record({
    figure: `${n}: start`,
    unit: 's',
    gateway: large.startMs / 1000,
    baseline: small.startMs / 1000,
    goal: '≤ 5 s',
    met: large.startMs <= 5000,
  });
  record({
    figure: `${n}: RSS when ready`,
    unit: 'MB',
    gateway: large.rssMb,
    baseline: small.rssMb,
    goal: '≤ 300 MB',
    met: large.rssMb <= 300,
  });
  // "Unchanged" within what separates two runs of the same gateway here.
  record({
    figure: `${n}: CPU per 1k messages`,
    unit: 'CPU ms',
    gateway: large.load.cpuMsPer1k,
    baseline: small.load.cpuMsPer1k,
    goal: 'ratio ≤ 1.2',
    met: cpu <= 1.2,
  });
}

async function runSections(): Promise<void> {
  const capacity = SECTIONS.has('throughput') ? await printThroughput() : undefined;
  if (SECTIONS.has('subscriber')) await printSubscriber();
  if (SECTIONS.has('alerts')) await printAlertsUnderLoad(capacity);
  if (SECTIONS.has('flood')) await printFlood();
  if (SECTIONS.has('scale')) await printScale();
  if (SECTIONS.has('rules')) await printAckPath();
}

for (let i = 1; i <= RUNS; i++) {
  if (RUNS > 1) console.log(`\n=== run ${i} of ${RUNS} ===`);
  await runSections();
  if (RUNS > 1) printSummary();
  nextRun();
}
if (RUNS === 1) printSummary();
process.exit(0);
