/**
 * Issue 19, outages on real parts. Partition: the uplink is cut under load (both hub replicas
 * stopped); detection and escalation in each community go on; afterwards the hub holds every
 * incident change exactly once, in order. SIGKILL: one replica (a child process) is killed
 * while street timers run and while it holds a gateway's downlink poll; the other finishes both,
 * and every timer fired exactly once.
 */
// clock-sweep: skip — timers relative to the test clock only; minutes per run on a loaded machine.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertingModule, createAlertingModule } from '../../../gateway/src/alerting/module.ts';
import { createChannelsModule } from '../../../gateway/src/channels/module.ts';
import type { Detection, Severity } from '../../../gateway/src/contracts/alerts.ts';
import { createStreetLinkModule } from '../../../gateway/src/street-link/module.ts';
import { testNow } from '../../helpers/clock.ts';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { openTestPool, startPostgres, type PostgresInstance } from '../../helpers/postgres.ts';
import {
  linkSettings,
  spawnHub,
  startTestHub,
  writeCommunitySite,
  writeStreetFile,
  type HubProcess,
  type TestHub,
} from '../../helpers/street.ts';

type LinkedGateway = TestGateway & { alerting: AlertingModule; siteId: string };

let postgres: PostgresInstance;
let dir: string;
beforeAll(async () => {
  postgres = await startPostgres();
  dir = mkdtempSync(path.join(os.tmpdir(), 'weige-street-'));
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function detection(siteId: string, key: string, severity: Severity): Detection {
  return {
    kind: 'fire',
    severity,
    siteId,
    eventTs: testNow(),
    source: { deviceId: `smoke-${siteId}`, rule: 'shed-fire-confirmed', model: null },
    dedupeKey: key,
    location: { place: 'shed-1' },
    title: { 'zh-CN': '1号车棚火警', en: 'Fire in shed 1' },
    message: { 'zh-CN': '烟感报警', en: 'Smoke alarm' },
    evidence: {},
  };
}

async function startGateways(siteIds: string[], hubs: string[]): Promise<LinkedGateway[]> {
  const out: LinkedGateway[] = [];
  for (const siteId of siteIds) {
    const alerting = createAlertingModule() as AlertingModule;
    const gw = await startTestGateway(linkSettings(writeCommunitySite(dir, siteId), siteId, hubs), {
      modules: [createChannelsModule, () => alerting, createStreetLinkModule],
    });
    out.push({ ...gw, alerting, siteId });
  }
  return out;
}

const pendingUplink = (gw: LinkedGateway): number =>
  Number(
    (
      gw.gateway.ctx.stores.db.prepare('SELECT COUNT(*) AS n FROM street_uplink_outbox').get() as {
        n: number;
      }
    ).n,
  );

interface Change {
  type: string;
  at: string;
  by: string | null;
}

/** Every incident's history at the gateway, in order (the truth the hub must hold). */
function gatewayHistories(gw: LinkedGateway): Map<string, Change[]> {
  const rows = gw.gateway.ctx.stores.db
    .prepare('SELECT incident_id, at, type, by FROM alerting_history ORDER BY seq')
    .all() as Array<{ incident_id: string; at: number; type: string; by: string | null }>;
  const out = new Map<string, Change[]>();
  for (const r of rows) {
    const list = out.get(r.incident_id) ?? [];
    list.push({ type: r.type, at: new Date(r.at).toISOString(), by: r.by });
    out.set(r.incident_id, list);
  }
  return out;
}

async function hubHistories(db: pg.Pool, siteId: string): Promise<Map<string, Change[]>> {
  const rows = (
    await db.query(
      `SELECT ref_id, body->'lastChange' AS c FROM hub_records WHERE site_id = $1 AND kind = 'incident' ORDER BY seq`,
      [siteId],
    )
  ).rows as Array<{ ref_id: string; c: Change }>;
  const out = new Map<string, Change[]>();
  for (const r of rows)
    out.set(r.ref_id, [...(out.get(r.ref_id) ?? []), { type: r.c.type, at: r.c.at, by: r.c.by }]);
  return out;
}

describe('partition: the uplink cut under load', () => {
  it('communities detect and escalate on their own; afterwards the hub holds every change once, in order', async () => {
    const url = await postgres.createDatabase('partition');
    const db = openTestPool(url);
    const sites = ['p1', 'p2', 'p3'];
    const streetFile = writeStreetFile(dir, sites);
    let hubs: TestHub[] = [
      await startTestHub(url, streetFile, 'hub-a'),
      await startTestHub(url, streetFile, 'hub-b'),
    ];
    const ports = hubs.map((h) => h.hub.httpPort);
    const gateways = await startGateways(
      sites,
      hubs.map((h) => h.http),
    );
    try {
      // Load: a major incident per community every 50 ms (quiet once dispatched), and one
      // critical each that escalates every second, A → B → leader → street, reminding each second.
      let n = 0;
      const load = setInterval(() => {
        n++;
        for (const gw of gateways)
          gw.gateway.ctx.bus.emit('detectionRaised', detection(gw.siteId, `load:${n}`, 'major'));
      }, 50);
      for (const gw of gateways)
        gw.gateway.ctx.bus.emit('detectionRaised', detection(gw.siteId, 'critical', 'critical'));
      await eventually(
        async () => Number((await db.query('SELECT COUNT(*) AS n FROM hub_records')).rows[0].n) > 100,
        30_000,
      );

      // The cut: both replicas stop (connections refused, pushes in flight cut off). A new critical
      // incident in each community then has to escalate with nobody at the street to see it.
      for (const h of hubs) await h.stop();
      const cutAt = testNow();
      for (const gw of gateways)
        gw.gateway.ctx.bus.emit('detectionRaised', detection(gw.siteId, 'critical-in-outage', 'critical'));
      const storedAtCut = Number((await db.query('SELECT COUNT(*) AS n FROM hub_records')).rows[0].n);
      await new Promise((r) => setTimeout(r, 6000));
      for (const gw of gateways) {
        // Detection went on (new incidents) and so did escalation (steps and reminders).
        const h = gw.gateway.ctx.stores.db
          .prepare(`SELECT type, COUNT(*) AS n FROM alerting_history WHERE at > ? GROUP BY type`)
          .all(cutAt) as Array<{ type: string; n: number }>;
        const count = (t: string) => h.find((x) => x.type === t)?.n ?? 0;
        expect(count('opened') + count('dispatched')).toBeGreaterThan(20);
        expect(count('reminded')).toBeGreaterThan(2);
        expect(count('escalated') + count('escalation_exhausted')).toBeGreaterThan(0);
        expect(pendingUplink(gw)).toBeGreaterThan(20);
      }
      expect(Number((await db.query('SELECT COUNT(*) AS n FROM hub_records')).rows[0].n)).toBe(storedAtCut);

      hubs = [
        await startTestHub(url, streetFile, 'hub-a', ports[0]),
        await startTestHub(url, streetFile, 'hub-b', ports[1]),
      ];
      await new Promise((r) => setTimeout(r, 1000));
      clearInterval(load);
      // Quiet the critical incidents (accepted locally) so that the histories stop growing.
      for (const gw of gateways)
        for (const key of ['critical', 'critical-in-outage']) {
          const crit = gw.alerting.running.store.latestByDedupeKey(key)!;
          expect(
            (await gw.api('POST', `/api/incidents/${crit.id}/accept`, { user: 'worker-a' })).status,
          ).toBe(200);
        }
      await eventually(() => gateways.every((gw) => pendingUplink(gw) === 0), 30_000, 100);

      for (const gw of gateways) {
        const truth = gatewayHistories(gw);
        const held = await hubHistories(db, gw.siteId);
        expect(held.size).toBe(truth.size);
        for (const [id, changes] of truth) expect(held.get(id), `incident ${id}`).toEqual(changes);
      }
      // Nothing twice: one row per (site, seq) and seqs without gaps.
      const shape = (
        await db.query(
          `SELECT site_id, COUNT(*)::int AS n, MIN(seq)::int AS lo, MAX(seq)::int AS hi FROM hub_records GROUP BY site_id`,
        )
      ).rows;
      for (const s of shape) expect([s.lo, s.hi]).toEqual([1, s.n]);
    } finally {
      for (const gw of gateways) await gw.stop();
      for (const h of hubs) await h.stop();
      await db.end();
    }
  }, 90_000);
});

describe('SIGKILL of one hub replica', () => {
  it('mid-escalation and mid-downlink: the other replica finishes both; every street timer fires once', async () => {
    const url = await postgres.createDatabase('sigkill');
    const db = openTestPool(url);
    const sites = ['k1', 'k2'];
    const reminderS = 1;
    const streetFile = writeStreetFile(dir, sites, { acceptS: 4, reminderS });
    const [a, b] = [await spawnHub(url, streetFile, 'hub-a'), await spawnHub(url, streetFile, 'hub-b')] as [
      HubProcess,
      HubProcess,
    ];
    // Both gateways prefer replica a: their downlink polls are held there when it dies.
    const gateways = await startGateways(sites, [a.http, b.http]);
    try {
      const [k1, k2] = gateways as [LinkedGateway, LinkedGateway];
      k1.gateway.ctx.bus.emit('detectionRaised', detection('k1', 'i1', 'critical'));
      k1.gateway.ctx.bus.emit('detectionRaised', detection('k1', 'i2', 'critical'));
      k2.gateway.ctx.bus.emit('detectionRaised', detection('k2', 'i3', 'critical'));
      const ids = {
        i1: k1.alerting.running.store.latestByDedupeKey('i1')!.id,
        i2: k1.alerting.running.store.latestByDedupeKey('i2')!.id,
        i3: k2.alerting.running.store.latestByDedupeKey('i3')!.id,
      };
      // All three reach the street and its reminders are running.
      await eventually(
        async () => {
          const r = await db.query(
            `SELECT COUNT(*)::int AS n FROM hub_street_events WHERE type = 'street_reminded'`,
          );
          return r.rows[0].n >= 3;
        },
        20_000,
        100,
      );

      // Accept i1 at replica b, and at once kill replica a: k1's poll sits at a, timers are running.
      const accepted = await b.api('POST', `/api/street/incidents/k1/${ids.i1}/accept`, {
        user: 'duty',
        body: {},
      });
      expect(accepted.status).toBe(202);
      await a.kill();
      // The replicas' Date runs on the test clock (spawnEntry), so their done_at does too.
      const killedAt = testNow();

      await eventually(
        async () => k1.alerting.running.store.getIncident(ids.i1)!.state === 'accepted',
        15_000,
        100,
      );
      // The street administrator is paged for i2 and i3 by the surviving replica.
      const escalated = await eventually(
        async () => {
          const r = await db.query(
            `SELECT e.incident_id, j.done_by FROM hub_street_events e JOIN hub_jobs j ON j.id = e.job_id
           WHERE e.type = 'street_escalated' ORDER BY e.incident_id`,
          );
          return r.rows.length === 2 ? r.rows : null;
        },
        15_000,
        100,
      );
      expect(escalated.map((r) => r.incident_id).sort()).toEqual([ids.i2, ids.i3].sort());
      for (const [site, id] of [
        ['k1', ids.i2],
        ['k2', ids.i3],
      ] as const)
        expect(
          (await b.api('POST', `/api/street/incidents/${site}/${id}/accept`, { user: 'duty', body: {} }))
            .status,
        ).toBe(202);
      await eventually(
        async () =>
          k1.alerting.running.store.getIncident(ids.i2)!.state === 'accepted' &&
          k2.alerting.running.store.getIncident(ids.i3)!.state === 'accepted',
        15_000,
        100,
      );

      // Each acceptance applied once at its community, and answered once.
      for (const [gw, id] of [
        [k1, ids.i1],
        [k1, ids.i2],
        [k2, ids.i3],
      ] as const)
        expect(
          gw.alerting.running.store
            .history(id)
            .filter((h) => h.type === 'accepted')
            .map((h) => h.by),
        ).toEqual(['street:duty']);
      const answers = await eventually(
        async () => {
          const r = await db.query(`SELECT site_id, outcome FROM hub_downlink ORDER BY site_id, seq`);
          return r.rows.every((x) => x.outcome) ? r.rows : null;
        },
        10_000,
        100,
      );
      expect(answers).toEqual([
        { site_id: 'k1', outcome: 'applied' },
        { site_id: 'k1', outcome: 'applied' },
        { site_id: 'k2', outcome: 'applied' },
      ]);

      // The timers: none pending, none fired twice, none lost (each incident's reminders are due
      // every reminderS without a gap), the survivor ran everything after the kill.
      const jobs = (
        await db.query(
          'SELECT id, kind, incident_id, due_at, state, done_by, done_at FROM hub_jobs ORDER BY id',
        )
      ).rows;
      expect(jobs.filter((j) => j.state === 'pending')).toEqual([]);
      const events = (
        await db.query(
          'SELECT job_id, type, incident_id, data FROM hub_street_events WHERE job_id IS NOT NULL',
        )
      ).rows;
      const done = jobs.filter((j) => j.state === 'done');
      expect(events.map((e) => Number(e.job_id)).sort((x, y) => x - y)).toEqual(done.map((j) => j.id));
      for (const id of Object.values(ids)) {
        const dues = done
          .filter((j) => j.incident_id === id && j.kind === 'street_reminder')
          .map((j) => j.due_at)
          .sort((x, y) => x - y);
        expect(dues.length).toBeGreaterThan(0);
        expect(new Set(dues).size).toBe(dues.length);
        for (let k = 1; k < dues.length; k++) expect(dues[k]! - dues[k - 1]!).toBe(reminderS * 1000);
      }
      const afterKill = done.filter((j) => j.done_at > killedAt);
      expect(afterKill.length).toBeGreaterThan(0);
      expect(new Set(afterKill.map((j) => j.done_by))).toEqual(new Set(['hub-b']));
      console.info(
        `street timers: ${done.length} fired (${done.filter((j) => j.done_by === 'hub-a').length} by hub-a before its SIGKILL, ` +
          `${done.filter((j) => j.done_by === 'hub-b').length} by hub-b), ${jobs.filter((j) => j.state === 'cancelled').length} cancelled by acceptances, 0 twice`,
      );
    } finally {
      for (const gw of gateways) await gw.stop();
      await a.kill();
      await b.stop();
      await db.end();
    }
  }, 90_000);
});
