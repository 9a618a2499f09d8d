/**
 * MQTT security on the embedded broker, over real TCP: credentials, topic ACLs, deny by default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { testNow } from '../../helpers/clock.ts';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => gw.stop());

/** The QoS granted per filter; 128 = refused ([MQTT-3.9.3]). mqtt.js rejects on 128, with the SUBACK attached. */
async function grantedQos(client: MqttClient, filters: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(filters, { qos: 1 })).map((g) => g.qos);
  } catch (err) {
    const packet = (err as { packet?: { granted: Array<number | { qos: number }> } }).packet;
    if (!packet) throw err;
    return packet.granted.map((g) => (typeof g === 'number' ? g : g.qos));
  }
}

const connectRaw = (options: mqtt.IClientOptions) =>
  mqtt.connectAsync(gw.mqttUrl, { reconnectPeriod: 0, ...options });

describe('broker policy', () => {
  it('refuses anonymous clients when the site does not allow them', async () => {
    await expect(connectRaw({})).rejects.toThrow(/Bad username or password|Not authorized/i);
  });

  it('refuses a wrong device password and an unknown username', async () => {
    await expect(connectRaw({ username: 'smoke-shed-1', password: 'nope' })).rejects.toThrow(
      /Bad username or password/i,
    );
    await expect(connectRaw({ username: 'ghost', password: 'weige-device' })).rejects.toThrow(
      /Bad username or password/i,
    );
  });

  it('disconnects a device that publishes under another id, and stores nothing of it', async () => {
    const intruder = await gw.connect('smoke-shed-1');
    const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
    intruder.publish('weige/smoke-shed-2/telemetry', JSON.stringify({ ts: testNow(), temp_c: 99 }), {
      qos: 1,
    });
    await closed;
    const device = await gw.connect('smoke-shed-1');
    await device.publishAsync(
      'weige/smoke-shed-1/telemetry',
      JSON.stringify({ ts: testNow() - 10, temp_c: 21 }),
      { qos: 1 },
    );
    const foreign = await gw.api<unknown[]>('GET', '/api/devices/smoke-shed-2/readings', {
      user: 'engineer',
    });
    const own = await gw.api<unknown[]>('GET', '/api/devices/smoke-shed-1/readings', { user: 'engineer' });
    expect(foreign.body).toHaveLength(0);
    expect(own.body).toHaveLength(1);
  });

  it('lets a device subscribe to its own command topic but not to alerts or others', async () => {
    const device = await gw.connect('charger-shed-1');
    expect(
      await grantedQos(device, [
        'weige/charger-shed-1/command',
        'weige/alerts/#',
        'weige/charger-shed-2/command',
      ]),
    ).toEqual([1, 128, 128]);
  });

  it('gives service accounts exactly their filters', async () => {
    const dashboard = await gw.connect('dashboard');
    expect(
      await grantedQos(dashboard, [
        'weige/alerts/chunjiang/fire',
        'weige/incidents/#',
        'weige/+/telemetry',
        '#',
      ]),
    ).toEqual([1, 1, 128, 128]);
    const sim = await gw.connect('simulator');
    expect(await grantedQos(sim, ['weige/+/command'])).toEqual([1]);
  });

  it('never lets a client publish on the gateway output topics', async () => {
    const sim = await gw.connect('simulator');
    const watcher = await gw.connect('dashboard');
    const seen: string[] = [];
    watcher.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    await watcher.subscribeAsync('weige/alerts/#', { qos: 1 });
    const closed = new Promise<void>((resolve) => sim.once('close', () => resolve()));
    sim.publish('weige/alerts/chunjiang/fire', '{"fake":true}', { qos: 0 });
    await closed;
    await gw.gateway.ctx.transport.publish('weige/alerts/chunjiang/fire', '{"real":true}', { qos: 1 });
    // The broker delivers in order: a forwarded forgery would arrive before the real alert.
    await eventually(() => seen.length > 0);
    expect(seen).toEqual(['weige/alerts/chunjiang/fire {"real":true}']);
  });

  it('allows anonymous devices when the site says so', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { EXAMPLE_SITE_FILE } = await import('../../../gateway/src/site/site-loader.ts');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weige-site-'));
    const siteFile = path.join(dir, 'site.yaml');
    writeFileSync(
      siteFile,
      readFileSync(EXAMPLE_SITE_FILE, 'utf8').replace('allowAnonymous: false', 'allowAnonymous: true'),
    );
    const open = await startTestGateway({ siteFile });
    try {
      const anon = await mqtt.connectAsync(open.mqttUrl, { reconnectPeriod: 0 });
      await anon.publishAsync(
        'weige/smoke-shed-1/telemetry',
        JSON.stringify({ ts: testNow() - 5, temp_c: 22 }),
        { qos: 1 },
      );
      expect(await grantedQos(anon, ['weige/alerts/#'])).toEqual([128]);
      await anon.endAsync();
      const res = await open.api<unknown[]>('GET', '/api/devices/smoke-shed-1/readings', {
        user: 'engineer',
      });
      expect(res.body).toHaveLength(1);
    } finally {
      await open.stop();
    }
  });
});
