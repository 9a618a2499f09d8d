/**
 * Fuzz: thousands of random, truncated, mutated and hostile payloads on every device stream and
 * on random topics, over real MQTT. The gateway must stay up, account for every message (accepted,
 * duplicate or dead-lettered) and still accept good data afterwards.
 */
import { describe, expect, it } from 'vitest';
import { testNow } from '../../helpers/clock.ts';
import { startTestGateway } from '../../helpers/gateway.ts';
import { scrapeMetrics } from '../../helpers/metrics.ts';

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  { ts: 0, total_m3: 1 },
  { readings: [{ ts: 0, total_m3: 1 }] },
  { ts: 0, smoke_db_m: 0.1, temp_c: 20, co_ppm: 3 },
  { ts: 0, ports: [{ port: 1, state: 'charging', power_w: 100 }] },
  { ts: 0, type: 'falling_object', confidence: 0.9, bbox: [1, 2, 3, 4] },
  {
    track_id: 't',
    start_ts: 0,
    fps: 25,
    frame: { w: 10, h: 10 },
    points: [
      [0, 1, 1, 1, 1],
      [1, 2, 2, 1, 1],
    ],
  },
  { id: 'c', ok: true },
  { meterNo: 'wm-B1-1-201', startTime: '20261122000000', intervalMin: 60, cumulativeL: [1, 2] },
];
const HOSTILE_VALUES: unknown[] = [
  null,
  -1,
  1e308,
  -1e308,
  '',
  'x'.repeat(300),
  [],
  {},
  true,
  '__proto__',
  { __proto__: { polluted: 1 } },
  Number.MAX_SAFE_INTEGER,
  '2026-13-45T99:99:99+08:00',
  'NaN',
  // JSON literals JSON.stringify cannot write (they parse as ±Infinity), spliced in by `render`.
  rawLiteral('1e309'),
  rawLiteral('-1e309'),
  rawLiteral(`1${'0'.repeat(400)}`),
  // Epoch milliseconds beyond the Date range (±8.64e15), and the huge finite number before it.
  9e15,
  -9e15,
  8_640_000_000_000_001,
  1e300,
];

function rawLiteral(text: string): string {
  return `@@raw:${text}@@`;
}

/** JSON text of a fuzzed value, with the raw literals in place. */
function render(value: unknown): string {
  return JSON.stringify(value).replace(/"@@raw:([^@]+)@@"/g, '$1');
}

function mutate(value: unknown, r: () => number, depth = 0): unknown {
  if (depth > 4 || r() < 0.15) return HOSTILE_VALUES[Math.floor(r() * HOSTILE_VALUES.length)];
  if (Array.isArray(value)) return r() < 0.2 ? [] : value.map((v) => mutate(v, r, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (r() < 0.1) continue;
      out[r() < 0.05 ? `${k}_x` : k] = r() < 0.5 ? mutate(v, r, depth + 1) : v;
    }
    if (r() < 0.1)
      Object.defineProperty(out, 'constructor', {
        value: { prototype: { polluted: true } },
        enumerable: true,
      });
    return out;
  }
  if (typeof value === 'number') return r() < 0.5 ? value : testNow() + (r() - 0.5) * 1e10;
  return value;
}

