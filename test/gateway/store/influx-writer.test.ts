/**
 * InfluxDB 1.x mirroring against a real InfluxDB 1.6: batched writes, and an outage in the middle
 * of a stream — the real influxd is killed and restarted, and every point arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { startInfluxDb, type InfluxInstance } from '../../helpers/influxdb.ts';
import { testNow } from '../../helpers/clock.ts';

let influx: InfluxInstance;
let gw: TestGateway;

beforeAll(async () => {
  influx = await startInfluxDb();
  gw = await startTestGateway({ influxUrl: `${influx.url}/weige_test` });
});
afterAll(async () => {
  await gw?.stop();
  await influx?.stop();
});

async function countPoints(measurement: string, device: string): Promise<number> {
  const res = await influx.query(
    'weige_test',
    `SELECT COUNT(temp_c) FROM ${measurement} WHERE device = '${device}'`,
  );
  return Number(res.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
}

describe('InfluxDB writer', () => {
  it('writes readings as points: measurement = device kind, tags site/device/port, fields = values and labels', async () => {
    const charger = await gw.connect('charger-shed-1');
    const ts = testNow() - 5000;
    await charger.publishAsync(
      'weige/charger-shed-1/telemetry',
      JSON.stringify({ ts, ports: [{ port: 7, state: 'charging', power_w: 180, temp_c: 33.5 }] }),
      { qos: 1 },
    );
    const res = await eventually(async () => {
      const r = await influx.query(
        'weige_test',
        `SELECT * FROM charging_controller WHERE device = 'charger-shed-1'`,
      );
      return r.results[0]?.series?.[0] ? r : null;
    }, 10_000);
    const series = res.results[0]!.series![0]!;
    const row = Object.fromEntries(series.columns.map((c, i) => [c, series.values[0]![i]]));
    // InfluxDB trims trailing zeros from RFC 3339 fractions (…34.960Z → …34.96Z): compare instants.
    expect(Date.parse(String(row['time']))).toBe(ts);
    expect(row).toMatchObject({
      site: 'chunjiang',
      device: 'charger-shed-1',
      port: '7',
      power_w: 180,
      temp_c: 33.5,
      state: 'charging',
    });
  });

  it('spools while InfluxDB is down and replays every point, in order, when it returns', async () => {
    const sensor = await gw.connect('smoke-shed-1');
    const base = testNow() - 600_000;
    const publish = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i++)
        await sensor.publishAsync(
          'weige/smoke-shed-1/telemetry',
          JSON.stringify({ ts: base + i * 1000, temp_c: 20 + i / 100, smoke_db_m: 0.01 }),
          { qos: 1 },
        );
    };
    await publish(0, 100);
    await eventually(async () => (await countPoints('smoke_sensor', 'smoke-shed-1')) === 100, 10_000);

    await influx.kill();
    await publish(100, 250);
    const writer = gw.gateway.influxWriter!;
    await eventually(() => writer.spoolDepth() >= 150, 10_000);
    await eventually(
      async () =>
        /weige_influx_write_failures_total [1-9]/.test(await (await fetch(`${gw.http}/metrics`)).text()),
      10_000,
    );
    expect(await (await fetch(`${gw.http}/metrics`)).text()).toMatch(/weige_influx_spool_depth [1-9]/);

    await influx.restart();
    await eventually(async () => (await countPoints('smoke_sensor', 'smoke-shed-1')) === 250, 45_000, 250);
    expect(writer.spoolDepth()).toBe(0);
    const first = await influx.query(
      'weige_test',
      `SELECT temp_c FROM smoke_sensor WHERE device = 'smoke-shed-1' ORDER BY time ASC LIMIT 1`,
    );
    expect(first.results[0]!.series![0]!.values[0]![1]).toBe(20);
  });

  it('resumes from its cursor after a gateway restart without losing or resending the backlog', async () => {
    await influx.kill();
    const sensor = await gw.connect('heat-shed-1');
    const base = testNow() - 300_000;
    for (let i = 0; i < 40; i++)
      await sensor.publishAsync(
        'weige/heat-shed-1/telemetry',
        JSON.stringify({ ts: base + i * 1000, temp_c: 30 }),
        { qos: 1 },
      );
    const dataDir = gw.dataDir;
    await gw.stop({ keepData: true });
    await influx.restart();
    gw = await startTestGateway({ dataDir, influxUrl: `${influx.url}/weige_test` });
    await eventually(async () => (await countPoints('smoke_sensor', 'heat-shed-1')) === 40, 30_000, 250);
    expect(gw.gateway.influxWriter!.spoolDepth()).toBe(0);
  });
});
