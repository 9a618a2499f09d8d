import { afterEach, describe, expect, it } from 'vitest';
import type { Detection } from '../../../gateway/src/contracts/alerts.ts';
import {
  inactivity,
  offline,
  shedFire,
  startAlertingGateway,
  T0,
  type AlertingTestGateway,
} from './fixtures.ts';

interface IncidentBody {
  id: string;
  state: string;
  occurrences: number;
  paged: Array<{ staffId: string; post: string | null; step: number }>;
  assignees: string[];
  tasks: Array<{ id: string; title: string; status: string; checklist: Array<{ done: boolean }> }>;
  commands: Array<{ status: string; deviceId: string; args: Record<string, unknown> }>;
  history: Array<{ type: string; by: string | null }>;
  escalationLevel: string | null;
}

let gw: AlertingTestGateway;
afterEach(async () => gw?.stop());

describe('detections become alerts and incidents', () => {
  it('routes a shed fire to the A-post responder and the property manager, with tasks', async () => {
    gw = await startAlertingGateway();
    gw.raise(shedFire());
    const alerts = await gw.api<Array<{ id: string; incidentId: string; grid: string[]; title: string }>>(
      'GET',
      '/api/alerts?kind=fire',
      { user: 'admin' },
    );
    expect(alerts.status).toBe(200);
    expect(alerts.body).toHaveLength(1);
    expect(alerts.body[0]!.title).toBe('3号非机动车棚火警');
    expect(alerts.body[0]!.grid).toEqual([
      'wuliqiao',
      'longhua-block',
      'longhua',
      'mg-chunjiang-3',
      'bg-b12',
    ]);
    const en = await gw.api<Array<{ title: string }>>('GET', '/api/alerts?kind=fire&lang=en', {
      user: 'admin',
    });
    expect(en.body[0]!.title).toBe('Fire in bike shed 3');

    const inc = await gw.api<IncidentBody>('GET', `/api/incidents/${alerts.body[0]!.incidentId}`, {
      user: 'mg3-responder-a',
    });
    expect(inc.status).toBe(200);
    expect(inc.body.state).toBe('dispatched');
    expect(inc.body.escalationLevel).toBe('A');
    expect(inc.body.paged.map((p) => p.staffId).sort()).toEqual(['mg3-responder-a', 'property']);
    // The playbook's two tasks, and the automatic cut-off as a step of its own until confirmed.
    expect(inc.body.tasks.map((t) => t.status)).toEqual(['pending', 'pending', 'in_progress']);
    expect(inc.body.history.map((h) => h.type)).toEqual(['opened', 'dispatched', 'command_issued']);
  });

  it('groups repeats into one incident with an occurrence count, and is idempotent', async () => {
    gw = await startAlertingGateway();
    gw.raise(shedFire());
    gw.raise(shedFire()); // the very same detection again: no new alert
    gw.raise(shedFire({ eventTs: T0 + 5000 }));
    gw.raise(shedFire({ eventTs: T0 + 10_000 }));
    const alerts = await gw.api<Array<{ incidentId: string }>>('GET', '/api/alerts', { user: 'admin' });
    expect(alerts.body).toHaveLength(3);
    expect(new Set(alerts.body.map((a) => a.incidentId)).size).toBe(1);
    const list = await gw.api<IncidentBody[]>('GET', '/api/incidents?status=active', { user: 'admin' });
    expect(list.body).toHaveLength(1);
    expect(list.body[0]!.occurrences).toBe(3);
  });

  it("shows a camera's own throw event (a notice) on the console, pages nobody, and pages once the model's throw joins", async () => {
    gw = await startAlertingGateway();
    // The camera-events pack's falling-object rule: severity info, keyed like the track model.
    const watch = (over: Partial<Detection> = {}): Detection => ({
      kind: 'falling_object',
      severity: 'info',
      siteId: 'chunjiang',
      eventTs: T0,
      source: { deviceId: 'cam-b3-east', rule: 'falling-object', model: null },
      dedupeKey: 'falling_object:B3:east',
      location: { building: 'B3', facade: 'east' },
      title: { 'zh-CN': '3号楼东侧疑似高空抛物', en: 'Suspected thrown object at building 3, east' },
      message: { 'zh-CN': '摄像机自行报告', en: 'The camera itself reported it' },
      evidence: { confidence: 0.9 },
      ...over,
    });
    // On the console's list (what it reads), then in full with its history.
    const throwIncident = async (): Promise<IncidentBody & { severity: string }> => {
      const list = await gw.api<Array<{ id: string; kind: string }>>('GET', '/api/incidents?status=active', {
        user: 'property',
      });
      const id = list.body.find((i) => i.kind === 'falling_object')!.id;
      return (
        await gw.api<IncidentBody & { severity: string }>('GET', `/api/incidents/${id}`, { user: 'property' })
      ).body;
    };
    gw.raise(watch());
    gw.raise(watch({ eventTs: T0 + 30_000 }));
    const notice = await throwIncident();
    expect(notice).toMatchObject({
      state: 'open',
      severity: 'info',
      occurrences: 2,
      paged: [],
      assignees: [],
    });
    expect(notice.history.map((h) => h.type)).toEqual(['opened', 'occurrence']);

    gw.raise(
      watch({
        severity: 'critical',
        source: { deviceId: 'cam-b3-east', rule: null, model: 'falling-object@9' },
      }),
    );
    const paged = await throwIncident();
    expect(paged.id).toBe(notice.id);
    expect(paged).toMatchObject({ state: 'dispatched', severity: 'critical', occurrences: 3 });
    expect(paged.paged.map((p) => p.staffId).sort()).toEqual(['mg3-patrol-a', 'property']);
  });

  it('grows a shed’s pre-alarm into its fire: one incident, 紧急, in the fire’s words, whose all-clear the pre-alarm cannot give', async () => {
    gw = await startAlertingGateway();
    const risk = shedFire({
      kind: 'fire_risk',
      severity: 'major',
      source: { deviceId: 'charger-shed-3', rule: null, model: 'fire-fusion@1' },
      title: {
        'zh-CN': '3号非机动车棚疑似电池热失控',
        en: 'Suspected battery thermal runaway in bike shed 3',
      },
      evidence: { suspectPort: null },
    });
    gw.raise(risk);
    const opened = await gw.api<Array<IncidentBody & { kind: string; severity: string; title: string }>>(
      'GET',
      '/api/incidents?status=active',
      { user: 'property' },
    );
    expect(opened.body.map((i) => [i.kind, i.severity, i.title])).toEqual([
      ['fire_risk', 'major', '3号非机动车棚疑似电池热失控'],
    ]);
    const preAlarmTasks = opened.body[0]!.tasks.length;

    gw.raise(shedFire({ eventTs: T0 + 240_000 }));
    gw.raise({ ...risk, eventTs: T0 + 250_000, cleared: true });
    const grown = await gw.api<IncidentBody & { kind: string; severity: string; title: string }>(
      'GET',
      `/api/incidents/${opened.body[0]!.id}`,
      { user: 'property' },
    );
    expect(grown.body).toMatchObject({
      kind: 'fire',
      severity: 'critical',
      title: '3号非机动车棚火警',
      occurrences: 2,
      source: { deviceId: 'smoke-shed-3' },
    });
    // The fire's playbook tasks go before those of the pre-alarm; its all-clear is ignored.
    expect(grown.body.tasks.length).toBeGreaterThan(preAlarmTasks);
    expect(grown.body.tasks[0]!.title).toBe('赶赴现场处置火情');
    expect(grown.body.history.map((h) => h.type)).not.toContain('cleared');
    const all = await gw.api<unknown[]>('GET', '/api/incidents?status=active', { user: 'property' });
    expect(all.body).toHaveLength(1);
  });

  it('hides another grid’s incident (404) and refuses outsiders’ steps', async () => {
    gw = await startAlertingGateway();
    gw.raise(shedFire());
    const [{ incidentId }] = (
      await gw.api<Array<{ incidentId: string }>>('GET', '/api/alerts', { user: 'admin' })
    ).body as [{ incidentId: string }];
    expect((await gw.api('GET', `/api/incidents/${incidentId}`, { user: 'mg1-worker-a' })).status).toBe(404);
    expect(
      (await gw.api('POST', `/api/incidents/${incidentId}/accept`, { user: 'mg1-responder-a', body: {} }))
        .status,
    ).toBe(404);
    expect((await gw.api<unknown[]>('GET', '/api/incidents', { user: 'mg1-worker-a' })).body).toHaveLength(0);
    expect((await gw.api<unknown[]>('GET', '/api/alerts', { user: 'mg1-worker-a' })).body).toHaveLength(0);
    // In the grid but not for this kind: a special-care worker may look, not take it.
    expect(
      (await gw.api('POST', `/api/incidents/${incidentId}/accept`, { user: 'mg3-care-a', body: {} })).status,
    ).toBe(403);
    expect(
      (await gw.api('POST', `/api/incidents/${incidentId}/accept`, { user: 'mg3-responder-a', body: {} }))
        .status,
    ).toBe(200);
    expect(
      (await gw.api('POST', `/api/incidents/${incidentId}/accept`, { user: 'mg3-responder-b', body: {} }))
        .status,
    ).toBe(409);
  });

  it('mutes a shed’s offline alerts while a fire there is active (inhibition), and honours silences', async () => {
    gw = await startAlertingGateway();
    gw.raise(shedFire());
    gw.raise(offline('heat-shed-3', 'shed-3'));
    gw.raise(offline('smoke-shed-1', 'shed-1'));
    let alerts = await gw.api<Array<{ kind: string; status: string; source: { deviceId: string } }>>(
      'GET',
      '/api/alerts?kind=device_offline',
      {
        user: 'admin',
      },
    );
    const byDevice = Object.fromEntries(alerts.body.map((a) => [a.source.deviceId, a.status]));
    expect(byDevice).toEqual({ 'heat-shed-3': 'inhibited', 'smoke-shed-1': 'firing' });

    const silence = await gw.api<{ id: string; active: boolean }>('POST', '/api/silences', {
      user: 'engineer',
      body: {
        matchers: { device: 'charger-shed-2' },
        to: new Date(T0 + 3600_000).toISOString(),
        reason: '更换控制器',
      },
    });
    expect(silence.status).toBe(201);
    expect(silence.body.active).toBe(true);
    gw.raise(offline('charger-shed-2', 'shed-2'));
    alerts = await gw.api('GET', '/api/alerts?status=silenced', { user: 'admin' });
    expect(alerts.body.map((a) => a.source.deviceId)).toEqual(['charger-shed-2']);
    // After the window the same device pages again.
    gw.clock.advance(3600_000);
    gw.raise(offline('charger-shed-2', 'shed-2', { eventTs: T0 + 3600_000 }));
    alerts = await gw.api('GET', '/api/alerts?kind=device_offline&status=firing', { user: 'admin' });
    expect(alerts.body.map((a) => a.source.deviceId).sort()).toEqual(['charger-shed-2', 'smoke-shed-1']);
    // A grid worker may not silence anything; a silence with no matcher is refused.
    expect(
      (
        await gw.api('POST', '/api/silences', {
          user: 'mg1-worker-a',
          body: { matchers: { kind: 'fire' }, to: '2027-01-01T00:00:00Z', reason: 'x' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await gw.api('POST', '/api/silences', {
          user: 'engineer',
          body: { matchers: {}, to: '2027-01-01T00:00:00Z', reason: 'x' },
        })
      ).status,
    ).toBe(400);
  });

  it('mutes inactivity alerts about a household recorded as away, whoever raised them; its other alerts still page', async () => {
    gw = await startAlertingGateway();
    const abs = await gw.api<{ id: string }>('POST', '/api/households/B3-1-203/absences', {
      user: 'mg3-care-a',
      body: {
        from: new Date(T0 - 3600_000).toISOString(),
        to: new Date(T0 + 24 * 3600_000).toISOString(),
        reason: '住院',
      },
    });
    expect(abs.status).toBe(201);
    gw.raise(inactivity('B3-1-203'));
    gw.raise(inactivity('B3-1-203', { kind: 'continuous_water_flow', dedupeKey: 'flow:B3-1-203' }));
    gw.raise(inactivity('B3-1-303'));
    type Row = { kind: string; status: string; mutedBy: string | null; location: { household: string } };
    const alerts = await gw.api<Row[]>('GET', '/api/alerts', { user: 'admin' });
    const status = Object.fromEntries(
      alerts.body.map((a) => [`${a.kind}:${a.location.household}`, [a.status, a.mutedBy]]),
    );
    expect(status).toEqual({
      'elderly_inactivity:B3-1-203': ['silenced', abs.body.id],
      'continuous_water_flow:B3-1-203': ['firing', null],
      'elderly_inactivity:B3-1-303': ['firing', null],
    });
    // Once the resident is back, the same silence pages again.
    gw.clock.advance(25 * 3600_000);
    gw.forgetLogins(); // the admin’s token expired on that clock
    gw.raise(inactivity('B3-1-203', { eventTs: T0 + 25 * 3600_000 }));
    const firing = await gw.api<Row[]>('GET', '/api/alerts?kind=elderly_inactivity&status=firing', {
      user: 'admin',
    });
    expect(firing.body.map((a) => a.location.household).sort()).toEqual(['B3-1-203', 'B3-1-303']);
  });
});
