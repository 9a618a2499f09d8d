/**
 * `npm run bench:hub`: simulated community gateways push a busy day into two street hub replicas
 * (`gateway/src/hub/main.ts`, each its own process) on one real PostgreSQL, and the hub's cost is
 * measured as the street grows: 3 → 26 → 260 communities (simulated, not real gateways; each
 * signs and pushes its outbox exactly as the street link does, in batches, in order).
 *
 * A busy day per community: BENCH_INCIDENTS incidents (each: opened, dispatched, two reminders,
 * accepted, arrived, resolved — seven incident records — plus one alert summary; one in ten
 * reaches the street and runs its timers there) and BENCH_HEALTH device-health changes. The day
 * is replayed over BENCH_SECONDS: records are staged at an even pace and pushed every 200 ms,
 * like the gateway's uplink. Printed per street size: records/s stored, uplink delay p50/p99
 * (staged at the gateway → committed at the hub), PostgreSQL rows and bytes per incident, and
 * the peak RSS of each replica.
 *
 * Options (env): BENCH_COMMUNITIES ("3,26,260"), BENCH_SECONDS (20), BENCH_INCIDENTS (60),
 * BENCH_HEALTH (300).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { UplinkKind, UplinkRecord, UplinkResponse } from '../../gateway/src/contracts/hub.ts';
import { signUplink } from '../../gateway/src/core/uplink-signature.ts';
import { testNow } from '../helpers/clock.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { gatewayKey, spawnHub, writeStreetFile } from '../helpers/street.ts';

const SIZES = (process.env.BENCH_COMMUNITIES ?? '3,26,260').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 60);
const HEALTH = Number(process.env.BENCH_HEALTH ?? 300);
const PUSH_EVERY_MS = 200;
const STEPS = ['opened', 'dispatched', 'reminded', 'reminded', 'accepted', 'arrived', 'resolved'];
const STATES = ['open', 'dispatched', 'dispatched', 'escalated', 'accepted', 'on_site', 'resolved'];

/** An incident view shaped like the gateway's (chain, paged, texts): the real payload size. */
function incidentView(siteId: string, n: number, step: number, at: string): Record<string, unknown> {
  const street = n % 10 === 0 && step >= 3 && step < 4;
  const staff = (id: string) => ({ staffId: id, name: id, role: 'grid_worker', post: 'A', step: 0 });
  return {
    id: `inc_${siteId}_${n}`,
    siteId,
    kind: n % 3 ? 'continuous_water_flow' : 'fire_risk',
    severity: n % 3 ? 'major' : 'critical',
    state: STATES[step],
    title: '1号楼持续用水',
    message: '夜间持续流量超过阈值',
    texts: {
      title: { 'zh-CN': '1号楼持续用水', en: 'Continuous flow' },
      message: { 'zh-CN': '夜间持续流量', en: 'Night flow' },
    },
    dedupeKey: `flow:${n}`,
    location: {
      building: 'B1',
      facade: null,
      floor: 3,
      floorRange: null,
      unit: '1',
      household: 'B1-1-301',
      place: null,
    },
    grid: ['wuliqiao', `blk-${siteId}`, `nb-${siteId}`, `mg-${siteId}`],
    source: { deviceId: `wm-${n}`, rule: 'continuous-flow', model: null },
    occurrences: 1,
    createdAt: at,
    updatedAt: at,
    escalationStep: street ? 3 : 0,
    escalationLevel: street ? 'grid:wuliqiao' : 'A',
    chain: ['A', 'B', `grid:mg-${siteId}`, 'grid:wuliqiao'].map((label) => ({
      label,
      gridNode: label,
      staff: [staff(`${label}-1`)],
    })),
    paged: [staff('worker-a')],
    assignees: ['worker-a'],
    acceptedBy: step >= 4 ? 'worker-a' : null,
    acceptedAt: step >= 4 ? at : null,
    disposition: step === 6 ? (n % 7 ? 'real' : 'false_alarm') : null,
    lastChange: { type: STEPS[step], at, by: step >= 4 ? 'worker-a' : null },
  };
}

type Staged = { kind: UplinkKind; body: (at: string) => Record<string, unknown> };

/** One community's day in the order its gateway would stage it: incidents overlap, health between. */
function busyDay(siteId: string): Staged[] {
  const steps: Array<{ n: number; step: number }> = [];
  for (let n = 0; n < INCIDENTS; n++) for (let step = 0; step < STEPS.length; step++) steps.push({ n, step });
  // Incident n's step k happens at "time" n + 3k: several incidents are open at once, each in order.
  steps.sort((a, b) => a.n + a.step * 3 - (b.n + b.step * 3));
  const day: Staged[] = [];
  const healthEvery = steps.length / HEALTH;
  let health = 0;
  for (const [i, { n, step }] of steps.entries()) {
    if (step === 0)
      day.push({
        kind: 'alert',
        body: (at) => ({
          id: `al_${siteId}_${n}`,
          kind: 'fire_risk',
          severity: 'major',
          siteId,
          title: '持续用水',
          message: '',
          location: {},
          grid: [],
          eventTs: at,
          detectedAt: at,
          source: {},
          incidentId: `inc_${siteId}_${n}`,
        }),
      });
    day.push({ kind: 'incident', body: (at) => incidentView(siteId, n, step, at) });
    for (; health < HEALTH && health <= i / healthEvery; health++) {
      const d = health;
      day.push({
        kind: 'device_health',
        body: (at) => ({
          deviceId: `dev-${d % 200}`,
          status: d % 2 ? 'offline' : 'online',
          lastSeen: Date.parse(at),
          batteryPct: 80,
          cause: 'silent',
        }),
      });
    }
  }
  return day;
}

