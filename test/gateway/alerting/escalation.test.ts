import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../gateway/src/core/clock.ts';
import { createAlertingModule } from '../../../gateway/src/alerting/module.ts';
import { makeDataDir, startTestGateway } from '../../helpers/gateway.ts';
import {
  startAlertingGateway,
  shedFire,
  inactivity,
  writeSite,
  T0,
  type AlertingTestGateway,
} from './fixtures.ts';

interface Incident {
  id: string;
  state: string;
  escalationLevel: string | null;
  emergency: boolean;
  paged: Array<{ staffId: string; step: number }>;
  history: Array<{ type: string; at: string; by: string | null; data: Record<string, unknown> }>;
  pendingTimers: Array<{ kind: string; dueAt: string }>;
}

let gw: AlertingTestGateway;
afterEach(async () => gw?.stop());

const S = 1000;

async function incidentOf(g: AlertingTestGateway, user = 'admin', kind = ''): Promise<Incident> {
  const list = await g.api<Array<{ id: string }>>('GET', `/api/incidents?kind=${kind}`, { user: 'admin' });
  return (await g.api<Incident>('GET', `/api/incidents/${list.body[0]!.id}`, { user })).body;
}

const pagedIds = (i: Incident): string[] => i.paged.map((p) => p.staffId).sort();

