/**
 * Issue 19, the core loop on real parts: three community gateways (in-process, real HTTP and
 * SQLite) linked to two street hub replicas on one real PostgreSQL. An incident nobody accepts
 * in its community reaches the street duty officer; accepted at the street, the acceptance shows
 * in the community and stops its reminders. Street-wide emergency mode reaches every gateway.
 * Bad input at the hub is refused with a reason and nothing is stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertingModule, createAlertingModule } from '../../../gateway/src/alerting/module.ts';
import { createChannelsModule } from '../../../gateway/src/channels/module.ts';
import type { Detection } from '../../../gateway/src/contracts/alerts.ts';
import type { UplinkRecord, UplinkResponse } from '../../../gateway/src/contracts/hub.ts';
import { signUplink } from '../../../gateway/src/core/uplink-signature.ts';
import { createStreetLinkModule } from '../../../gateway/src/street-link/module.ts';
import { testIso, testNow } from '../../helpers/clock.ts';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { startPostgres, type PostgresInstance } from '../../helpers/postgres.ts';
import {
  gatewayKey,
  linkSettings,
  startTestHub,
  writeCommunitySite,
  writeStreetFile,
  type TestHub,
} from '../../helpers/street.ts';

const SITES = ['c1', 'c2', 'c3'];
/** In the street file but never started: the bad-input tests write as this gateway undisturbed. */
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
}

async function incidentAt(gw: TestGateway, id: string): Promise<GatewayIncident> {
  return (await gw.api<GatewayIncident>('GET', `/api/incidents/${id}`, { user: 'admin' })).body;
}

beforeAll(async () => {
  postgres = await startPostgres();
  const url = await postgres.createDatabase('street_hub');
  db = new pg.Pool({ connectionString: url, max: 2 });
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
    const [{ id }] = (await c1.api<Array<{ id: string }>>('GET', '/api/incidents', { user: 'admin' })).body as [{ id: string }];
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
    const paged = await db.query(`SELECT data FROM hub_street_events WHERE incident_id = $1 AND type = 'street_paged'`, [id]);
    expect(paged.rows.map((r) => r.data.paged)).toEqual([['duty']]);

    // A community account of another community does not see it; the street duty officer does.
    expect((await hubs[1]!.api('GET', `/api/street/incidents/c1/${id}`, { user: 'c2-manager' })).status).toBe(404);
    const accepted = await hubs[1]!.api<{ downlinkSeq: number }>('POST', `/api/street/incidents/c1/${id}/accept`, {
      user: 'duty',
      body: { note: '街道已接单，派人前往' },
    });
    expect(accepted.status).toBe(202);

    const local = await eventually(async () => {
      const i = await incidentAt(c1, id);
      return i.state === 'accepted' ? i : null;
    }, 10_000);
    expect(local.acceptedBy).toBe('street:duty');
    expect(local.history.filter((h) => h.type === 'accepted').map((h) => h.by)).toEqual(['street:duty']);
    const reminders = local.history.filter((h) => h.type === 'reminded').length;
    expect(reminders).toBeGreaterThan(0);
    // Reminders were every second; three more seconds bring none.
    await new Promise((r) => setTimeout(r, 3000));
    const later = await incidentAt(c1, id);
    expect(later.history.filter((h) => h.type === 'reminded')).toHaveLength(reminders);
    expect(later.history.filter((h) => h.type === 'escalated' || h.type === 'escalation_exhausted').length).toBe(
      local.history.filter((h) => h.type === 'escalated' || h.type === 'escalation_exhausted').length,
    );

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
      const r = await db.query(`SELECT outcome FROM hub_downlink WHERE site_id = 'c1' AND seq = $1`, [accepted.body.downlinkSeq]);
      return r.rows[0]?.outcome as string | undefined;
    });
    expect(outcome).toBe('applied');
  }, 40_000);
});
