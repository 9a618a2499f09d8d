import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../gateway/src/core/clock.ts';
import { AlertingModule, createAlertingModule } from '../../../gateway/src/alerting/module.ts';
import { createChannelsModule } from '../../../gateway/src/channels/module.ts';
import { eventually, startTestGateway } from '../../helpers/gateway.ts';
import type { Detection } from '../../../gateway/src/contracts/alerts.ts';
import { startAlertingGateway, shedFire, T0, type AlertingTestGateway } from './fixtures.ts';

interface Command {
  id: string;
  name: string;
  args: Record<string, unknown>;
}
interface Incident {
  id: string;
  kind: string;
  severity: string;
  paged: Array<{ staffId: string }>;
  commands: Array<{
    id: string;
    status: string;
    attempts: number;
    args: Record<string, unknown>;
    deviceId: string;
  }>;
  occurrences: number;
  tasks: Array<{
    id: string;
    status: string;
    title: string;
    checklist: Array<{ done: boolean; by: string | null }>;
  }>;
  history: Array<{ type: string }>;
}

let gw: AlertingTestGateway;
afterEach(async () => gw?.stop());

/** A charging controller on MQTT: records commands and answers the ones `answer` says to. */
async function charger(
  g: AlertingTestGateway,
  id: string,
  answer: (c: Command, n: number) => boolean | 'refuse',
) {
  const client: MqttClient = await g.connect(id);
  const received: Array<Command & { at: number }> = [];
  await client.subscribeAsync(`weige/${id}/command`, { qos: 1 });
  client.on('message', (_topic, payload) => {
    const c = JSON.parse(payload.toString()) as Command;
    received.push({ ...c, at: performance.now() });
    const verdict = answer(c, received.length);
    // Fire and forget, as a controller does: a reply still in flight when the test ends is dropped.
    if (verdict)
      client.publish(
        `weige/${id}/command/result`,
        JSON.stringify(
          verdict === 'refuse' ? { id: c.id, ok: false, error: 'relay stuck' } : { id: c.id, ok: true },
        ),
        { qos: 1 },
      );
  });
  return received;
}

/** A fire risk naming a suspect port of bike shed 1, as the fire-fusion model raises it. */
function portRisk(port: number, over: Partial<Detection> = {}): Detection {
  return shedFire({
    kind: 'fire_risk',
    severity: 'major',
    source: { deviceId: 'charger-shed-1', rule: null, model: 'fire-fusion@1' },
    dedupeKey: `fire_risk:shed-1:${port}`,
    location: { place: 'shed-1' },
    evidence: { suspectPort: port, h2_ppm: 42 },
    ...over,
  });
}

async function incident(g: AlertingTestGateway, kind: string): Promise<Incident> {
  const list = await g.api<Array<{ id: string }>>('GET', `/api/incidents?kind=${kind}`, { user: 'admin' });
  return (await g.api<Incident>('GET', `/api/incidents/${list.body[0]!.id}`, { user: 'admin' })).body;
}