describe('escalation on the injectable clock', () => {
  it('pages A, reminds, then B, then supervisors up to the street, recording every step', async () => {
    const KIND = 'fire';
    gw = await startAlertingGateway();
    gw.raise(shedFire());
    // Critical: reminders every 60 s, escalation after 180 s without an accept.
    gw.clock.advance(60 * S);
    let i = await incidentOf(gw, 'admin', KIND);
    expect(i.state).toBe('dispatched');
    expect(i.history.filter((h) => h.type === 'reminded')).toHaveLength(1);

    gw.clock.advance(120 * S);
    i = await incidentOf(gw, 'admin', KIND);
    expect(i.state).toBe('escalated');
    expect(i.escalationLevel).toBe('B');
    expect(pagedIds(i)).toEqual(['mg3-responder-a', 'mg3-responder-b', 'property', 'property-b']);

    gw.clock.advance(180 * S);
    expect((await incidentOf(gw, 'admin', KIND)).escalationLevel).toBe('grid:mg-chunjiang-3');
    gw.clock.advance(180 * S);
    expect((await incidentOf(gw, 'admin', KIND)).escalationLevel).toBe('grid:longhua-block');
    gw.clock.advance(180 * S);
    i = await incidentOf(gw, 'street-duty', KIND);
    expect(i.escalationLevel).toBe('grid:wuliqiao');
    expect(pagedIds(i)).toContain('street-duty');
    gw.clock.advance(180 * S);
    i = await incidentOf(gw, 'admin', KIND);
    const steps = i.history.filter((h) => h.type === 'escalated');
    expect(steps.map((h) => h.data.step)).toEqual([
      'B',
      'grid:mg-chunjiang-3',
      'grid:longhua-block',
      'grid:wuliqiao',
    ]);
    expect(steps.map((h) => Date.parse(h.at) - T0)).toEqual([180, 360, 540, 720].map((s) => s * S));
    expect(i.history.filter((h) => h.type === 'escalation_exhausted')).toHaveLength(1);
    // Reminders never stop until someone accepts: one a minute for 15 minutes.
    expect(i.history.filter((h) => h.type === 'reminded')).toHaveLength(15);

    // The B responder accepts: reminders stop, the on-site and resolve clocks start.
    expect(
      (
        await gw.api('POST', `/api/incidents/${i.id}/accept`, {
          user: 'mg3-responder-b',
          body: { note: '马上到' },
        })
      ).status,
    ).toBe(200);
    gw.clock.advance(600 * S);
    i = await incidentOf(gw, 'admin', KIND);
    expect(i.history.filter((h) => h.type === 'reminded')).toHaveLength(15);
    expect(i.pendingTimers.map((t) => t.kind).sort()).toEqual(['arrive', 'resolve']);
  });

  it('re-escalates an accepted incident that is not on site, or not resolved, in time', async () => {
    const KIND = 'elderly_inactivity';
    gw = await startAlertingGateway();
    gw.raise(inactivity('B3-1-203'));
    let i = await incidentOf(gw, 'admin', KIND);
    expect(pagedIds(i)).toEqual(['mg3-care-a']);
    expect((await gw.api('POST', `/api/incidents/${i.id}/accept`, { user: 'mg3-care-a' })).status).toBe(200);
    // Major: 3600 s to be on site.
    gw.clock.advance(3599 * S);
    expect((await incidentOf(gw, 'admin', KIND)).history.some((h) => h.type === 'escalated')).toBe(false);
    gw.clock.advance(1 * S);
    i = await incidentOf(gw, 'admin', KIND);
    const esc = i.history.filter((h) => h.type === 'escalated');
    expect(esc.map((h) => h.data.reason)).toEqual(['not_on_site']);
    expect(i.state).toBe('accepted');
    expect(pagedIds(i)).toEqual(['mg3-care-a', 'mg3-care-b']);
    expect((await gw.api('POST', `/api/incidents/${i.id}/arrive`, { user: 'mg3-care-a' })).status).toBe(200);
    // 14400 s after the accept it is still not resolved: the micro-grid leader is paged.
    gw.clock.advance(14400 * S - 3600 * S);
    i = await incidentOf(gw, 'admin', KIND);
    expect(i.history.filter((h) => h.type === 'escalated').map((h) => h.data.reason)).toEqual([
      'not_on_site',
      'not_resolved',
    ]);
    expect(pagedIds(i)).toContain('mg3-leader');
    expect(i.state).toBe('on_site');
  });

  it('emergency mode pages A and B and more roles at once, with halved timeouts; switches are recorded', async () => {
    const KIND = 'elderly_inactivity';
    gw = await startAlertingGateway();
    gw.raise(inactivity('B3-1-203'));
    const before = await incidentOf(gw, 'admin', KIND);
    const dueBefore = Date.parse(before.pendingTimers.find((t) => t.kind === 'accept')!.dueAt);
    expect(dueBefore - T0).toBe(900 * S);

    expect(
      (await gw.api('PUT', '/api/site/mode', { user: 'mg1-worker-a', body: { mode: 'emergency' } })).status,
    ).toBe(403);
    const put = await gw.api<{ mode: string }>('PUT', '/api/site/mode', {
      user: 'mg3-leader',
      body: { mode: 'emergency', reason: '台风' },
    });
    expect(put.status).toBe(200);
    expect(put.body.mode).toBe('emergency');
    // The pending escalation is pulled in by the factor (0.5).
    const after = await incidentOf(gw, 'admin', KIND);
    expect(Date.parse(after.pendingTimers.find((t) => t.kind === 'accept')!.dueAt) - T0).toBe(450 * S);

    gw.raise(shedFire());
    const list = await gw.api<Array<{ id: string; kind: string }>>('GET', '/api/incidents?kind=fire', {
      user: 'admin',
    });
    const fire = (await gw.api<Incident>('GET', `/api/incidents/${list.body[0]!.id}`, { user: 'admin' }))
      .body;
    expect(fire.emergency).toBe(true);
    expect(fire.escalationLevel).toBe('A+B');
    expect(pagedIds(fire)).toEqual([
      'mg3-leader',
      'mg3-responder-a',
      'mg3-responder-b',
      'mg3-worker-a',
      'mg3-worker-b',
      'property',
      'property-b',
    ]);
    expect(Date.parse(fire.pendingTimers.find((t) => t.kind === 'accept')!.dueAt) - T0).toBe(90 * S);

    gw.clock.advance(10 * S);
    await gw.api('PUT', '/api/site/mode', { user: 'admin', body: { mode: 'normal' } });
    const mode = await gw.api<{
      mode: string;
      history: Array<{ mode: string; by: string; reason: string | null }>;
    }>('GET', '/api/site/mode', {
      user: 'mg1-worker-a',
    });
    expect(mode.body.mode).toBe('normal');
    expect(mode.body.history.map((h) => [h.mode, h.by])).toEqual([
      ['normal', 'admin'],
      ['emergency', 'mg3-leader'],
    ]);
  });

  it('resumes pending escalations after a restart with the time already elapsed', async () => {
    const KIND = 'fire';
    gw = await startAlertingGateway();
    gw.raise(shedFire());
    gw.clock.advance(100 * S);
    const dataDir = gw.dataDir;
    await gw.stop({ keepData: true });

    // Down for 50 s: 150 s of the 180 s accept timeout have passed when it comes back.
    const clock = new ManualClock(T0 + 150 * S);
    const g2 = await startTestGateway({ dataDir }, { clock, modules: [() => createAlertingModule()] });
    gw = { ...g2, clock, alerting: null as never, raise: () => undefined };
    let i = await incidentOf(gw, 'admin', KIND);
    expect(i.state).toBe('dispatched');
    clock.advance(29 * S);
    i = await incidentOf(gw, 'admin', KIND);
    expect(i.state).toBe('dispatched');
    clock.advance(1 * S);
    i = await incidentOf(gw, 'admin', KIND);
    expect(i.state).toBe('escalated');
    expect(Date.parse(i.history.find((h) => h.type === 'escalated')!.at) - T0).toBe(180 * S);
  });

  it('switches the site into emergency mode on a critical alert of a configured kind', async () => {
    const dir = makeDataDir();
    const siteFile = writeSite(dir, { escalation: { emergency: { autoOnKinds: ['fire'] } } });
    gw = await startAlertingGateway({ dataDir: dir, siteFile });
    gw.raise(shedFire({ severity: 'major', dedupeKey: 'fire:shed-3:smoke' }));
    expect((await gw.api<{ mode: string }>('GET', '/api/site/mode', { user: 'admin' })).body.mode).toBe(
      'normal',
    );
    gw.raise(shedFire());
    const mode = await gw.api<{ mode: string; by: string; reason: string }>('GET', '/api/site/mode', {
      user: 'admin',
    });
    expect(mode.body).toMatchObject({ mode: 'emergency', by: 'system', reason: 'auto: critical fire' });
    const metrics = await (await fetch(`${gw.http}/metrics`)).text();
    expect(metrics).toMatch(/weige_site_emergency_mode 1/);
  });
});
