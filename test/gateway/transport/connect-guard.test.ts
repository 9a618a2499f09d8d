/**
 * MQTT CONNECT policy over real TCP (issue 14): a device's client id must be its own id, so no
 * client can take over another device's session; CONNECTs are throttled per client id and, for
 * wrong passwords, per address; an unknown device fails as slowly as a known one.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { compareFailureTimes } from '../../helpers/failure-timing.ts';

const PER_CLIENT_PER_MIN = 4;
const PER_ADDRESS_PER_MIN = 6;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    mqttConnectsPerClientPerMin: PER_CLIENT_PER_MIN,
    loginFailuresPerIpPerMin: PER_ADDRESS_PER_MIN,
  });
});
afterAll(async () => gw.stop());

/** Connects from `localAddress` (any of 127.0.0.0/8); resolves with the client or the CONNACK code. */
function connectFrom(
  options: IClientOptions,
  localAddress = '127.0.0.1',
): Promise<{ client: MqttClient } | { returnCode: number }> {
  const port = Number(new URL(gw.mqttUrl).port);
  return new Promise((resolve) => {
    const client = new mqtt.MqttClient(() => net.connect({ port, host: '127.0.0.1', localAddress }), {
      protocolVersion: 4,
      reconnectPeriod: 0,
      ...options,
    });
    client.once('connect', () => resolve({ client }));
    client.once('error', (err) => {
      client.end(true);
      resolve({ returnCode: (err as Error & { code?: number }).code ?? -1 });
    });
  });
}

const returnCode = (r: { client: MqttClient } | { returnCode: number }): number => {
  if ('client' in r) {
    r.client.end(true);
    return 0;
  }
  return r.returnCode;
};

describe('client id takeover', () => {
  it('refuses a device that connects with another device’s id, and the victim stays connected', async () => {
    const victim = await gw.connect('smoke-shed-1');
    let victimClosed = false;
    victim.on('close', () => (victimClosed = true));
    const intruder = await connectFrom({
      username: 'smoke-shed-2',
      password: 'weige-device',
      clientId: 'smoke-shed-1',
    });
    expect(returnCode(intruder)).toBe(2); // identifier rejected
    const service = await connectFrom({
      username: 'simulator',
      password: 'weige-service',
      clientId: 'smoke-shed-1',
    });
    expect(returnCode(service)).toBe(2);
    await victim.publishAsync('weige/smoke-shed-1/status', JSON.stringify({ online: true }), { qos: 1 });
    expect(victimClosed).toBe(false);
    expect(victim.connected).toBe(true);
  });

  it('refuses a device whose client id is not its own id', async () => {
    const other = await connectFrom({
      username: 'smoke-shed-3',
      password: 'weige-device',
      clientId: 'mqttjs_1234',
    });
    expect(returnCode(other)).toBe(2);
    const own = await connectFrom({
      username: 'smoke-shed-3',
      password: 'weige-device',
      clientId: 'smoke-shed-3',
    });
    expect(returnCode(own)).toBe(0);
  });
});

describe('CONNECT throttling', () => {
  it('refuses a client id that reconnects too often, and no other', async () => {
    const codes: number[] = [];
    for (let i = 0; i < PER_CLIENT_PER_MIN + 1; i++)
      codes.push(
        returnCode(
          await connectFrom({ username: 'heat-shed-1', password: 'weige-device', clientId: 'heat-shed-1' }),
        ),
      );
    expect(codes).toEqual([...Array(PER_CLIENT_PER_MIN).fill(0), 3]); // 3 = server unavailable
    expect(
      returnCode(
        await connectFrom({ username: 'heat-shed-2', password: 'weige-device', clientId: 'heat-shed-2' }),
      ),
    ).toBe(0);
  });

  it('makes an address that guesses passwords wait, and leaves other addresses alone', async () => {
    const attacker = '127.0.0.21';
    const codes: number[] = [];
    for (let i = 0; i < PER_ADDRESS_PER_MIN + 2; i++)
      codes.push(
        returnCode(
          await connectFrom(
            { username: `guess-${i}`, password: `guess-${i}`, clientId: `guess-${i}` },
            attacker,
          ),
        ),
      );
    expect(codes).toEqual([...Array(PER_ADDRESS_PER_MIN).fill(4), 3, 3]);
    // A device from another address still gets in.
    expect(
      returnCode(
        await connectFrom(
          { username: 'heat-shed-3', password: 'weige-device', clientId: 'heat-shed-3' },
          '127.0.0.22',
        ),
      ),
    ).toBe(0);
    const metrics = await (await fetch(`${gw.http}/metrics`)).text();
    expect(metrics).toMatch(/weige_logins_refused_total\{channel="mqtt",reason="address_throttled"\} [1-9]/);
    expect(metrics).toMatch(/weige_logins_refused_total\{channel="mqtt",reason="client_id_mismatch"\} [1-9]/);
  });
});

describe('no device enumeration by timing', { timeout: 90_000 }, () => {
  it('refuses an unknown device about as slowly as a known one with a wrong password', async () => {
    const timing = await startTestGateway({
      loginFailuresPerIpPerMin: 100_000,
      mqttConnectsPerClientPerMin: 100_000,
    });
    try {
      const port = Number(new URL(timing.mqttUrl).port);
      const { knownMs, unknownMs, ratio } = await compareFailureTimes(async (username) => {
        const code = await new Promise<number>((resolve) => {
          const client = new mqtt.MqttClient(() => net.connect({ port, host: '127.0.0.1' }), {
            username,
            password: `wrong-${Math.random()}`,
            clientId: username,
            reconnectPeriod: 0,
          });
          client.once('connect', () => resolve(0));
          client.once('error', (err) => {
            client.end(true);
            resolve((err as Error & { code?: number }).code ?? -1);
          });
        });
        expect(code).toBe(4);
      }, 'wm-B3-1-1201');
      console.log(
        `mqtt refusal median: known ${knownMs.toFixed(1)} ms, unknown ${unknownMs.toFixed(1)} ms, ratio ${ratio.toFixed(2)}`,
      );
      // Issue 14 measured 15–20× (3 vs 55 ms); checks run at low priority, so load adds noise.
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    } finally {
      await timing.stop();
    }
  });
});
