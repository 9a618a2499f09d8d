/**
 * Issue 19, the core loop on real parts: three community gateways (in-process, real HTTP and
 * SQLite) linked to two street hub replicas on one real PostgreSQL. An incident nobody accepts
 * in its community reaches the street duty officer; accepted at the street, the acceptance shows
 * in the community and stops its reminders. Street-wide emergency mode reaches every gateway.
 * The street console (dashboards/street.html) works in a real Chromium. (Bad input at the hub:
 * uplink-refusals.test.ts.)
 */
// clock-sweep: skip — timers relative to the test clock only; minutes per run on a loaded machine.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertingModule, createAlertingModule } from '../../../gateway/src/alerting/module.ts';
import { createChannelsModule } from '../../../gateway/src/channels/module.ts';
import type { Detection } from '../../../gateway/src/contracts/alerts.ts';
import { createStreetLinkModule } from '../../../gateway/src/street-link/module.ts';
import {
  ensureDashboardsBuilt,
  launchChromium,
  loginThroughForm,
  openPage,
  screenshot,
  unlabelledControls,
} from '../../helpers/browser.ts';
import { testIso, testNow } from '../../helpers/clock.ts';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { openTestPool, startPostgres, type PostgresInstance } from '../../helpers/postgres.ts';
import {
  linkSettings,
  startTestHub,
  writeCommunitySite,
  writeStreetFile,
  type TestHub,
} from '../../helpers/street.ts';

const SITES = ['c1', 'c2', 'c3'];
/** In the street file but never started: a community whose gateway is down. */
const SPARE = 'spare';

let postgres: PostgresInstance;
let db: pg.Pool;
let dir: string;
let hubs: TestHub[] = [];
const gateways = new Map<string, TestGateway & { alerting: AlertingModule }>();

function shedFire(siteId: string, n: number): Detection {
  return {
    kind: 'fire',
    severity: 'critical',
    siteId,
    eventTs: testNow(),
    source: { deviceId: `smoke-${siteId}`, rule: 'shed-fire-confirmed', model: null },
    dedupeKey: `fire:shed-1:${n}`,
    location: { place: 'shed-1' },
    title: { 'zh-CN': '1号车棚火警', en: 'Fire in shed 1' },
    message: { 'zh-CN': '烟感报警', en: 'Smoke alarm' },
    evidence: { smoke_db_m: 0.3 },
  };
}

interface GatewayIncident {
  id: string;
  state: string;
  acceptedBy: string | null;
  escalationLevel: string | null;
  history: Array<{ type: string; by: string | null }>;
  pendingTimers: Array<{ kind: string }>;
}

async function incidentAt(gw: TestGateway, id: string): Promise<GatewayIncident> {
  return (await gw.api<GatewayIncident>('GET', `/api/incidents/${id}`, { user: 'admin' })).body;
}

beforeAll(async () => {
  // Built here (it may take a while on a busy machine), not inside the browser test's time.
  ensureDashboardsBuilt();
  postgres = await startPostgres();
  const url = await postgres.createDatabase('street_hub');
  db = openTestPool(url);
  dir = mkdtempSync(path.join(os.tmpdir(), 'weige-street-'));
  const streetFile = writeStreetFile(dir, [...SITES, SPARE]);
  hubs = [await startTestHub(url, streetFile, 'hub-a'), await startTestHub(url, streetFile, 'hub-b')];
  for (const [i, siteId] of SITES.entries()) {
    const alerting = createAlertingModule() as AlertingModule;
    // Each gateway prefers a different replica first: both carry traffic.
    const order = i % 2 ? [hubs[1]!.http, hubs[0]!.http] : [hubs[0]!.http, hubs[1]!.http];
    const gw = await startTestGateway(linkSettings(writeCommunitySite(dir, siteId), siteId, order), {
      modules: [createChannelsModule, () => alerting, createStreetLinkModule],
    });
    gateways.set(siteId, { ...gw, alerting });
  }
}, 90_000);

