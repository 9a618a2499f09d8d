/**
 * Fuzz: thousands of random, truncated, mutated and hostile payloads on every device stream and
 * on random topics, over real MQTT. The gateway must stay up, account for every message (accepted,
 * duplicate or dead-lettered) and still accept good data afterwards.
 */
import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../../helpers/gateway.ts';
import { testNow } from '../../helpers/clock.ts';

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
];

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
        else payload = Buffer.from(JSON.stringify(mutate(SEEDS[Math.floor(r() * SEEDS.length)], r)));
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
});
