/**
 * Issue 15: rules are off the acknowledgement path. A paced QoS 1 load (BENCH_PACED_DEVICES
 * meters, one reading each every BENCH_PACED_PERIOD_MS, below capacity: a saturating load would
 * measure the CPU the rules take, not where they run) goes to a gateway with the shipped rule packs
 * and to one that also loads a test-only pack that is slow on purpose: BENCH_SLOW_RULES (200) rules
 * over every water meter, each scanning a meter's whole stored history (3000 readings, stored
 * before the start) at every reading. 200, not 50: at 50 the pack kept one thread busy about 15 %
 * of the time, so whether a PUBACK met a rule slice depended on the machine's other load and the
 * in-thread ratio ranged ×0.8–×4.4 from run to run; at 200 it is busy about half the time.
 * The slow pack costs CPU per message; the rules run in their worker thread, so a PUBACK waits for
 * the store commit, not for them, and its latency stays near the baseline's (the cores are
 * shared: the worker's CPU still competes with the gateway's).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../gateway/src/store/database.ts';
import { SqliteReadingStore } from '../../gateway/src/store/reading-store.ts';
import { testNow } from '../helpers/clock.ts';
import {
  connectAll,
  cpuSeconds,
  deviceIds,
  fmt,
  SECONDS,
  site,
  summarize,
  withTarget,
  type Result,
  type Target,
} from './harness.ts';

const SLOW_RULES = Number(process.env.BENCH_SLOW_RULES ?? 200);
const PACED_DEVICES = Number(process.env.BENCH_PACED_DEVICES ?? 20);
const PACED_PERIOD_MS = Number(process.env.BENCH_PACED_PERIOD_MS ?? 500);
/** Stored readings per paced meter before the start, 10 minutes apart (about 21 days). */
const HISTORY = 3000;

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
  return summarize(name, sent, latencies, elapsedS, cpuMsPer1k);
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

/** Runs the section and prints both targets and the slow / shipped ratios. */
export async function printAckPath(): Promise<void> {
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
}
