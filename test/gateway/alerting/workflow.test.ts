import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../gateway/src/alerting/evidence.ts';
import { startAlertingGateway, shedFire, inactivity, T0, type AlertingTestGateway } from './fixtures.ts';

interface Incident {
  id: string;
  state: string;
  assignees: string[];
  acceptedBy: string | null;
  disposition: string | null;
  photos: string[];
  rating: number | null;
  history: Array<{
    type: string;
    by: string | null;
    note: string | null;
    fromState: string;
    toState: string;
  }>;
}

let gw: AlertingTestGateway;
afterEach(async () => gw?.stop());

const firstIncident = async (kind: string): Promise<string> =>
  (await gw.api<Array<{ id: string }>>('GET', `/api/incidents?kind=${kind}`, { user: 'admin' })).body[0]!.id;

describe('the 四单制 workflow', () => {
  it('accept → on site → resolve with disposition and photos → review, with who and when', async () => {
    gw = await startAlertingGateway();
    gw.raise(shedFire());
    const id = await firstIncident('fire');
    const step = (s: string, user: string, body: unknown = {}) =>
      gw.api<Incident>('POST', `/api/incidents/${id}/${s}`, { user, body });
    expect((await step('accept', 'mg3-responder-a', { note: '收到' })).body.state).toBe('accepted');
    gw.clock.advance(240_000);
    expect((await step('arrive', 'mg3-responder-a')).body.state).toBe('on_site');
    expect((await step('resolve', 'mg3-responder-a', { note: '已扑灭' })).status).toBe(400); // disposition required
    const resolved = await step('resolve', 'mg3-responder-a', {
      note: '已扑灭，电池移出',
      disposition: 'real',
      photos: ['https://oss.example.cn/p/1.jpg'],
    });
    expect(resolved.body).toMatchObject({
      state: 'resolved',
      disposition: 'real',
      photos: ['https://oss.example.cn/p/1.jpg'],
    });
    expect((await step('review', 'mg3-responder-a', { rating: 5 })).status).toBe(403); // not a reviewer
    expect((await step('review', 'mg3-leader', { rating: 7 })).status).toBe(400);
    expect((await step('review', 'mg3-leader', { rating: 4, note: '处置及时' })).body.state).toBe('reviewed');
    const full = await gw.api<Incident>('GET', `/api/incidents/${id}`, { user: 'mg3-leader' });
    const h = full.body.history.filter((e) =>
      ['accepted', 'arrived', 'resolved', 'reviewed'].includes(e.type),
    );
    expect(h.map((e) => [e.type, e.by, e.toState])).toEqual([
      ['accepted', 'mg3-responder-a', 'accepted'],
      ['arrived', 'mg3-responder-a', 'on_site'],
      ['resolved', 'mg3-responder-a', 'resolved'],
      ['reviewed', 'mg3-leader', 'reviewed'],
    ]);
    expect(h[0]!.note).toBe('收到');

    const rt = await gw.api<
      Array<{ key: string; accept: { n: number; p50S: number }; arrive: { p50S: number } }>
    >('GET', `/api/stats/response-times?by=kind&from=${T0 - 1}`, { user: 'property' });
    expect(rt.body.find((r) => r.key === 'fire')).toMatchObject({
      accept: { n: 1, p50S: 0 },
      arrive: { p50S: 240 },
    });
    const metrics = await (await fetch(`${gw.http}/metrics`)).text();
    expect(metrics).toMatch(
      /weige_incident_time_to_arrive_seconds_sum\{kind="fire",severity="critical"\} 240/,
    );
    expect(metrics).toMatch(/weige_alerts_total\{kind="fire",severity="critical",status="firing"\} 1/);
  });

  it('lets the micro-grid leader reassign, and counts false alarms per rule, device and household', async () => {
    gw = await startAlertingGateway();
    gw.raise(inactivity('B3-1-203'));
    gw.raise(inactivity('B11-1-602', { dedupeKey: 'inactivity:B11-1-602' }));
    const [a, b] = (await gw.api<Array<{ id: string }>>('GET', '/api/incidents', { user: 'admin' })).body.map(
      (i) => i.id,
    );
    expect(
      (
        await gw.api('POST', `/api/incidents/${a}/reassign`, {
          user: 'mg3-care-a',
          body: { to: 'mg3-worker-b' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await gw.api('POST', `/api/incidents/${a}/reassign`, {
          user: 'mg3-leader',
          body: { to: 'mg1-worker-a' },
        })
      ).status,
    ).toBe(400);
    const re = await gw.api<Incident>('POST', `/api/incidents/${a}/reassign`, {
      user: 'mg3-leader',
      body: { to: 'mg3-worker-b', note: '就近' },
    });
    expect(re.body).toMatchObject({ state: 'dispatched', assignees: ['mg3-worker-b'] });
    expect((await gw.api('POST', `/api/incidents/${a}/accept`, { user: 'mg3-worker-b' })).status).toBe(200);
    for (const id of [a, b])
      await gw.api('POST', `/api/incidents/${id}/resolve`, {
        user: 'mg3-leader',
        body: { disposition: id === a ? 'resident_away' : 'real' },
      });
    const byRule = await gw.api<
      Array<{ key: string; resolved: number; falseAlarms: number; byDisposition: Record<string, number> }>
    >('GET', `/api/stats/false-alarms?by=rule&from=${T0 - 1}`, { user: 'admin' });
    expect(byRule.body).toEqual([
      {
        key: 'water-12h-under-10l',
        resolved: 2,
        falseAlarms: 1,
        falseAlarmRate: 0.5,
        byDisposition: { resident_away: 1, real: 1 },
      },
    ]);
    const byHousehold = await gw.api<Array<{ key: string; falseAlarms: number }>>(
      'GET',
      `/api/stats/false-alarms?by=household&from=${T0 - 1}`,
      {
        user: 'admin',
      },
    );
    expect(byHousehold.body.map((r) => [r.key, r.falseAlarms])).toEqual([
      ['B3-1-203', 1],
      ['B11-1-602', 0],
    ]);
  });

  it('auto-resolves on a clear after the hold-down, reopens on a re-fire, and damps flapping', async () => {
    gw = await startAlertingGateway();
    const smoke = shedFire({
      kind: 'fire_risk',
      severity: 'major',
      dedupeKey: 'smoke:shed-3',
      autoResolve: true,
      evidence: {},
    });
    gw.raise(smoke);
    gw.raise({ ...smoke, eventTs: T0 + 10_000, cleared: true });
    gw.clock.advance(119_000);
    const id = await firstIncident('fire_risk');
    const state = async () => (await gw.api<Incident>('GET', `/api/incidents/${id}`, { user: 'admin' })).body;
    expect((await state()).state).toBe('dispatched');
    gw.clock.advance(1000);
    expect((await state()).state).toBe('resolved');
    expect((await state()).disposition).toBe('auto_cleared');
    // Fires again within the flap window: the same incident reopens instead of a new one.
    gw.raise({ ...smoke, eventTs: T0 + 200_000 });
    expect((await state()).state).toBe('dispatched');
    gw.raise({ ...smoke, eventTs: T0 + 210_000, cleared: true });
    gw.clock.advance(30_000);
    gw.raise({ ...smoke, eventTs: T0 + 250_000 }); // re-fire inside the hold-down: flap 2
    gw.raise({ ...smoke, eventTs: T0 + 260_000, cleared: true });
    gw.clock.advance(10_000);
    gw.raise({ ...smoke, eventTs: T0 + 270_000 }); // flap 3: flapping
    gw.raise({ ...smoke, eventTs: T0 + 280_000, cleared: true });
    gw.clock.advance(600_000);
    const s = await state();
    expect(s.history.map((h) => h.type)).toContain('flapping');
    expect(s.state).not.toBe('resolved');
    expect(
      (await gw.api<unknown[]>('GET', '/api/incidents?kind=fire_risk', { user: 'admin' })).body,
    ).toHaveLength(1);
  });

  it('serves an evidence package with a verifiable hash and an append-only access log', async () => {
    gw = await startAlertingGateway();
    gw.raise(
      shedFire({
        kind: 'falling_object',
        dedupeKey: 'falling:cam-b3-east',
        source: { deviceId: 'cam-b3-east', rule: null, model: 'falling-object@3' },
        location: { building: 'B3', facade: 'east', floor: 12, floorRange: [11, 13] },
        evidence: {
          snapshot_url: 'https://cam.example.cn/s/1.jpg',
          clip_url: 'https://cam.example.cn/c/1.mp4',
          fit: { g: 9.7 },
        },
      }),
    );
    const id = await firstIncident('falling_object');
    const first = await gw.api<{
      content: unknown;
      hash: { value: string };
      accessLog: Array<{ by: string; action: string }>;
    }>('GET', `/api/incidents/${id}/evidence`, { user: 'mg3-patrol-a' });
    expect(first.status).toBe(200);
    expect(createHash('sha256').update(canonicalJson(first.body.content)).digest('hex')).toBe(
      first.body.hash.value,
    );
    expect((first.body.content as { links: string[] }).links).toEqual([
      'https://cam.example.cn/c/1.mp4',
      'https://cam.example.cn/s/1.jpg',
    ]);
    const second = await gw.api<typeof first.body>('GET', `/api/incidents/${id}/evidence?export=true`, {
      user: 'property',
    });
    expect(second.body.hash.value).toBe(first.body.hash.value);
    expect(second.body.accessLog.map((e) => [e.by, e.action])).toEqual([
      ['mg3-patrol-a', 'view'],
      ['property', 'export'],
    ]);
    expect((await gw.api('GET', `/api/incidents/${id}/evidence`, { user: 'mg1-patrol-a' })).status).toBe(404);
    expect(() => gw.gateway.ctx.stores.db.prepare('DELETE FROM alerting_evidence_access').run()).toThrow(
      /append-only/,
    );
    expect(() =>
      gw.gateway.ctx.stores.db.prepare("UPDATE alerting_evidence_access SET by = 'x'").run(),
    ).toThrow(/append-only/);
  });

  it('turns a resident’s report into an incident, and records absences and visits on the bus', async () => {
    gw = await startAlertingGateway();
    const report = await gw.api<{
      reportId: string;
      incident: {
        id: string;
        kind: string;
        state: string;
        title: string;
        paged: Array<{ staffId: string }>;
      };
    }>('POST', '/api/reports', {
      user: 'bg-b3-leader',
      body: {
        category: 'water_leak',
        description: '楼上漏水',
        location: { household: 'B3-1-203' },
        reporter: { name: '李阿姨' },
        clientRef: 'r-1',
      },
    });
    expect(report.status).toBe(201);
    expect(report.body.incident).toMatchObject({ kind: 'resident_report', state: 'dispatched' });
    expect(report.body.incident.paged.map((p) => p.staffId)).toEqual(['mg3-worker-a']);
    // The flat named as the rules name it, not by its id.
    expect(report.body.incident.title).toBe('居民点单：3号楼1单元203室 water_leak');
    const again = await gw.api<{ incident: { id: string } }>('POST', '/api/reports', {
      user: 'bg-b3-leader',
      body: {
        category: 'water_leak',
        description: '楼上漏水',
        location: { household: 'B3-1-203' },
        clientRef: 'r-1',
      },
    });
    expect(again.status).toBe(200);
    expect(again.body.incident.id).toBe(report.body.incident.id);
    // The resident withdraws it: the leader cancels (the B-post worker may not).
    const rid = report.body.incident.id;
    expect(
      (await gw.api('POST', `/api/incidents/${rid}/cancel`, { user: 'mg3-worker-b', body: {} })).status,
    ).toBe(403);
    const cancelled = await gw.api<{ state: string }>('POST', `/api/incidents/${rid}/cancel`, {
      user: 'mg3-leader',
      body: { note: '居民撤单' },
    });
    expect(cancelled.body.state).toBe('cancelled');
    expect(
      (await gw.api<{ pendingTimers: unknown[] }>('GET', `/api/incidents/${rid}`, { user: 'admin' })).body
        .pendingTimers,
    ).toEqual([]);

    const events: string[] = [];
    gw.gateway.ctx.bus.on('householdAbsenceRecorded', (a) =>
      events.push(`absence:${a.householdId}:${a.reason}`),
    );
    gw.gateway.ctx.bus.on('householdVisitRecorded', (v) => events.push(`visit:${v.householdId}:${v.by}`));
    const abs = await gw.api('POST', '/api/households/B3-1-203/absences', {
      user: 'mg3-care-a',
      body: { from: '2026-11-25T00:00:00+08:00', to: '2026-11-28T00:00:00+08:00', reason: '住院' },
    });
    expect(abs.status).toBe(201);
    expect(
      (
        await gw.api('POST', '/api/households/B3-1-203/visits', {
          user: 'mg3-care-a',
          body: { note: '老人精神很好' },
        })
      ).status,
    ).toBe(201);
    expect(
      (await gw.api('POST', '/api/households/B3-1-203/visits', { user: 'mg1-care-a', body: {} })).status,
    ).toBe(404);
    expect(events).toEqual(['absence:B3-1-203:住院', 'visit:B3-1-203:mg3-care-a']);
    const list = await gw.api<Array<{ reason: string; active: boolean }>>(
      'GET',
      '/api/households/B3-1-203/absences',
      { user: 'mg3-leader' },
    );
    expect(list.body).toEqual([expect.objectContaining({ reason: '住院', active: true })]);
  });

  it('counts alerts and incidents for the dashboards, and expires a silence on DELETE', async () => {
    gw = await startAlertingGateway();
    gw.raise(shedFire());
    gw.raise(shedFire({ eventTs: T0 + 1000 }));
    gw.raise(inactivity('B3-1-203'));
    const sil = await gw.api<{ id: string }>('POST', '/api/silences', {
      user: 'property',
      body: {
        matchers: { kind: 'elderly_inactivity', household: 'B11-1-602' },
        to: '2026-11-26T00:00:00Z',
        reason: '住院',
      },
    });
    gw.raise(inactivity('B11-1-602'));
    const buckets = await gw.api<Array<{ bucket: string; kind: string; count: number; muted: number }>>(
      'GET',
      `/api/stats/alerts?from=${T0 - 3600_000}&bucket=hour`,
      { user: 'property' },
    );
    expect(buckets.body).toEqual([
      { bucket: '2026-11-25T08:00:00.000Z', kind: 'elderly_inactivity', count: 2, muted: 1 },
      { bucket: '2026-11-25T08:00:00.000Z', kind: 'fire', count: 2, muted: 0 },
    ]);
    const summary = await gw.api<{
      total: number;
      byKind: Record<string, number>;
      byState: Record<string, number>;
    }>('GET', `/api/stats/incidents?from=${T0 - 1}`, { user: 'mg3-leader' });
    expect(summary.body).toMatchObject({
      total: 2,
      byKind: { fire: 1, elderly_inactivity: 1 },
      byState: { dispatched: 2 },
    });
    expect(
      (await gw.api<unknown[]>('GET', '/api/stats/incidents', { user: 'mg1-leader' })).body,
    ).toMatchObject({ total: 0 });

    expect((await gw.api('DELETE', `/api/silences/${sil.body.id}`, { user: 'mg1-worker-a' })).status).toBe(
      403,
    );
    const del = await gw.api<{ active: boolean; expiredBy: string }>(
      'DELETE',
      `/api/silences/${sil.body.id}`,
      { user: 'property' },
    );
    expect(del.body).toMatchObject({ active: false, expiredBy: 'property' });
    expect((await gw.api<unknown[]>('GET', '/api/silences', { user: 'property' })).body).toHaveLength(0);
    expect(
      (await gw.api<unknown[]>('GET', '/api/silences?all=true', { user: 'property' })).body,
    ).toHaveLength(1);
    gw.raise(inactivity('B11-1-602', { eventTs: T0 + 60_000 }));
    const firing = await gw.api<Array<{ location: { household: string } }>>(
      'GET',
      '/api/alerts?kind=elderly_inactivity&status=firing',
      {
        user: 'admin',
      },
    );
    expect(firing.body.map((a) => a.location.household).sort()).toEqual(['B11-1-602', 'B3-1-203']);
  });
});
