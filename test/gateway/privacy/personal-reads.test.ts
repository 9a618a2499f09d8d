/**
 * Who sees which personal field, and that every read of one is logged (issue 18). A patrol
 * inspector, the street's duty account and the dispatcher see 李** / 138****1234; the
 * household's care worker sees everything. Then every GET route in the OpenAPI document is
 * walked as an admin: each response that carries the resident's name or phone must be one the
 * access log counted, one entry per household read; the chain of the log holds, and the database
 * refuses to rewrite it. Alerts go out over MQTT without the reporter's phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';

const HOUSEHOLD = 'B3-1-203';
let gw: TestGateway;
let name: string;
let phone: string;
const mqttAlerts: string[] = [];
let subscriber: MqttClient;

beforeAll(async () => {
  gw = await startTestGateway();
  const resident = gw.gateway.ctx.site.household(HOUSEHOLD)!.resident!;
  name = resident.name;
  phone = resident.phone!;
  subscriber = await gw.connect('dashboard');
  await subscriber.subscribeAsync('weige/alerts/#', { qos: 1 });
  subscriber.on('message', (_topic, payload) => mqttAlerts.push(payload.toString()));
});
afterAll(() => gw?.stop());

interface HouseholdView {
  id: string;
  room: string | null;
  resident: { name: string | null; phone: string | null; healthNote: string | null };
  contacts: Array<{ name: string; phone: string | null }>;
  masked: string[];
}

const readsOf = (subject: string): number =>
  gw.gateway.ctx.privacy.audit.entries({ subject }).filter((e) => e.action === 'read').length;

describe('personal fields by role', () => {
  it('masks names and phones for the patrol inspector, the street and the dispatcher; the care worker sees them in full', async () => {
    const masked = { name: `${name[0]}**`, phone: `${phone.slice(0, 3)}****${phone.slice(-4)}` };
    for (const user of ['mg3-patrol-a', 'street-duty', 'dispatcher']) {
      const r = await gw.api<HouseholdView>('GET', `/api/households/${HOUSEHOLD}`, { user });
      expect(r.status, user).toBe(200);
      expect(r.body.resident, user).toMatchObject({ ...masked, healthNote: null });
      expect(r.body.masked, user).toEqual(expect.arrayContaining(['name', 'phone', 'healthNote']));
      expect(JSON.stringify(r.body), user).not.toContain(phone);
    }
    const care = await gw.api<HouseholdView>('GET', `/api/households/${HOUSEHOLD}`, { user: 'mg3-care-a' });
    expect(care.body.resident).toMatchObject({ name, phone });
    expect(care.body.masked).toEqual([]);
    // Another grid's care worker does not see the household at all.
    expect((await gw.api('GET', `/api/households/${HOUSEHOLD}`, { user: 'mg1-care-a' })).status).toBe(404);
  });

  it('shows the fields in full to whoever handles an open incident of the household, and logs why', async () => {
    const report = await gw.api<{ incident: { id: string } }>('POST', '/api/reports', {
      user: 'mg3-worker-a',
      body: {
        category: 'welfare',
        description: '邻居反映两天没见到老人',
        location: { household: HOUSEHOLD },
        reporter: { name: '赵邻居', phone: '13912345678' },
        photos: ['https://cam.example.cn/s/door.jpg'],
      },
    });
    expect(report.status).toBe(201);
    const incidentId = report.body.incident.id;
    const reassigned = await gw.api('POST', `/api/incidents/${incidentId}/reassign`, {
      user: 'mg3-leader',
      body: { to: 'mg3-worker-b' },
    });
    expect(reassigned.status).toBe(200);
    // mg3-worker-b is a grid worker anyway; a patrol inspector handling it is the real test.
    const patrolView = async () =>
      (await gw.api<HouseholdView>('GET', `/api/households/${HOUSEHOLD}`, { user: 'mg3-patrol-b' })).body;
    expect((await patrolView()).resident.name).toBe(`${name[0]}**`);
    gw.gateway.ctx.bus.emit('detectionRaised', {
      kind: 'elderly_inactivity',
      severity: 'major',
      siteId: 'chunjiang',
      eventTs: gw.gateway.ctx.clock.now(),
      source: { deviceId: `wm-${HOUSEHOLD}`, rule: null, model: 'elderly-inactivity@1' },
      dedupeKey: `elderly_inactivity:${HOUSEHOLD}`,
      location: { household: HOUSEHOLD },
      title: { 'zh-CN': '独居老人用水异常中断', en: 'No water use (resident lives alone)' },
      message: { 'zh-CN': '请上门查看', en: 'Please visit' },
      evidence: {},
    });
    const inactivity = await eventually(async () => {
      const list = await gw.api<Array<{ id: string }>>('GET', '/api/incidents?kind=elderly_inactivity', {
        user: 'admin',
      });
      return list.body[0];
    });
    expect(
      (
        await gw.api('POST', `/api/incidents/${inactivity.id}/reassign`, {
          user: 'mg3-leader',
          body: { to: 'mg3-patrol-b' },
        })
      ).status,
    ).toBe(200);
    expect((await patrolView()).resident).toMatchObject({ name, phone });
    const last = gw.gateway.ctx.privacy.audit.entries({ subject: `household:${HOUSEHOLD}` }).at(-1)!;
    expect(last).toMatchObject({ actor: 'mg3-patrol-b', action: 'read', purpose: inactivity.id });
    expect(last.fields).toEqual(['name', 'phone', 'healthNote', 'room']);

    // Out over MQTT: the report's alert without the reporter's phone, the name masked.
    const published = await eventually(() => mqttAlerts.find((p) => p.includes('"resident_report"')));
    expect(published).not.toContain('13912345678');
    expect(published).toContain('"name":"赵**"');
  });

  it('logs every API read of a personal field: a walk over every GET route', async () => {
    const spec = (await (await fetch(`${gw.http}/docs/json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const incidents = await gw.api<Array<{ id: string; kind: string; lastAlertId: string }>>(
      'GET',
      '/api/incidents',
      { user: 'admin' },
    );
    // The resident's report: its alert carries the reporter's phone and a photo link.
    const incident = incidents.body.find((i) => i.kind === 'resident_report')!;
    const params: Record<string, string> = {
      id: HOUSEHOLD,
      taskId: 'none',
    };
    const resolve = (route: string): string | null => {
      if (route.startsWith('/api/incidents/{id}')) return route.replace('{id}', incident.id);
      if (route.startsWith('/api/alerts/{id}')) return route.replace('{id}', incident.lastAlertId);
      if (route.startsWith('/api/devices/{id}')) return route.replace('{id}', `wm-${HOUSEHOLD}`);
      if (route.startsWith('/api/households/{id}')) return route.replace('{id}', HOUSEHOLD);
      const missing = /\{(\w+)\}/.exec(route);
      return missing ? (params[missing[1]!] ? route.replace(missing[0], params[missing[1]!]!) : null) : route;
    };
    const routes = Object.entries(spec.paths)
      .filter(([p, methods]) => p.startsWith('/api/') && 'get' in methods)
      .map(([p]) => p);
    expect(routes.length).toBeGreaterThan(20);
    const personal: string[] = [];
    for (const route of routes) {
      const url = resolve(route);
      expect(url, route).not.toBeNull();
      const before = gw.gateway.ctx.privacy.audit.entries().filter((e) => e.action === 'read').length;
      const res = await fetch(`${gw.http}${url}`, { headers: await gw.login('admin') });
      const text = await res.text();
      const after = gw.gateway.ctx.privacy.audit.entries().filter((e) => e.action === 'read').length;
      const carries = [name, `${name[0]}**`, phone, '13912345678', 'door.jpg'].some((v) => text.includes(v));
      if (carries) {
        personal.push(route);
        expect(after - before, `${route} returned personal data without logging the read`).toBeGreaterThan(0);
      }
    }
    expect(personal.sort()).toEqual([
      '/api/alerts/{id}',
      '/api/households',
      '/api/households/{id}',
      '/api/incidents/{id}/evidence',
    ]);
    // One entry per household read: the list logs as many as it returns.
    const before = readsOf(`household:${HOUSEHOLD}`);
    const all = gw.gateway.ctx.privacy.audit.entries().length;
    const list = await gw.api<HouseholdView[]>('GET', '/api/households', { user: 'mg3-care-a' });
    expect(gw.gateway.ctx.privacy.audit.entries().length - all).toBe(list.body.length);
    expect(readsOf(`household:${HOUSEHOLD}`) - before).toBe(1);
    for (const [path, subject] of [
      [`/api/households/${HOUSEHOLD}/absences`, `household:${HOUSEHOLD}`],
      [`/api/households/${HOUSEHOLD}/visits`, `household:${HOUSEHOLD}`],
      [`/api/households/${HOUSEHOLD}/consent`, `household:${HOUSEHOLD}`],
      [`/api/incidents/${incident.id}/evidence`, `incident:${incident.id}`],
      [`/api/alerts/${incident.lastAlertId}`, `alert:${incident.lastAlertId}`],
    ] as const) {
      const n = readsOf(subject);
      expect((await gw.api('GET', path, { user: 'mg3-care-a' })).status, path).toBe(200);
      expect(readsOf(subject) - n, path).toBe(1);
    }
  });

  it('keeps the log for the data-protection officer: hash-chained, append-only, exportable', async () => {
    expect((await gw.api('GET', '/api/privacy/audit', { user: 'mg3-patrol-a' })).status).toBe(403);
    const log = await gw.api<{
      chain: { ok: boolean; entries: number };
      entries: Array<{ actor: string; subject: string; ip: string | null; at: string }>;
    }>('GET', `/api/privacy/audit?subject=household:${HOUSEHOLD}`, { user: 'dpo' });
    expect(log.status).toBe(200);
    expect(log.body.chain.ok).toBe(true);
    expect(log.body.entries.map((e) => e.actor)).toEqual(
      expect.arrayContaining(['mg3-patrol-a', 'street-duty', 'dispatcher', 'mg3-care-a']),
    );
    expect(log.body.entries.every((e) => e.ip === '127.0.0.1')).toBe(true);
    const db = gw.gateway.ctx.stores.db;
    expect(() => db.prepare("UPDATE privacy_audit SET actor = 'nobody'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM privacy_audit').run()).toThrow(/append-only/);
    const exported = await fetch(`${gw.http}/api/privacy/audit/export`, { headers: await gw.login('dpo') });
    expect(exported.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await exported.text()).trim().split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({ anchor: { throughSeq: 0, hash: '0'.repeat(64) } });
    expect(lines.length - 1).toBe(log.body.chain.entries);
  });
});
