/**
 * Retention per data class on the gateway's clock (issue 18): clips and snapshots of a closed
 * incident go 30 days after it closed, unless it is on legal hold, and never while it is open;
 * raw readings of a monitored household go after 180 days while a plain household's stay
 * (utility data); access-log entries go after three years, the chain still verifying from its
 * anchor. What goes is counted in /metrics and written to the access log. Time jumps by
 * restarting on the same data directory with a later clock, then the hourly job runs on it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertingModule } from '../../../gateway/src/alerting/module.ts';
import { createChannelsModule } from '../../../gateway/src/channels/module.ts';
import { ManualClock } from '../../../gateway/src/core/clock.ts';
import { createPrivacyModule } from '../../../gateway/src/privacy/module.ts';
import { testNow } from '../../helpers/clock.ts';
import { makeDataDir, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Math.floor(testNow() / HOUR) * HOUR;
const dataDir = makeDataDir();
let gw: TestGateway | null = null;
let clock: ManualClock;

async function startAt(at: number): Promise<TestGateway> {
  clock = new ManualClock(at);
  gw = await startTestGateway(
    { dataDir },
    { clock, modules: [createChannelsModule, createAlertingModule, createPrivacyModule] },
  );
  return gw;
}
afterEach(async () => {
  await gw?.stop({ keepData: true });
  gw = null;
});

const MEDIA = { snapshot_url: 'https://cam.example.cn/s/1.jpg', clip_url: 'https://cam.example.cn/c/1.mp4' };

function fall(g: TestGateway, floor: number): void {
  g.gateway.ctx.bus.emit('detectionRaised', {
    kind: 'falling_object',
    severity: 'critical',
    siteId: 'chunjiang',
    eventTs: T0,
    source: { deviceId: 'cam-b3-east', rule: null, model: 'falling-object@3' },
    dedupeKey: `falling:cam-b3-east:${floor}`,
    location: { building: 'B3', facade: 'east', floor },
    title: { 'zh-CN': `${floor}层高空抛物`, en: `Object thrown from floor ${floor}` },
    message: { 'zh-CN': '请核查', en: 'Check' },
    evidence: { ...MEDIA, fit: { g: 9.7 } },
  });
}

interface Incident {
  id: string;
  title: string;
}

const evidenceOf = async (g: TestGateway, id: string): Promise<Record<string, unknown>> =>
  (
    await g.api<{ content: { alerts: Array<{ evidence: Record<string, unknown> }> } }>(
      'GET',
      `/api/incidents/${id}/evidence`,
      { user: 'admin' },
    )
  ).body.content.alerts[0]!.evidence;

const deleted = async (g: TestGateway, cls: string): Promise<number> => {
  const text = await (await fetch(`${g.http}/metrics`)).text();
  const m = new RegExp(`weige_privacy_deleted_total\\{class="${cls}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
};

const readingCount = (g: TestGateway, device: string): number =>
  (
    g.gateway.ctx.stores.db.prepare('SELECT COUNT(*) AS n FROM readings WHERE device_id = ?').get(device) as {
      n: number;
    }
  ).n;

describe('retention', () => {
  const ids: Record<'closed' | 'held' | 'open', string> = { closed: '', held: '', open: '' };

  it('sets the scene: three incidents with clips, readings of a watched and a plain household', async () => {
    const g = await startAt(T0);
    for (const floor of [10, 11, 12]) fall(g, floor);
    const list = await g.api<Incident[]>('GET', '/api/incidents', { user: 'admin' });
    const byFloor = (f: number) => list.body.find((i) => i.title.startsWith(`${f}层`))!.id;
    ids.closed = byFloor(10);
    ids.held = byFloor(11);
    ids.open = byFloor(12);
    for (const id of [ids.closed, ids.held]) {
      const r = await g.api('POST', `/api/incidents/${id}/resolve`, {
        user: 'admin',
        body: { disposition: 'real' },
      });
      expect(r.status).toBe(200);
    }
    const hold = await g.api('POST', '/api/privacy/holds', {
      user: 'dpo',
      body: { incidentId: ids.held, reason: '公安机关调查中（五里桥派出所）' },
    });
    expect(hold.status).toBe(201);
    for (const device of ['wm-B3-1-203', 'wm-B3-1-1201']) {
      const client = await g.connect(device);
      const readings = [0, 1, 2].map((i) => ({ ts: T0 - (3 - i) * HOUR, total_m3: 10 + i / 100 }));
      await client.publishAsync(`weige/${device}/telemetry`, JSON.stringify({ readings }), { qos: 1 });
    }
    expect(readingCount(g, 'wm-B3-1-203')).toBe(3);
    expect(g.gateway.ctx.privacy.audit.entries().length).toBeGreaterThan(0);
  });

  it('keeps clips 30 days after closing, then deletes them on the hour, except held and open ones', async () => {
    const g = await startAt(T0 + 30 * DAY - HOUR);
    expect(await evidenceOf(g, ids.closed)).toMatchObject(MEDIA);
    expect(await deleted(g, 'incident_media')).toBe(0);
    clock.advance(2 * HOUR);
    expect(await evidenceOf(g, ids.closed)).toEqual({ fit: { g: 9.7 } });
    expect(await evidenceOf(g, ids.held)).toMatchObject(MEDIA);
    expect(await evidenceOf(g, ids.open)).toMatchObject(MEDIA);
    expect(await deleted(g, 'incident_media')).toBe(2);
    const logged = g.gateway.ctx.privacy.audit.entries({ action: 'retention' }).at(-1)!;
    expect(logged.detail).toEqual({ deleted: { incident_media: 2, monitored_readings: 0, audit_log: 0 } });
    expect(readingCount(g, 'wm-B3-1-203')).toBe(3);
  });

  it("deletes a watched household's raw readings after 180 days and keeps utility readings", async () => {
    const g = await startAt(T0 + 180 * DAY + HOUR);
    expect(readingCount(g, 'wm-B3-1-203')).toBe(0);
    expect(readingCount(g, 'wm-B3-1-1201')).toBe(3);
    expect(await deleted(g, 'monitored_readings')).toBe(3);
    expect(await evidenceOf(g, ids.held)).toMatchObject(MEDIA);
  });

  it('deletes access-log entries after three years, the chain still verifying from its anchor', async () => {
    const g = await startAt(T0 + 3 * 365 * DAY + DAY);
    const { audit } = g.gateway.ctx.privacy;
    // What was read at the start is gone; what retention wrote at 30 and 180 days stays.
    expect(audit.entries().every((e) => e.at >= T0 + DAY)).toBe(true);
    expect(audit.entries({ action: 'retention' }).length).toBeGreaterThanOrEqual(2);
    expect(audit.anchor().throughSeq).toBeGreaterThan(0);
    expect(await deleted(g, 'audit_log')).toBeGreaterThan(0);
    expect(audit.verify()).toMatchObject({ ok: true, brokenAt: null });
    const r = await g.api<{ chain: { ok: boolean } }>('GET', '/api/privacy/audit', { user: 'dpo' });
    expect(r.body.chain.ok).toBe(true);
  });
});
