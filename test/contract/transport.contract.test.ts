/**
 * One suite, run against every Transport: the embedded aedes broker and an external real
 * Mosquitto (MQTTjs's abstract_client pattern). Devices publish over MQTT, the gateway stores,
 * the gateway publishes, subscribers receive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { eventually, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.ts';
import { testNow } from '../helpers/clock.ts';

interface Setup {
  gw: TestGateway;
  /** A client acting as the given device (credentials where the broker checks them). */
  device(id: string): Promise<MqttClient>;
  /** A client allowed to subscribe to the gateway's output topics. */
  observer(): Promise<MqttClient>;
  teardown(): Promise<void>;
}

const transports: Array<[string, () => Promise<Setup>]> = [
  [
    'embedded aedes',
    async () => {
      const gw = await startTestGateway();
      return {
        gw,
        device: (id) => gw.connect(id),
        observer: () => gw.connect('dashboard'),
        teardown: () => gw.stop(),
      };
    },
  ],
  [
    'external Mosquitto',
    async () => {
      const broker: MosquittoInstance = await startMosquitto();
      const gw = await startTestGateway({ mqttUrl: broker.url });
      const clients: MqttClient[] = [];
      const connect = async (): Promise<MqttClient> => {
        const c = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
        clients.push(c);
        return c;
      };
      return {
        gw,
        device: connect,
        observer: connect,
        async teardown() {
          await Promise.all(clients.map((c) => c.endAsync(true)));
          await gw.stop();
          await broker.stop();
        },
      };
    },
  ],
];

describe.each(transports)('transport contract: %s', (_name, setup) => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(async () => s.teardown());

  it('stores canonical telemetry published by a device and serves it through the API', async () => {
    const device = await s.device('smoke-shed-2');
    await device.publishAsync(
      'weige/smoke-shed-2/telemetry',
      JSON.stringify({ ts: testNow() - 1000, smoke_db_m: 0.02, temp_c: 23.4, co_ppm: 2 }),
      { qos: 1 },
    );
    const readings = await eventually(async () => {
      const res = await s.gw.api<Array<{ values: Record<string, number> }>>(
        'GET',
        '/api/devices/smoke-shed-2/readings',
        { user: 'engineer' },
      );
      return res.body.length ? res.body : null;
    });
    expect(readings[0]!.values).toEqual({ smoke_db_m: 0.02, temp_c: 23.4, co_ppm: 2 });
  });

  it('delivers what the gateway publishes (alerts topic, QoS 1) to subscribers', async () => {
    const observer = await s.observer();
    const received = new Promise<string>((resolve) =>
      observer.on('message', (_t, payload) => resolve(payload.toString())),
    );
    await observer.subscribeAsync('weige/alerts/chunjiang/#', { qos: 1 });
    await s.gw.gateway.ctx.transport.publish('weige/alerts/chunjiang/fire', JSON.stringify({ id: 'a-1' }), {
      qos: 1,
    });
    expect(JSON.parse(await received)).toEqual({ id: 'a-1' });
  });

  it('marks a device offline from its status topic (its will) and online again when it speaks', async () => {
    const device = await s.device('heat-shed-2');
    await device.publishAsync('weige/heat-shed-2/status', 'offline', { qos: 1, retain: true });
    await eventually(() => s.gw.gateway.ctx.health.get('heat-shed-2').status === 'offline');
    await device.publishAsync(
      'weige/heat-shed-2/telemetry',
      JSON.stringify({ ts: testNow() - 500, temp_c: 20 }),
      { qos: 1 },
    );
    await eventually(() => s.gw.gateway.ctx.health.get('heat-shed-2').status === 'online');
    await device.publishAsync('weige/heat-shed-2/status', '', { qos: 1, retain: true }); // clear the retained will
  });

  it('dead-letters bad input without disturbing the transport', async () => {
    const device = await s.device('smoke-shed-2');
    await device.publishAsync('weige/smoke-shed-2/telemetry', Buffer.from([0xff, 0x00, 0x13]), { qos: 1 });
    await device.publishAsync(
      'weige/smoke-shed-2/telemetry',
      JSON.stringify({ ts: testNow() - 100, temp_c: 24 }),
      { qos: 1 },
    );
    await eventually(async () => {
      const res = await s.gw.api<{ counts: Record<string, number> }>('GET', '/api/dead-letters', {
        user: 'engineer',
      });
      return res.body.counts.malformed_json === 1;
    });
    await eventually(async () => {
      const res = await s.gw.api<unknown[]>('GET', '/api/devices/smoke-shed-2/readings', {
        user: 'engineer',
      });
      return res.body.length === 2;
    });
  });
});

describe('external broker outage of the gateway', () => {
  it('receives QoS 1 messages published while the gateway was down (persistent session)', async () => {
    const broker = await startMosquitto();
    try {
      let gw = await startTestGateway({ mqttUrl: broker.url });
      const dataDir = gw.dataDir;
      await gw.stop({ keepData: true });
      const device = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
      const base = testNow() - 60_000;
      for (let i = 0; i < 20; i++)
        await device.publishAsync(
          'weige/smoke-shed-3/telemetry',
          JSON.stringify({
            deviceId: 'smoke-shed-3',
            timestamp: base + i * 1000,
            messageType: 'dataReport',
            payload: { serviceData: { temperature: 20 + i } },
          }),
          { qos: 1 },
        );
      await device.endAsync();
      gw = await startTestGateway({ mqttUrl: broker.url, dataDir });
      const stored = await eventually(async () => {
        const res = await gw.api<unknown[]>('GET', '/api/devices/smoke-shed-3/readings', {
          user: 'engineer',
        });
        return res.body.length === 20 ? res.body : null;
      });
      expect(stored).toHaveLength(20);
      await gw.stop();
    } finally {
      await broker.stop();
    }
  });
});
