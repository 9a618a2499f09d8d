/**
 * Durability of ingest: the gateway process is SIGKILLed in the middle of a QoS 1 burst. Every
 * message the broker acknowledged must be in the store after a restart (PUBACK = committed).
 */
import { describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { makeDataDir, startTestGateway } from '../../helpers/gateway.ts';
import { spawnGateway } from '../../helpers/gateway-process.ts';
import { testNow } from '../../helpers/clock.ts';

describe('ingest across a crash', () => {
  it('loses no acknowledged reading when killed with SIGKILL mid-burst', async () => {
    const dataDir = makeDataDir();
    const proc = await spawnGateway({ WEIGE_DATA_DIR: dataDir });
    const device = 'wm-B11-1-501';
    const client = await mqtt.connectAsync(proc.mqttUrl, {
      username: device,
      password: 'weige-device',
      clientId: device,
      reconnectPeriod: 0,
    });
    client.on('error', () => undefined);
    const acked: number[] = [];
    const base = testNow() - 7 * 86400_000;
    let killed = false;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 30_000; i++) {
      const ts = base + i * 10_000;
      sends.push(
        client
          .publishAsync(`weige/${device}/telemetry`, JSON.stringify({ ts, total_m3: 1 + i / 1000 }), {
            qos: 1,
          })
          .then(
            () => {
              acked.push(ts);
              if (acked.length === 400 && !killed) {
                killed = true;
                void proc.kill();
              }
            },
            () => undefined,
          ),
      );
    }
    // Unacknowledged publishes never settle once the broker is gone; the connection closing is the end.
    await Promise.race([
      Promise.allSettled(sends),
      new Promise<void>((r) => client.once('close', () => r())),
    ]);
    await proc.kill();
    client.end(true);
    expect(killed).toBe(true);
    expect(acked.length).toBeGreaterThanOrEqual(400);
    expect(acked.length).toBeLessThan(30_000);

    const gw = await startTestGateway({ dataDir });
    try {
      const res = await gw.api<Array<{ ts: string }>>('GET', `/api/devices/${device}/readings?limit=5000`, {
        user: 'engineer',
      });
      const stored = new Set(res.body.map((r) => Date.parse(r.ts)));
      const lost = acked.filter((ts) => !stored.has(ts));
      expect(lost).toEqual([]);
    } finally {
      await gw.stop();
    }
  }, 120_000); // two gateway starts and a 30k-message burst: generous under a loaded CI machine
});