describe('playbooks: actuator commands and tasks', () => {
  it('cuts the shed’s charging on a fire and shows the confirmation on the incident', async () => {
    gw = await startAlertingGateway();
    const received = await charger(gw, 'charger-shed-3', () => true);
    gw.raise(shedFire());
    await eventually(async () => (await incident(gw, 'fire')).commands[0]?.status === 'confirmed');
    expect(received).toHaveLength(1);
    expect(received[0]!.name).toBe('charging_power');
    expect(received[0]!.args).toEqual({ on: false });
    const i = await incident(gw, 'fire');
    expect(i.commands[0]).toMatchObject({ id: received[0]!.id, deviceId: 'charger-shed-3', attempts: 1 });
    expect(i.history.map((h) => h.type)).toContain('command_confirmed');
  });

  it('retries with the same id when the controller stays silent, and when it refuses', async () => {
    gw = await startAlertingGateway();
    const received = await charger(gw, 'charger-shed-3', (_c, n) =>
      n === 1 ? false : n === 2 ? 'refuse' : true,
    );
    gw.raise(shedFire());
    await eventually(() => received.length === 1);
    gw.clock.advance(3000); // no result within 3 s → retry after 1 s
    gw.clock.advance(1000);
    await eventually(() => received.length === 2);
    // Refused: retry after 2 s.
    await eventually(async () => (await incident(gw, 'fire')).commands[0]?.status === 'pending');
    gw.clock.advance(2000);
    await eventually(async () => (await incident(gw, 'fire')).commands[0]?.status === 'confirmed');
    expect(new Set(received.map((c) => c.id)).size).toBe(1);
    const i = await incident(gw, 'fire');
    expect(i.commands[0]!.attempts).toBe(3);
    expect(i.history.map((h) => h.type)).toEqual(
      expect.arrayContaining(['command_timeout', 'command_rejected', 'command_confirmed']),
    );
  });

  it('makes a never-confirmed cut-off a manual step on the incident it serves, now critical — not an incident of its own', async () => {
    gw = await startAlertingGateway();
    const received = await charger(gw, 'charger-shed-1', () => false);
    gw.raise(portRisk(7));
    await eventually(() => received.length === 1);
    const pendingStep = (await incident(gw, 'fire_risk')).tasks.find((t) => t.id.includes(':command:'));
    expect(pendingStep).toMatchObject({
      status: 'in_progress',
      title: '自动断电：1号非机动车棚7号充电口',
    });
    // 4 attempts at t = 0, 4, 9, 16 s: each waits 3 s, then backs off 1, 2, 4 s.
    for (const step of [3000, 1000, 3000, 2000, 3000, 4000]) {
      gw.clock.advance(step);
      await new Promise((r) => setTimeout(r, 20));
    }
    await eventually(() => received.length === 4);
    expect((await incident(gw, 'fire_risk')).severity).toBe('major');
    gw.clock.advance(3000);
    const i = await eventually(async () => {
      const found = await incident(gw, 'fire_risk');
      return found.commands[0]!.status === 'failed' ? found : undefined;
    });
    expect(received.length).toBe(4);
    expect(i.severity).toBe('critical');
    const step = i.tasks.find((t) => t.id === pendingStep!.id)!;
    expect(step.status).toBe('pending');
    expect(step.title).toBe('立即人工断电：1号非机动车棚7号充电口（自动断电 4 次未确认）');
    expect(i.history.map((h) => h.type)).toContain('command_failed');
    const all = await gw.api<Incident[]>('GET', '/api/incidents', { user: 'admin' });
    expect(all.body.map((x) => x.kind)).toEqual(['fire_risk']);
  });

  it('cuts the port again for a second runaway under the still-open incident', async () => {
    gw = await startAlertingGateway();
    const received = await charger(gw, 'charger-shed-1', () => true);
    gw.raise(portRisk(7));
    await eventually(async () => (await incident(gw, 'fire_risk')).commands[0]?.status === 'confirmed');
    // A new battery on the same port runs away 40 min later; the first incident is still open.
    gw.raise(portRisk(7, { eventTs: T0 + 40 * 60_000, evidence: { suspectPort: 7, h2_ppm: 180 } }));
    await eventually(() => received.length === 2);
    expect(received.map((c) => c.args)).toEqual([
      { port: 7, on: false },
      { port: 7, on: false },
    ]);
    expect(received[1]!.id).not.toBe(received[0]!.id);
    const i = await eventually(async () => {
      const found = await incident(gw, 'fire_risk');
      return found.commands.every((c) => c.status === 'confirmed') ? found : undefined;
    });
    expect(i.occurrences).toBe(2);
    expect(i.commands).toHaveLength(2);
    expect(i.tasks.filter((t) => t.id.includes(':command:')).map((t) => t.status)).toEqual(['done', 'done']);
  });

  it('cuts every port of the shed on a fire risk naming none, then the port once it is named', async () => {
    gw = await startAlertingGateway();
    const received = await charger(gw, 'charger-shed-1', () => true);
    // Gas alone: the venting pack is not yet known, so every charging port goes off (no `port`).
    gw.raise(portRisk(7, { evidence: { suspectPort: null, h2_ppm: 120 } }));
    await eventually(() => received.length === 1);
    gw.raise(portRisk(7, { eventTs: T0 + 3 * 60_000 }));
    await eventually(() => received.length === 2);
    expect(received.map((c) => c.args)).toEqual([{ on: false }, { port: 7, on: false }]);
    const i = await eventually(async () => {
      const found = await incident(gw, 'fire_risk');
      return found.commands.length === 2 && found.commands.every((c) => c.status === 'confirmed')
        ? found
        : undefined;
    });
    expect(i.tasks.filter((t) => t.id.includes(':command:')).map((t) => t.title)).toEqual([
      '自动断电：1号非机动车棚全部充电口',
      '自动断电：1号非机动车棚7号充电口',
    ]);
  });

  it('still cuts the port of a silenced shed, paging nobody', async () => {
    gw = await startAlertingGateway();
    const received = await charger(gw, 'charger-shed-1', () => true);
    const silence = await gw.api('POST', '/api/silences', {
      user: 'admin',
      body: {
        matchers: { place: 'shed-1' },
        from: new Date(T0 - 60_000).toISOString(),
        to: new Date(T0 + 3_600_000).toISOString(),
        reason: '车棚检修',
      },
    });
    expect(silence.status).toBe(201);
    gw.raise(portRisk(7));
    await eventually(() => received.length === 1);
    expect(received[0]!.args).toEqual({ port: 7, on: false });
    const i = await eventually(async () => {
      const found = await incident(gw, 'fire_risk');
      return found.commands[0]?.status === 'confirmed' ? found : undefined;
    });
    expect(i.paged).toEqual([]);
    const alerts = await gw.api<Array<{ status: string; incidentId: string | null }>>(
      'GET',
      '/api/alerts?kind=fire_risk',
      { user: 'admin' },
    );
    expect(alerts.body).toEqual([expect.objectContaining({ status: 'silenced', incidentId: i.id })]);
  });

  it('cuts only the suspect port on a fire risk, within 2 s, and every port without one', async () => {
    gw = await startAlertingGateway();
    const received = await charger(gw, 'charger-shed-1', () => true);
    const risk = shedFire({
      kind: 'fire_risk',
      severity: 'major',
      source: { deviceId: 'charger-shed-1', rule: null, model: 'shed-fire@1' },
      dedupeKey: 'fire_risk:shed-1',
      location: { place: 'shed-1' },
      evidence: { suspectPort: 7, h2_ppm: 42 },
    });
    const t = performance.now();
    gw.raise(risk);
    await eventually(() => received.length === 1);
    expect(received[0]!.at - t).toBeLessThan(2000);
    expect(received[0]!.args).toEqual({ port: 7, on: false });
    // No port named → every port of the shed is cut (no `port`); another port later in the same
    // incident is cut too. The commands go out in order.
    gw.raise({ ...risk, eventTs: T0 + 60_000, evidence: {} });
    gw.raise({ ...risk, eventTs: T0 + 120_000, evidence: { suspectPort: 12 } });
    await eventually(() => received.some((c) => c.args.port === 12));
    expect(received.map((c) => c.args)).toEqual([
      { port: 7, on: false },
      { on: false },
      { port: 12, on: false },
    ]);
  });

  it('tracks each task’s checklist', async () => {
    gw = await startAlertingGateway();
    gw.raise(shedFire());
    let i = await incident(gw, 'fire');
    const task = i.tasks[0]!;
    const tick = (item: number, user = 'mg3-responder-a') =>
      gw.api('POST', `/api/incidents/${i.id}/tasks/${encodeURIComponent(task.id)}/check`, {
        user,
        body: { item, done: true },
      });
    expect((await tick(0)).status).toBe(200);
    i = await incident(gw, 'fire');
    expect(i.tasks[0]!.status).toBe('in_progress');
    expect(i.tasks[0]!.checklist[0]).toMatchObject({ done: true, by: 'mg3-responder-a' });
    for (let n = 1; n < task.checklist.length; n++) await tick(n);
    expect((await incident(gw, 'fire')).tasks[0]!.status).toBe('done');
    expect((await tick(0, 'mg1-responder-a')).status).toBe(404);
  });

  it('keeps retrying the cut-off after a restart, with the same command id', async () => {
    gw = await startAlertingGateway();
    const first = await charger(gw, 'charger-shed-3', () => false);
    gw.raise(shedFire());
    await eventually(() => first.length === 1);
    const dataDir = gw.dataDir;
    await gw.stop({ keepData: true });

    // Back 2 s later; this time the controller answers.
    const clock = new ManualClock(T0 + 2000);
    const alerting = createAlertingModule() as AlertingModule;
    const g2 = await startTestGateway(
      { dataDir },
      { clock, modules: [createChannelsModule, () => alerting] },
    );
    gw = { ...g2, clock, alerting, raise: () => undefined };
    const second = await charger(gw, 'charger-shed-3', () => true);
    clock.advance(1000); // the 3 s result timeout, counted from before the restart
    clock.advance(1000); // then 1 s backoff: attempt 2
    await eventually(async () => (await incident(gw, 'fire')).commands[0]?.status === 'confirmed');
    expect(second.map((c) => c.id)).toEqual([first[0]!.id]);
    expect((await incident(gw, 'fire')).commands[0]!.attempts).toBe(2);
  });
});
