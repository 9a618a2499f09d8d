/**
 * Ingest over real MQTT into a real gateway (embedded aedes over TCP, SQLite on disk, HTTP API):
 * every kind of bad input gets its defined outcome, good input comes back through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { testNow } from '../../helpers/clock.ts';

interface DeadLetters {
  counts: Record<string, number>;
  items: Array<{
    reason: string;
    detail: string;
    topic: string;
    deviceId: string | null;
    payload: string;
    payloadBytes: number;
  }>;
}
interface ApiReading {
  ts: string;
  port: number | null;
  values: Record<string, number>;
  labels: Record<string, string>;
}

const METER = 'wm-B3-1-1201';
const SMOKE = 'smoke-shed-1';
const hoursAgo = (h: number): string => new Date(testNow() - h * 3600_000).toISOString();

let gw: TestGateway;
let meter: MqttClient;
let sim: MqttClient;

beforeAll(async () => {
  gw = await startTestGateway({ maxPayloadBytes: 4096 });
  meter = await gw.connect(METER);
  sim = await gw.connect('simulator');
});
afterAll(async () => gw.stop());

const readings = async (deviceId: string, query = ''): Promise<ApiReading[]> =>
  (await gw.api<ApiReading[]>('GET', `/api/devices/${deviceId}/readings${query}`, { user: 'engineer' })).body;

async function deadLetter(reason: string, deviceId?: string): Promise<DeadLetters['items'][number]> {
  return eventually(async () => {
    const q = `?reason=${reason}${deviceId ? `&deviceId=${deviceId}` : ''}`;
    return (await gw.api<DeadLetters>('GET', `/api/dead-letters${q}`, { user: 'engineer' })).body.items[0];
  });
}

describe('ingest over MQTT', () => {
  it('stores canonical telemetry and serves it back by event time', async () => {
    await meter.publishAsync(
      `weige/${METER}/telemetry`,
      JSON.stringify({ ts: hoursAgo(2), total_m3: 10.5, battery_pct: 91 }),
      { qos: 1 },
    );
    // QoS 1 is acknowledged only after the store commit, so the reading is there now.
    const stored = await readings(METER);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ values: { total_m3: 10.5, battery_pct: 91 }, port: null });
  });

  it('announces a reading on the bus only after its commit, outside any transaction', async () => {
    const { ctx } = gw.gateway;
    const inTransaction: boolean[] = [];
    let releaseListener = (): void => undefined;
    const listenerRan = new Promise<void>((resolve) => (releaseListener = resolve));
    const off = ctx.bus.on('readingAccepted', (r) => {
      if (r.deviceId !== SMOKE) return;
      inTransaction.push(ctx.stores.db.inTransaction);
      releaseListener();
    });
    try {
      await sim.publishAsync(`weige/${SMOKE}/telemetry`, JSON.stringify({ ts: hoursAgo(3), temp_c: 21 }), {
        qos: 1,
      });
      await listenerRan;
    } finally {
      off();
    }
    expect(inTransaction).toEqual([false]);
  });

  it('accepts an out-of-order batch, stores it sorted, and de-duplicates a resend', async () => {
    const batch = {
      readings: [
        { ts: hoursAgo(5), total_m3: 10.2 },
        { ts: hoursAgo(4), total_m3: 10.3 },
        { ts: hoursAgo(6), total_m3: 10.1 },
      ],
      battery_pct: 90,
    };
    await meter.publishAsync(`weige/${METER}/telemetry`, JSON.stringify(batch), { qos: 1 });
    await meter.publishAsync(`weige/${METER}/telemetry`, JSON.stringify(batch), { qos: 1 });
    const stored = await readings(METER, '?order=asc');
    expect(stored.map((r) => r.values.total_m3)).toEqual([10.1, 10.2, 10.3, 10.5]);
    const metrics = await (await fetch(`${gw.http}/metrics`)).text();
    expect(metrics).toMatch(/weige_duplicates_total 3/);
  });

  it('rejects a register that runs backwards against stored neighbours, keeping the rest of the batch', async () => {
    const batch = {
      readings: [
        { ts: hoursAgo(3), total_m3: 9.0 },
        { ts: hoursAgo(1), total_m3: 10.6 },
      ],
    };
    await meter.publishAsync(`weige/${METER}/telemetry`, JSON.stringify(batch), { qos: 1 });
    const dl = await deadLetter('counter_regression', METER);
    expect(dl.detail).toMatch(/total_m3 9 .* is below 10.3/);
    expect((await readings(METER, '?order=asc')).map((r) => r.values.total_m3)).toEqual([
      10.1, 10.2, 10.3, 10.5, 10.6,
    ]);
  });

  it('serves the newest readings first and pages on with the Link header, either way', async () => {
    expect((await readings(METER)).map((r) => r.values.total_m3)).toEqual([10.6, 10.5, 10.3, 10.2, 10.1]);
    const pages = async (first: string): Promise<number[][]> => {
      const out: number[][] = [];
      for (let url: string | null = first; url;) {
        const res: { status: number; body: ApiReading[]; headers: Headers } = await gw.api<ApiReading[]>(
          'GET',
          url,
          { user: 'engineer' },
        );
        expect(res.status).toBe(200);
        out.push(res.body.map((r) => r.values.total_m3!));
        url = /^<([^>]+)>; rel="next"$/.exec(String(res.headers.get('link') ?? ''))?.[1] ?? null;
      }
      return out;
    };
    expect(await pages(`/api/devices/${METER}/readings?limit=2`)).toEqual([
      [10.6, 10.5],
      [10.3, 10.2],
      [10.1],
    ]);
    expect(await pages(`/api/devices/${METER}/readings?limit=2&order=asc`)).toEqual([
      [10.1, 10.2],
      [10.3, 10.5],
      [10.6],
    ]);
    // Exactly one page: no Link to an empty one.
    expect(await pages(`/api/devices/${METER}/readings?limit=5`)).toHaveLength(1);
  });

  it('refuses a cursor that is not one', async () => {
    const res = await gw.api<{ error: { message: string } }>(
      'GET',
      `/api/devices/${METER}/readings?cursor=yesterday`,
      {
        user: 'engineer',
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/querystring\/cursor must match pattern/);
  });

  it('filters readings by time range', async () => {
    const stored = await readings(
      METER,
      `?from=${encodeURIComponent(hoursAgo(4.5))}&to=${encodeURIComponent(hoursAgo(3.5))}`,
    );
    expect(stored.map((r) => r.values.total_m3)).toEqual([10.3]);
  });

  it('decodes a vendor topic (Sanchuan NB-IoT daily batch) into canonical readings', async () => {
    const nbMeter = 'wm-B1-1-201';
    const start = new Date(testNow() - 26 * 3600_000);
    const local =
      new Date(start.getTime() + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 10) + '0000';
    const client = await gw.connect(nbMeter);
    const cumulativeL = Array.from({ length: 24 }, (_, i) => 5000 + i * 7);
    await client.publishAsync(
      `vendor/sanchuan/${nbMeter}/up`,
      JSON.stringify({ meterNo: nbMeter, startTime: local, intervalMin: 60, cumulativeL, batteryV: 3.45 }),
      { qos: 1 },
    );
    const stored = await readings(nbMeter, '?order=asc');
    expect(stored).toHaveLength(24);
    expect(stored[0]!.values.total_m3).toBe(5);
    expect(stored[23]!.values).toEqual({ total_m3: 5.161, battery_pct: 75 });
  });

  it('stores charging-controller ports as separate series', async () => {
    const charger = await gw.connect('charger-shed-1');
    await charger.publishAsync(
      'weige/charger-shed-1/telemetry',
      JSON.stringify({
        ts: hoursAgo(0.1),
        ports: [
          { port: 1, state: 'charging', power_w: 180, temp_c: 31 },
          { port: 2, state: 'idle' },
        ],
      }),
      { qos: 1 },
    );
    expect((await readings('charger-shed-1', '?port=1')).map((r) => r.labels.state)).toEqual(['charging']);
    expect(await readings('charger-shed-1')).toHaveLength(2);
    // Ports of one message share a timestamp: the cursor holds the port too, so paging loses none.
    const first = await gw.api<ApiReading[]>('GET', '/api/devices/charger-shed-1/readings?limit=1', {
      user: 'engineer',
    });
    const next = /^<([^>]+)>; rel="next"$/.exec(String(first.headers.get('link')))![1]!;
    const second = await gw.api<ApiReading[]>('GET', next, { user: 'engineer' });
    expect([...first.body, ...second.body].map((r) => r.port)).toEqual([2, 1]);
    expect(second.headers.get('link')).toBeNull();
  });

  it.each([
    ['malformed_json', `weige/${SMOKE}/telemetry`, '{"ts": 1763766000000, "temp_c": '],
    ['schema_violation', `weige/${SMOKE}/telemetry`, JSON.stringify({ ts: testNow(), temp_c: 'hot' })],
    ['schema_violation', `weige/${SMOKE}/telemetry`, JSON.stringify({ ts: testNow() })],
    [
      'bad_timestamp',
      `weige/${SMOKE}/telemetry`,
      JSON.stringify({ ts: Math.floor(testNow() / 1000), temp_c: 20 }),
    ],
    ['bad_timestamp', `weige/${SMOKE}/telemetry`, JSON.stringify({ ts: '2026-11-22 07:00:00', temp_c: 20 })],
    [
      'future_timestamp',
      `weige/${SMOKE}/telemetry`,
      JSON.stringify({ ts: testNow() + 3600_000, temp_c: 20 }),
    ],
    ['too_late', `weige/${SMOKE}/telemetry`, JSON.stringify({ ts: testNow() - 90 * 86400_000, temp_c: 20 })],
    [
      'payload_too_large',
      `weige/${SMOKE}/telemetry`,
      JSON.stringify({ ts: testNow(), temp_c: 20, pad_x: 'x'.repeat(5000) }),
    ],
    ['unknown_device', 'weige/no-such-device/telemetry', JSON.stringify({ ts: testNow(), temp_c: 20 })],
  ])('dead-letters %s with the reason and the payload', async (reason, topic, payload) => {
    await sim.publishAsync(topic, payload, { qos: 1 });
    const dl = await eventually(async () => {
      const body = (
        await gw.api<DeadLetters>('GET', `/api/dead-letters?reason=${reason}&limit=50`, { user: 'engineer' })
      ).body;
      return body.items.find((i) => i.topic === topic && i.payloadBytes === Buffer.byteLength(payload));
    });
    expect(dl.detail.length).toBeGreaterThan(5);
    expect(dl.payload.length).toBeGreaterThan(0);
  });

  it('counts rejections by reason in /metrics', async () => {
    const metrics = await (await fetch(`${gw.http}/metrics`)).text();
    for (const reason of [
      'malformed_json',
      'schema_violation',
      'bad_timestamp',
      'future_timestamp',
      'too_late',
      'payload_too_large',
      'unknown_device',
      'counter_regression',
    ])
      expect(metrics).toMatch(new RegExp(`weige_messages_rejected_total\\{reason="${reason}"\\} [1-9]`));
  });

  it('shows nothing of dead letters to a grid worker', async () => {
    expect((await gw.api('GET', '/api/dead-letters', { user: 'mg1-worker-a' })).status).toBe(403);
  });

  it('accepts MQTT over WebSocket at /mqtt', async () => {
    const { default: mqtt } = await import('mqtt');
    const ws = await mqtt.connectAsync(`ws://127.0.0.1:${gw.gateway.httpPort}/mqtt`, {
      username: SMOKE,
      password: 'weige-device',
      clientId: SMOKE,
      reconnectPeriod: 0,
    });
    await ws.publishAsync(
      `weige/${SMOKE}/telemetry`,
      JSON.stringify({ ts: hoursAgo(0.2), smoke_db_m: 0.01, temp_c: 21 }),
      { qos: 1 },
    );
    await ws.endAsync();
    expect((await readings(SMOKE)).map((r) => r.values.temp_c)).toContain(21);
  });

  it('keeps readings and runtime-registered devices across a restart', async () => {
    const created = await gw.api('POST', '/api/devices', {
      user: 'engineer',
      body: { id: 'smoke-garbage-1', kind: 'smoke_sensor', place: 'garbage-1', reportIntervalS: 60 },
    });
    expect(created.status).toBe(201);
    const dup = await gw.api('POST', '/api/devices', {
      user: 'engineer',
      body: { id: 'smoke-garbage-1', kind: 'smoke_sensor' },
    });
    expect(dup.status).toBe(409);
    const badPlace = await gw.api<{ error: { message: string } }>('POST', '/api/devices', {
      user: 'engineer',
      body: { id: 'x-1', kind: 'smoke_sensor', place: 'nowhere' },
    });
    expect(badPlace.status).toBe(400);
    expect(badPlace.body.error.message).toMatch(/place 'nowhere'/);
    const dataDir = gw.dataDir;
    await gw.stop({ keepData: true });
    gw = await startTestGateway({ dataDir, maxPayloadBytes: 4096 });
    expect((await gw.api('GET', '/api/devices/smoke-garbage-1', { user: 'engineer' })).status).toBe(200);
    expect(await readings(METER)).toHaveLength(5);
    const client = await gw.connect('smoke-garbage-1');
    await client.publishAsync(
      'weige/smoke-garbage-1/telemetry',
      JSON.stringify({ ts: testNow(), temp_c: 19 }),
      { qos: 1 },
    );
    expect(await readings('smoke-garbage-1')).toHaveLength(1);
  });
});
