/**
 * The provisioned Grafana dashboards against a real InfluxDB 1.x fed by a real gateway: every
 * panel and variable query (InfluxQL, with Grafana's macros filled in) runs without error, and the
 * headline panels (shed temperature, charging power, water use per building) return the data the
 * devices sent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { startInfluxDb, type InfluxInstance } from '../helpers/influxdb.ts';
import { testNow } from '../helpers/clock.ts';

const GRAFANA = fileURLToPath(new URL('../../dashboards/grafana/', import.meta.url));
const DB = 'weige_grafana';

interface Target {
  refId: string;
  query: string;
  datasource: { uid: string };
}
interface Panel {
  title: string;
  targets: Target[];
  datasource: { uid: string };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
}

const dashboards: Dashboard[] = readdirSync(path.join(GRAFANA, 'dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(path.join(GRAFANA, 'dashboards', f), 'utf8')) as Dashboard);

/** What Grafana substitutes before sending a query: time range, interval, chosen variable values. */
const VARIABLES: Record<string, string> = {
  kind: 'smoke_sensor',
  device: 'heat-shed-1',
  field: 'temp_c',
  meter: 'wm-B3-1-1201',
};
function expand(query: string): string {
  // Grafana sends the dashboard's range as absolute epoch-ms bounds: the last 7 days of test time.
  const to = testNow();
  return query
    .replaceAll('$timeFilter', `time >= ${to - 7 * 86_400_000}ms and time <= ${to}ms`)
    .replaceAll('$__interval', '5m')
    .replace(/\$(\w+)/g, (m, name: string) => VARIABLES[name] ?? m);
}

let influx: InfluxInstance;
let gw: TestGateway;

beforeAll(async () => {
  influx = await startInfluxDb();
  gw = await startTestGateway({ influxUrl: `${influx.url}/${DB}` });
  const now = testNow();
  const heat = await gw.connect('heat-shed-1');
  const charger = await gw.connect('charger-shed-1');
  const meter = await gw.connect('wm-B3-1-1201');
  for (let i = 0; i < 4; i += 1) {
    const ts = now - (4 - i) * 3600_000;
    await heat.publishAsync(
      'weige/heat-shed-1/telemetry',
      JSON.stringify({ ts, smoke_db_m: 0.02, temp_c: 24 + i, co_ppm: 2 }),
      { qos: 1 },
    );
    await charger.publishAsync(
      'weige/charger-shed-1/telemetry',
      JSON.stringify({
        ts,
        ports: [
          { port: 1, state: i === 3 ? 'fault' : 'charging', power_w: 150 + i, temp_c: 30 + i },
          { port: 2, state: 'charging', power_w: 120 },
        ],
      }),
      { qos: 1 },
    );
    await meter.publishAsync(
      'weige/wm-B3-1-1201/telemetry',
      JSON.stringify({ ts, total_m3: 100 + i * 0.02, battery_pct: 90 }),
      { qos: 1 },
    );
  }
  await eventually(async () => {
    const r = await influx.query(DB, 'SELECT count("total_m3") FROM "water_meter"');
    return Number(r.results[0]?.series?.[0]?.values[0]?.[1] ?? 0) === 4;
  }, 10_000);
});

afterAll(async () => {
  await gw?.stop();
  await influx?.stop();
});

describe('Grafana provisioning', () => {
  it('provisions the InfluxDB data source every panel uses, and a file provider for the dashboards', () => {
    const ds = parse(readFileSync(path.join(GRAFANA, 'provisioning/datasources/influxdb.yaml'), 'utf8')) as {
      datasources: { uid: string; type: string; database: string }[];
    };
    const provider = parse(
      readFileSync(path.join(GRAFANA, 'provisioning/dashboards/weige.yaml'), 'utf8'),
    ) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(ds.datasources[0]).toMatchObject({ uid: 'weige-influx', type: 'influxdb', database: 'weige' });
    expect(provider.providers[0]).toMatchObject({
      type: 'file',
      options: { path: '/var/lib/grafana/dashboards' },
    });
    expect(dashboards.map((d) => d.uid).sort()).toEqual(['weige-devices', 'weige-sheds', 'weige-water']);
    for (const d of dashboards)
      for (const p of d.panels) {
        expect(p.datasource.uid, `${d.uid} / ${p.title}`).toBe('weige-influx');
        for (const t of p.targets) expect(t.datasource.uid).toBe('weige-influx');
      }
  });

  it('runs every panel and variable query against InfluxDB without error', async () => {
    const queries = dashboards.flatMap((d) => [
      ...d.panels.flatMap((p) =>
        p.targets.map((t) => [`${d.uid} / ${p.title} / ${t.refId}`, t.query] as const),
      ),
      ...d.templating.list
        .filter((v) => v.type === 'query')
        .map((v) => [`${d.uid} / $${v.name}`, v.query] as const),
    ]);
    expect(queries.length).toBeGreaterThan(20);
    for (const [where, q] of queries) {
      const res = await influx.query(DB, expand(q));
      expect(res.results[0]?.error, `${where}: ${expand(q)}`).toBeUndefined();
    }
  });

  it('shows shed temperature, charging power, port faults and water use per building from the readings sent', async () => {
    const run = async (uid: string, title: RegExp, ref = 'A') => {
      const panel = dashboards.find((d) => d.uid === uid)!.panels.find((p) => title.test(p.title))!;
      const res = await influx.query(DB, expand(panel.targets.find((t) => t.refId === ref)!.query));
      return (res.results[0]?.series ?? []).map((s) => ({
        tags: (s as { tags?: Record<string, string> }).tags ?? {},
        values: s.values.map((v) => v[1]).filter((v) => v !== null),
      }));
    };
    const temps = await run('weige-sheds', /Shed temperature/);
    expect(temps.find((s) => s.tags.device === 'heat-shed-1')?.values).toEqual([24, 25, 26, 27]);
    const power = await run('weige-sheds', /Charging power/);
    expect(power.find((s) => s.tags.device === 'charger-shed-1')?.values).toEqual([270, 271, 272, 273]);
    const faults = await run('weige-sheds', /fault/);
    expect(faults).toEqual([{ tags: { device: 'charger-shed-1', port: '1' }, values: [1] }]);
    // Building 3's meters: 20 litres an hour after the first reading.
    const b3 = await run('weige-water', /per building/, 'C');
    const used = b3[0]!.values.map((v) => Math.round(Number(v) * 1000));
    expect(used.filter((v) => v > 0)).toEqual([20, 20, 20]);
  });
});