describe('fuzzing ingest', () => {
  it('survives 3000 hostile messages, accounts for each, and keeps working', async () => {
    const gw = await startTestGateway({ maxPayloadBytes: 2048 });
    try {
      const r = rng(1234);
      const sim = await gw.connect('simulator');
      const devices = [
        'wm-B3-1-1201',
        'smoke-shed-1',
        'charger-shed-1',
        'cam-b3-east',
        'charger-shed-2',
        'smoke-shed-3',
        'cam-b11-south',
        'nope',
      ];
      const streams = ['telemetry', 'event', 'track', 'status', 'command/result'];
      const N = 3000;
      for (let i = 0; i < N; i++) {
        const kind = r();
        let payload: Buffer;
        if (kind < 0.1)
          payload = Buffer.from(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
        else if (kind < 0.2)
          payload = Buffer.from(
            JSON.stringify(SEEDS[Math.floor(r() * SEEDS.length)]).slice(0, Math.floor(r() * 40)),
          );
        else if (kind < 0.25) payload = Buffer.alloc(2049 + Math.floor(r() * 4000), 0x7b);
        else payload = Buffer.from(render(mutate(SEEDS[Math.floor(r() * SEEDS.length)], r)));
        const device = devices[Math.floor(r() * devices.length)]!;
        const topic =
          r() < 0.08
            ? `vendor/sanchuan/${device}/up`
            : `weige/${device}/${streams[Math.floor(r() * streams.length)]}`;
        sim.publish(topic, payload, { qos: r() < 0.5 ? 1 : 0 });
      }
      await sim.publishAsync(
        'weige/smoke-shed-1/telemetry',
        JSON.stringify({ ts: testNow() - 1000, temp_c: 21.5 }),
        { qos: 1 },
      );
      const metrics = await (await fetch(`${gw.http}/metrics`)).text();
      const sum = (name: string): number =>
        [...metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))].reduce(
          (acc, m) => acc + Number(m[1]),
          0,
        );
      expect(sum('weige_messages_received_total')).toBe(N + 1);
      // Each message is accepted or has at least one rejection (batches may split).
      expect(
        sum('weige_messages_accepted_total') + sum('weige_messages_rejected_total'),
      ).toBeGreaterThanOrEqual(N + 1);
      expect(sum('weige_messages_rejected_total')).toBeGreaterThan(N / 2);
      expect(Object.prototype).not.toHaveProperty('polluted');
      const res = await gw.api<Array<{ values: Record<string, number> }>>(
        'GET',
        '/api/devices/smoke-shed-1/readings?order=desc&limit=1',
        { user: 'engineer' },
      );
      expect(res.body[0]!.values.temp_c).toBe(21.5);
      expect((await fetch(`${gw.http}/healthz`)).status).toBe(200);
    } finally {
      await gw.stop();
    }
  });

  it('gives non-finite numbers and out-of-range timestamps their own reasons, and poisons nothing', async () => {
    const gw = await startTestGateway();
    try {
      const meter = 'wm-B3-1-101';
      const t0 = testNow() - 3 * 3600_000;
      const client = await gw.connect('simulator');
      const send = (topic: string, json: string): Promise<unknown> =>
        client.publishAsync(topic, json, { qos: 1 });
      await send(`weige/${meter}/telemetry`, `{"ts":${t0},"total_m3":100}`);

      const hostile: Array<[topic: string, json: string, reason: string]> = [
        [`weige/${meter}/telemetry`, `{"ts":${t0 + 60_000},"total_m3":1e309}`, 'non_finite_number'],
        [`weige/${meter}/telemetry`, `{"ts":${t0 + 60_000},"total_m3":-1e309}`, 'non_finite_number'],
        [
          `weige/${meter}/telemetry`,
          `{"readings":[{"ts":${t0 + 60_000},"total_m3":1e400}]}`,
          'non_finite_number',
        ],
        [`weige/${meter}/telemetry`, `{"ts":1e309,"total_m3":101}`, 'non_finite_number'],
        ['weige/smoke-shed-1/telemetry', `{"ts":${t0},"temp_c":1${'0'.repeat(400)}}`, 'non_finite_number'],
        [
          'weige/cam-b3-east/event',
          `{"ts":${t0},"type":"falling_object","confidence":1e309,"bbox":[1,2,3,4]}`,
          'non_finite_number',
        ],
        [
          'vendor/sanchuan/wm-B1-1-201/up',
          '{"meterNo":"wm-B1-1-201","startTime":"20260101000000","intervalMin":60,"cumulativeL":[1e309]}',
          'non_finite_number',
        ],
        [`weige/${meter}/telemetry`, '{"ts":9000000000000000,"total_m3":101}', 'timestamp_out_of_range'],
        [`weige/${meter}/telemetry`, '{"ts":8640000000000001,"total_m3":101}', 'timestamp_out_of_range'],
        [
          `weige/${meter}/telemetry`,
          '{"readings":[{"ts":1e300,"total_m3":101},{"ts":1e16,"total_m3":102}]}',
          'timestamp_out_of_range',
        ],
      ];
      for (const [topic, json] of hostile) await send(topic, json);
      // After all that, the meter's next ordinary readings are accepted: nothing was poisoned.
      await send(`weige/${meter}/telemetry`, `{"ts":${t0 + 3600_000},"total_m3":100.5}`);
      await send('weige/smoke-shed-1/telemetry', `{"ts":${t0 + 60_000},"temp_c":21.5}`);

      const letters = await gw.api<{ items: Array<{ topic: string; reason: string; detail: string }> }>(
        'GET',
        '/api/dead-letters?limit=100',
        { user: 'engineer' },
      );
      const expected = hostile.flatMap(([topic, json, reason]) =>
        // A batch dead-letters each out-of-range item on its own.
        json.startsWith('{"readings":[{"ts":1e300')
          ? [
              { topic, reason },
              { topic, reason },
            ]
          : [{ topic, reason }],
      );
      expect(letters.body.items.map(({ topic, reason }) => ({ topic, reason })).reverse()).toEqual(expected);
      expect(letters.body.items.every((l) => l.detail.length > 0 && !/\n\s+at /.test(l.detail))).toBe(true);
      const metrics = await scrapeMetrics(gw.http);
      expect(metrics.sum('weige_messages_rejected_total', { reason: 'non_finite_number' })).toBe(7);
      expect(metrics.sum('weige_messages_rejected_total', { reason: 'timestamp_out_of_range' })).toBe(4);
      expect(metrics.sum('weige_messages_rejected_total', { reason: 'internal_error' })).toBe(0);

      const readings = await gw.api<Array<{ values: Record<string, number> }>>(
        'GET',
        `/api/devices/${meter}/readings`,
        { user: 'engineer' },
      );
      expect(readings.body.map((r) => r.values.total_m3)).toEqual([100.5, 100]); // newest first
      const smoke = await gw.api<Array<{ values: Record<string, number> }>>(
        'GET',
        '/api/devices/smoke-shed-1/readings',
        { user: 'engineer' },
      );
      expect(smoke.body.map((r) => r.values.temp_c)).toEqual([21.5]);
    } finally {
      await gw.stop();
    }
  });
});