afterAll(async () => {
  for (const gw of gateways.values()) await gw.stop();
  for (const h of hubs) await h.stop();
  await db?.end();
  await postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('street hub: the core loop', () => {
  it('an incident nobody accepts reaches the street duty officer; accepted there, the community shows it and stops reminding', async () => {
    const c1 = gateways.get('c1')!;
    c1.gateway.ctx.bus.emit('detectionRaised', shedFire('c1', 1));
    const [{ id }] = (await c1.api<Array<{ id: string }>>('GET', '/api/incidents', { user: 'admin' }))
      .body as [{ id: string }];
    // A → B → micro-grid leader → the street node, one second each, nobody accepting.
    const atStreet = await eventually(async () => {
      const list = await hubs[0]!.api<Array<{ id: string; siteId: string; escalationLevel: string }>>(
        'GET',
        '/api/street/incidents?scope=street',
        { user: 'duty' },
      );
      return list.body.find((i) => i.id === id);
    }, 15_000);
    expect(atStreet.siteId).toBe('c1');
    expect(atStreet.escalationLevel).toBe('grid:wuliqiao');
    const paged = await db.query(
      `SELECT data FROM hub_street_events WHERE incident_id = $1 AND type = 'street_paged'`,
      [id],
    );
    expect(paged.rows.map((r) => r.data.paged)).toEqual([['duty']]);

    // A community account of another community does not see it; the street duty officer does.
    expect((await hubs[1]!.api('GET', `/api/street/incidents/c1/${id}`, { user: 'c2-manager' })).status).toBe(
      404,
    );
    const accepted = await hubs[1]!.api<{ downlinkSeq: number }>(
      'POST',
      `/api/street/incidents/c1/${id}/accept`,
      {
        user: 'duty',
        body: { note: '街道已接单，派人前往' },
      },
    );
    expect(accepted.status).toBe(202);

    const local = await eventually(async () => {
      const i = await incidentAt(c1, id);
      return i.state === 'accepted' ? i : null;
    }, 10_000);
    expect(local.acceptedBy).toBe('street:duty');
    expect(local.history.filter((h) => h.type === 'accepted').map((h) => h.by)).toEqual(['street:duty']);
    expect(local.history.filter((h) => h.type === 'reminded').length).toBeGreaterThan(0);
    // Reminders and escalation stopped: only the on-site and resolve clocks are left.
    expect(local.pendingTimers.map((p) => p.kind).sort()).toEqual(['arrive', 'resolve']);

    // The hub holds the acceptance as the community reported it, and the answer to its action.
    const hubView = await eventually(async () => {
      const r = await hubs[0]!.api<{ state: string; acceptedBy: string; changes: Array<{ type: string }> }>(
        'GET',
        `/api/street/incidents/c1/${id}`,
        { user: 'duty' },
      );
      return r.body.state === 'accepted' ? r.body : null;
    }, 10_000);
    expect(hubView.acceptedBy).toBe('street:duty');
    expect(hubView.changes.map((c) => c.type)).toEqual(local.history.map((h) => h.type));
    const outcome = await eventually(async () => {
      const r = await db.query(`SELECT outcome FROM hub_downlink WHERE site_id = 'c1' AND seq = $1`, [
        accepted.body.downlinkSeq,
      ]);
      return r.rows[0]?.outcome as string | undefined;
    });
    expect(outcome).toBe('applied');
  }, 40_000);
});

describe('street hub: street-wide emergency mode', () => {
  it('switched at the hub, it reaches every gateway, is recorded there and reported back', async () => {
    const before = Number((await db.query('SELECT COUNT(*) AS n FROM hub_downlink')).rows[0].n);
    // A community account may not switch the street; the street admin may.
    expect(
      (await hubs[0]!.api('PUT', '/api/street/mode', { user: 'c1-manager', body: { mode: 'emergency' } }))
        .status,
    ).toBe(403);
    const res = await hubs[1]!.api('PUT', '/api/street/mode', {
      user: 'chief',
      body: { mode: 'emergency', reason: '台风红色预警' },
    });
    expect(res.status).toBe(202);
    for (const siteId of SITES) {
      const mode = await eventually(async () => {
        const r = await gateways
          .get(siteId)!
          .api<{ mode: string; by: string; reason: string }>('GET', '/api/site/mode', {
            user: 'admin',
          });
        return r.body.mode === 'emergency' ? r.body : null;
      }, 10_000);
      expect(mode).toMatchObject({ by: 'street:chief', reason: '台风红色预警' });
    }
    // Every gateway answered 'applied' and reported its new mode up; the spare gateway never polled.
    const street = await eventually(async () => {
      const r = await hubs[0]!.api<{ communities: Array<{ siteId: string; mode: string }> }>(
        'GET',
        '/api/street',
        { user: 'chief' },
      );
      const live = r.body.communities.filter((c) => SITES.includes(c.siteId));
      return live.every((c) => c.mode === 'emergency') ? r.body : null;
    }, 10_000);
    expect(street.communities.find((c) => c.siteId === SPARE)!.mode).toBe('normal');
    const outcomes = await eventually(async () => {
      const r = await db.query(
        `SELECT site_id, outcome FROM hub_downlink WHERE kind = 'site_mode' ORDER BY site_id`,
      );
      return r.rows.filter((x) => x.outcome).length === SITES.length ? r.rows : null;
    }, 10_000);
    expect(outcomes).toEqual([
      { site_id: 'c1', outcome: 'applied' },
      { site_id: 'c2', outcome: 'applied' },
      { site_id: 'c3', outcome: 'applied' },
      { site_id: SPARE, outcome: null },
    ]);
    expect(Number((await db.query('SELECT COUNT(*) AS n FROM hub_downlink')).rows[0].n) - before).toBe(4);
  }, 30_000);
});

describe('street hub: other street actions', () => {
  it('a street silence is recorded at the communities chosen; a hand-back pages the community again', async () => {
    const res = await hubs[0]!.api('POST', '/api/street/silences', {
      user: 'chief',
      body: {
        matchers: { kind: 'device_offline' },
        startsAt: testIso(),
        endsAt: testIso(3600_000),
        reason: '街道统一停电检修',
        siteIds: ['c1', 'c2'],
      },
    });
    expect(res.status).toBe(202);
    for (const siteId of ['c1', 'c2']) {
      const silence = await eventually(async () => {
        const r = await gateways
          .get(siteId)!
          .api<Array<{ createdBy: string; reason: string; matchers: object }>>('GET', '/api/silences', {
            user: 'admin',
          });
        return r.body.find((x) => x.createdBy === 'street:chief');
      }, 10_000);
      expect(silence).toMatchObject({ reason: '街道统一停电检修', matchers: { kind: 'device_offline' } });
    }
    const c3Silences = await gateways
      .get('c3')!
      .api<Array<{ createdBy: string }>>('GET', '/api/silences', { user: 'admin' });
    expect(c3Silences.body.filter((x) => x.createdBy === 'street:chief')).toEqual([]);

    // The street accepted c1's first incident earlier; it hands it back to the community.
    const c1 = gateways.get('c1')!;
    const id = c1.alerting.running.store.latestByDedupeKey('fire:shed-1:1')!.id;
    const back = await hubs[1]!.api('POST', `/api/street/incidents/c1/${id}/hand-back`, {
      user: 'duty',
      body: { note: '请小区先行处置' },
    });
    expect(back.status).toBe(202);
    const local = await eventually(async () => {
      const i = await incidentAt(c1, id);
      return i.history.some((h) => h.type === 'handed_back') ? i : null;
    }, 10_000);
    expect(local.state).toBe('dispatched');
    expect(local.acceptedBy).toBeNull();
    expect(local.escalationLevel).toBe('A');
    expect(local.history.filter((h) => h.type === 'handed_back').map((h) => h.by)).toEqual(['street:duty']);
  }, 30_000);
});

describe('street console in Chromium', () => {
  it('the duty officer sees every community, accepts an escalated incident, and the community shows it', async () => {
    const browser = await launchChromium();
    try {
      const o = await openPage(browser);
      await loginThroughForm(o.page, hubs[0]!.http, 'duty');
      expect(new URL(o.page.url()).pathname).toBe('/street.html');
      await o.page.waitForSelector('#communities tbody tr');
      const rows = await o.page.$$eval('#communities tbody tr', (trs) =>
        trs.map((tr) => tr.getAttribute('data-site')),
      );
      expect(rows.sort()).toEqual([...SITES, SPARE].sort());

      const c3 = gateways.get('c3')!;
      c3.gateway.ctx.bus.emit('detectionRaised', shedFire('c3', 7));
      const id = c3.alerting.running.store.latestByDedupeKey('fire:shed-1:7')!.id;
      // The page refreshes every 5 s: the incident shows once its community has escalated it.
      const button = `#escalated-panel tr[data-incident="${id}"] button.accept`;
      await o.page.waitForSelector(button, { timeout: 20_000 });
      await screenshot(o.page, 'street-console-desktop', true);
      await o.page.click(button);
      await eventually(async () => c3.alerting.running.store.getIncident(id)!.state === 'accepted', 10_000);
      expect(c3.alerting.running.store.getIncident(id)!.acceptedBy).toBe('street:duty');
      expect(o.errors).toEqual([]);
      expect(o.external).toEqual([]);
      expect(await unlabelledControls(o.page)).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
