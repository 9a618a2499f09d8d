/**
 * /healthz and /metrics while a real InfluxDB is killed (issue 14): the gateway says degraded
 * with the reason while InfluxDB is unreachable, weige_influx_spool_depth is exact at every
 * scrape (not as of the last flush), and both recover when InfluxDB returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testNow } from '../../helpers/clock.ts';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { startInfluxDb, type InfluxInstance } from '../../helpers/influxdb.ts';
import { scrapeMetrics } from '../../helpers/metrics.ts';

interface Health {
  status: string;
  problems: Array<{ component: string; reason: string }>;
}

let influx: InfluxInstance;
let gw: TestGateway;

beforeAll(async () => {
  influx = await startInfluxDb();
  gw = await startTestGateway({ influxUrl: `${influx.url}/weige_health` });
});
afterAll(async () => {
  await gw?.stop();
  await influx?.stop();
});

const health = async (): Promise<Health> => (await (await fetch(`${gw.http}/healthz`)).json()) as Health;
const spoolDepth = async (): Promise<number> =>
  (await scrapeMetrics(gw.http)).sum('weige_influx_spool_depth');

describe('health while InfluxDB is down', () => {
  it('says degraded, counts the spool exactly, and recovers', async () => {
    const sensor = await gw.connect('smoke-shed-2');
    const base = testNow() - 600_000;
    const publish = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i++)
        await sensor.publishAsync(
          'weige/smoke-shed-2/telemetry',
          JSON.stringify({ ts: base + i * 1000, temp_c: 20, smoke_db_m: 0.01 }),
          { qos: 1 },
        );
    };
    await publish(0, 20);
    await eventually(async () => (await spoolDepth()) === 0, 10_000);
    expect(await health()).toMatchObject({ status: 'ok', problems: [] });

    await influx.kill();
    await eventually(async () => (await health()).status === 'degraded', 15_000);
    expect((await health()).problems).toEqual([
      expect.objectContaining({ component: 'influx', reason: 'unreachable' }),
    ]);
    // Each acknowledged reading is in the spool the moment it is stored.
    for (let n = 1; n <= 3; n++) {
      await publish(20 + (n - 1) * 10, 20 + n * 10);
      expect(await spoolDepth()).toBe(n * 10);
    }

    await influx.restart();
    await eventually(async () => (await spoolDepth()) === 0, 45_000, 250);
    await eventually(async () => (await health()).status === 'ok', 10_000);
  }, 90_000);
});
