/**
 * The embedded broker knows who listens: optional feeds (canonical readings for Node-RED) are
 * built only while some client's filter matches, including a persistent session restored on
 * reconnect, which aedes does not announce as a new subscription.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import {
  DEMO_SERVICE_PASSWORD,
  eventually,
  startTestGateway,
  type TestGateway,
} from '../../helpers/gateway.ts';
import { testNow } from '../../helpers/clock.ts';

const READINGS = 'weige/sites/chunjiang/readings/smoke-shed-2';

describe('embedded broker: hasSubscribers', () => {
  let gw: TestGateway;
  const listening = (topic = READINGS): boolean => gw.gateway.ctx.transport.hasSubscribers(topic);
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => gw.stop());

  it('follows subscribe, unsubscribe and disconnect', async () => {
    expect(listening()).toBe(false);
    const nr = await gw.connect('node-red');
    await nr.subscribeAsync('weige/sites/chunjiang/readings/+');
    await eventually(() => listening());
    expect(listening('weige/sites/chunjiang/events/smoke-shed-2')).toBe(false);
    await nr.unsubscribeAsync('weige/sites/chunjiang/readings/+');
    await eventually(() => !listening());
    await nr.subscribeAsync('weige/sites/chunjiang/#');
    await eventually(() => listening());
    await nr.endAsync();
    await eventually(() => !listening());
  });

  it('counts a persistent session restored on reconnect, and the feed reaches it', async () => {
    const options = {
      username: 'node-red',
      password: DEMO_SERVICE_PASSWORD,
      clientId: 'node-red-persistent',
      clean: false,
      reconnectPeriod: 0,
    };
    const first = await mqtt.connectAsync(gw.mqttUrl, options);
    await first.subscribeAsync('weige/sites/chunjiang/readings/#', { qos: 1 });
    await first.endAsync();
    await eventually(() => !listening());

    const again = await mqtt.connectAsync(gw.mqttUrl, options);
    const seen: string[] = [];
    again.on('message', (topic) => seen.push(topic));
    await eventually(() => listening());
    const device = await gw.connect('smoke-shed-2');
    await device.publishAsync('weige/smoke-shed-2/telemetry', JSON.stringify({ ts: testNow(), temp_c: 21 }), {
      qos: 1,
    });
    await eventually(() => seen.includes(READINGS));
    await again.endAsync();
  });
});
