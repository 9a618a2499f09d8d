import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/gateway.ts';
import { startAlertingGateway, shedFire, offline, type AlertingTestGateway } from '../alerting/fixtures.ts';

let gw: AlertingTestGateway;
afterEach(async () => gw?.stop());

describe('MQTT channel', () => {
  it('publishes every alert on weige/alerts/{site}/{kind} and every incident change on weige/incidents/{site}/{id}, QoS 1', async () => {
    gw = await startAlertingGateway();
    const dashboard = await gw.connect('dashboard');
    const got: Array<{ topic: string; qos: number; body: Record<string, unknown> }> = [];
    await dashboard.subscribeAsync(['weige/alerts/#', 'weige/incidents/#'], { qos: 1 });
    dashboard.on('message', (topic, payload, packet) =>
      got.push({ topic, qos: packet.qos, body: JSON.parse(payload.toString()) }),
    );
    gw.raise(shedFire());
    await eventually(() =>
      got.some((m) => m.topic.startsWith('weige/incidents/') && m.body.state === 'dispatched'),
    );
    const alert = got.find((m) => m.topic === 'weige/alerts/chunjiang/fire')!;
    expect(alert.qos).toBe(1);
    expect(alert.body).toMatchObject({
      kind: 'fire',
      severity: 'critical',
      siteId: 'chunjiang',
      title: '3号非机动车棚火警',
      location: { place: 'shed-3', building: 'B12' },
      grid: ['wuliqiao', 'longhua-block', 'longhua', 'mg-chunjiang-3', 'bg-b12'],
      source: { deviceId: 'smoke-shed-3', rule: 'shed-fire-confirmed', model: null },
    });
    expect(typeof alert.body.incidentId).toBe('string');
    const incidentTopic = `weige/incidents/chunjiang/${String(alert.body.incidentId)}`;
    const incidentStates = () => got.filter((m) => m.topic === incidentTopic).map((m) => m.body.state);
    // The third change (the cut-off command's progress) may arrive after the first dispatch.
    await eventually(() => incidentStates().length >= 3);
    expect(incidentStates()).toEqual(['open', 'dispatched', 'dispatched']);
    // A muted alert is still on the feed, marked so; it opens no incident.
    gw.raise(offline('heat-shed-3', 'shed-3'));
    const muted = await eventually(() =>
      got.find((m) => m.topic === 'weige/alerts/chunjiang/device_offline'),
    );
    expect(muted.body).toMatchObject({ status: 'inhibited', incidentId: null });
  });
});
