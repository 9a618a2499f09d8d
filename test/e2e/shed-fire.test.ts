/**
 * The "done when": a shed fire simulated over MQTT (smoke and heat sensors publishing
 * readings, the rules engine detecting it) → alert on MQTT → incident dispatched to the right
 * emergency responder → not accepted → escalated to the B post → accepted, on site, resolved,
 * reviewed; the shed's charging controller (a simulated device on MQTT) received the cut-off and
 * confirmed it. Escalation runs on a ManualClock, so waiting three minutes takes no time.
 */
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/src/core/clock.ts';
import { eventually, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { testNow } from '../helpers/clock.ts';

interface Incident {
  id: string;
  kind: string;
  severity: string;
  state: string;
  escalationLevel: string | null;
  paged: Array<{ staffId: string; step: number }>;
  commands: Array<{ deviceId: string; name: string; args: Record<string, unknown>; status: string }>;
  history: Array<{ type: string; by: string | null; data: Record<string, unknown> }>;
}

let gw: TestGateway;
afterEach(async () => gw?.stop());

describe('end to end: a bike-shed fire', () => {
  it('goes from sensor readings to a reviewed incident, with the charging cut off and confirmed', async () => {
    const clock = new ManualClock(testNow());
    gw = await startTestGateway({}, { clock });

    // The shed's charging controller: answers every command it is sent.
    const charger: MqttClient = await gw.connect('charger-shed-1');
    const commands: Array<{ id: string; name: string; args: Record<string, unknown> }> = [];
    await charger.subscribeAsync('weige/charger-shed-1/command', { qos: 1 });
    charger.on('message', (_t, payload) => {
      const c = JSON.parse(payload.toString()) as { id: string; name: string; args: Record<string, unknown> };
      commands.push(c);
      // Fire and forget, as a controller does: a reply in flight when the test ends is dropped.
      charger.publish('weige/charger-shed-1/command/result', JSON.stringify({ id: c.id, ok: true }), {
        qos: 1,
      });
    });
    // The property console listens for alerts on MQTT.
    const console_ = await gw.connect('dashboard');
    const alerts: Array<{ topic: string; body: { kind: string; severity: string; incidentId: string } }> = [];
    await console_.subscribeAsync('weige/alerts/#', { qos: 1 });
    console_.on('message', (topic, p) => alerts.push({ topic, body: JSON.parse(p.toString()) }));

    // Smoke on the smoke sensor, heat on the second sensor: the fire rules fire.
    const smoke = await gw.connect('smoke-shed-1');
    const heat = await gw.connect('heat-shed-1');
    const t = clock.now();
    await smoke.publishAsync(
      'weige/smoke-shed-1/telemetry',
      JSON.stringify({ ts: t - 60_000, smoke_db_m: 0.01, temp_c: 24, co_ppm: 2 }),
      { qos: 1 },
    );
    await heat.publishAsync(
      'weige/heat-shed-1/telemetry',
      JSON.stringify({ ts: t - 60_000, smoke_db_m: 0.0, temp_c: 25, co_ppm: 1 }),
      { qos: 1 },
    );
    await smoke.publishAsync(
      'weige/smoke-shed-1/telemetry',
      JSON.stringify({ ts: t, smoke_db_m: 0.42, temp_c: 31, co_ppm: 40 }),
      { qos: 1 },
    );
    await heat.publishAsync(
      'weige/heat-shed-1/telemetry',
      JSON.stringify({ ts: t, smoke_db_m: 0.2, temp_c: 68, co_ppm: 30 }),
      { qos: 1 },
    );

    const alert = await eventually(() =>
      alerts.find((a) => a.topic === 'weige/alerts/chunjiang/fire' && a.body.severity === 'critical'),
    );
    const incidentId = alert.body.incidentId;
    const get = async (): Promise<Incident> =>
      (await gw.api<Incident>('GET', `/api/incidents/${incidentId}`, { user: 'admin' })).body;

    let incident = await get();
    expect(incident.kind).toBe('fire');
    expect(incident.severity).toBe('critical');
    expect(incident.state).toBe('dispatched');
    const firstStep = incident.paged.filter((p) => p.step === 0).map((p) => p.staffId);
    expect(firstStep).toContain('mg1-responder-a');
    expect(firstStep).not.toContain('mg1-responder-b');

    // The cut-off reached the controller and was confirmed.
    await eventually(async () => (await get()).commands.some((c) => c.status === 'confirmed'));
    expect(commands).toEqual([expect.objectContaining({ name: 'charging_power', args: { on: false } })]);
    incident = await get();
    expect(incident.commands[0]).toMatchObject({
      deviceId: 'charger-shed-1',
      name: 'charging_power',
      status: 'confirmed',
    });

    // Nobody accepts within the critical timeout (180 s): the B post is paged.
    const responderA = await gw.api<Incident[]>('GET', '/api/incidents?mine=true', {
      user: 'mg1-responder-a',
    });
    expect(responderA.body.map((i) => i.id)).toContain(incidentId);
    clock.advance(180_000);
    incident = await get();
    expect(incident.state).toBe('escalated');
    expect(incident.escalationLevel).toBe('B');
    expect(incident.paged.map((p) => p.staffId)).toContain('mg1-responder-b');

    // The B responder accepts, arrives, resolves; the micro-grid leader reviews.
    const step = (s: string, user: string, body: unknown = {}) =>
      gw.api<Incident>('POST', `/api/incidents/${incidentId}/${s}`, { user, body });
    expect((await step('accept', 'mg1-responder-b', { note: '五分钟到' })).body.state).toBe('accepted');
    clock.advance(240_000);
    expect((await step('arrive', 'mg1-responder-b')).body.state).toBe('on_site');
    clock.advance(600_000);
    expect(
      (
        await step('resolve', 'mg1-responder-b', {
          disposition: 'real',
          note: '电池热失控，已扑灭',
          photos: ['https://oss.example.cn/fire/1.jpg'],
        })
      ).body.state,
    ).toBe('resolved');
    expect((await step('review', 'mg1-leader', { rating: 5, note: '处置及时' })).body.state).toBe('reviewed');

    incident = await get();
    const trail = incident.history
      .filter((h) =>
        [
          'opened',
          'dispatched',
          'command_confirmed',
          'escalated',
          'accepted',
          'arrived',
          'resolved',
          'reviewed',
        ].includes(h.type),
      )
      .map((h) => h.type);
    expect(trail).toEqual([
      'opened',
      'dispatched',
      'command_confirmed',
      'escalated',
      'accepted',
      'arrived',
      'resolved',
      'reviewed',
    ]);
    expect(incident.history.find((h) => h.type === 'escalated')!.data.step).toBe('B');
    expect(incident.history.filter((h) => h.type === 'accepted').map((h) => h.by)).toEqual([
      'mg1-responder-b',
    ]);
  });
});