async function simulateCommunity(siteId: string, hubs: string[], startAt: number): Promise<number> {
  const day = busyDay(siteId);
  const key = gatewayKey(siteId);
  let seq = 0;
  let next = 0;
  const outbox: UplinkRecord[] = [];
  const spacingMs = (SECONDS * 1000) / day.length;
  let replica = seq % hubs.length;
  while (next < day.length || outbox.length) {
    const due = Math.min(day.length, Math.floor((Date.now() - startAt) / spacingMs) + 1);
    for (; next < due; next++) {
      // The replicas run on the test clock (spawnEntry's preload): stamp records on it too.
      const at = new Date(testNow()).toISOString();
      const unsigned = {
        seq: ++seq,
        kind: day[next]!.kind,
        at,
        payload: JSON.stringify(day[next]!.body(at)),
      };
      outbox.push({ ...unsigned, sig: signUplink(key, siteId, unsigned) });
    }
    if (outbox.length) {
      const batch = outbox.slice(0, 500);
      try {
        const res = await fetch(`${hubs[replica]}/api/hub/uplink`, {
          method: 'POST',
          headers: { authorization: `Gateway ${siteId}:${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ siteId, records: batch }),
        });
        if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
        const answer = (await res.json()) as UplinkResponse;
        const refused = answer.results.find((r) => r.outcome === 'refused');
        if (refused) throw new Error(`refused: ${JSON.stringify(refused)}`);
        outbox.splice(
          0,
          outbox.findIndex((r) => r.seq > answer.storedThrough) === -1
            ? outbox.length
            : outbox.findIndex((r) => r.seq > answer.storedThrough),
        );
      } catch (err) {
        replica = (replica + 1) % hubs.length;
        if (!(err instanceof TypeError)) throw err;
      }
    }
    await new Promise((r) => setTimeout(r, PUSH_EVERY_MS));
  }
  return seq;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function main(): Promise<void> {
  const postgres = await startPostgres();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weige-hub-bench-'));
  const rows: Array<Record<string, string | number>> = [];
  try {
    for (const size of SIZES) {
      const sites = Array.from({ length: size }, (_, i) => `bench-${i + 1}`);
      const url = await postgres.createDatabase(`bench_${size}`);
      const streetFile = writeStreetFile(dir, sites, { acceptS: 300, reminderS: 60 });
      const hubs = [await spawnHub(url, streetFile, 'hub-a'), await spawnHub(url, streetFile, 'hub-b')];
      const startAt = Date.now();
      const counts = await Promise.all(
        sites.map((s, i) =>
          simulateCommunity(
            s,
            i % 2 ? [hubs[1]!.http, hubs[0]!.http] : [hubs[0]!.http, hubs[1]!.http],
            startAt,
          ),
        ),
      );
      const elapsedS = (Date.now() - startAt) / 1000;
      const db = new pg.Pool({ connectionString: url, max: 1 });
      const q = async (sql: string) => (await db.query(sql)).rows[0] as Record<string, string | number>;
      const delay = await q(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY received_at - at) AS p50,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY received_at - at) AS p99, COUNT(*) AS n FROM hub_records`,
      );
      const incidents = Number((await q('SELECT COUNT(*) AS n FROM hub_incidents')).n);
      const incidentRows = Number(
        (
          await q(`SELECT (SELECT COUNT(*) FROM hub_records WHERE kind IN ('incident', 'alert')) + (SELECT COUNT(*) FROM hub_incidents)
                   + (SELECT COUNT(*) FROM hub_street_events WHERE incident_id IS NOT NULL) + (SELECT COUNT(*) FROM hub_jobs) AS n`)
        ).n,
      );
      const bytes = Number(
        (
          await q(
            `SELECT SUM(pg_total_relation_size(c.oid)) AS b FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE 'hub_%'`,
          )
        ).b,
      );
      await db.end();
      const stored = Number(delay.n);
      if (stored !== counts.reduce((a, b) => a + b, 0))
        throw new Error(`stored ${stored} of ${counts.reduce((a, b) => a + b, 0)} records`);
      rows.push({
        communities: size,
        records: stored,
        'records/s': Math.round(stored / elapsedS),
        'delay p50 ms': Math.round(Number(delay.p50)),
        'delay p99 ms': Math.round(Number(delay.p99)),
        incidents,
        'rows/incident': (incidentRows / incidents).toFixed(1),
        'KiB/incident (all tables)': (bytes / 1024 / incidents).toFixed(1),
        'RSS hub-a MB': peakRssMb(hubs[0]!.child.pid!).toFixed(0),
        'RSS hub-b MB': peakRssMb(hubs[1]!.child.pid!).toFixed(0),
      });
      for (const h of hubs) await h.stop();
      console.table(rows.slice(-1));
    }
  } finally {
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nbusy day per community: ${INCIDENTS} incidents × ${STEPS.length} changes + ${INCIDENTS} alerts + ${HEALTH} device-health changes, replayed over ${SECONDS} s`,
  );
  console.table(rows);
}

void main();
