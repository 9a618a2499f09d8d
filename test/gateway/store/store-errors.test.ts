/**
 * A store that stops taking writes for another reason than space (issue 14: "in every failure of
 * the store"): the real SQLite database is switched to query-only, so every write fails with
 * SQLITE_READONLY. The device-health save timer hits it first — it once took the process down
 * with an uncaught SQLITE_FULL — and must not; device messages are refused, /healthz says why, and
 * the store probes its way back once writes work again.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../gateway/src/core/clock.ts';
import { testNow } from '../../helpers/clock.ts';
import { eventually, startTestGateway } from '../../helpers/gateway.ts';
import { scrapeMetrics } from '../../helpers/metrics.ts';

describe('a store that refuses writes', () => {
  it('degrades, refuses device messages without PUBACK, survives its timers, and recovers', async () => {
    const clock = new ManualClock(testNow());
    const gw = await startTestGateway({}, { clock });
    try {
      const db = gw.gateway.ctx.stores.db;
      const sensor = await gw.connect('smoke-shed-1');
      await sensor.publishAsync(
        'weige/smoke-shed-1/telemetry',
        JSON.stringify({ ts: clock.now() - 1000, temp_c: 20 }),
        { qos: 1 },
      );

      db.pragma('query_only = ON');
      clock.advance(10_000); // the device-health save is due, and fails
      expect(gw.gateway.storeHealth.writable).toBe(false);
      const health = (await (await fetch(`${gw.http}/healthz`)).json()) as {
        status: string;
        problems: Array<{ component: string; reason: string }>;
      };
      expect(health.status).toBe('degraded');
      expect(health.problems).toEqual([expect.objectContaining({ component: 'store', reason: 'read_only' })]);
      expect(
        (await scrapeMetrics(gw.http)).sum('weige_store_failures_total', { problem: 'read_only' }),
      ).toBeGreaterThanOrEqual(1);

      const gone = new Promise<void>((resolve) => sensor.once('close', () => resolve()));
      let acked = false;
      sensor.publish(
        'weige/smoke-shed-1/telemetry',
        JSON.stringify({ ts: clock.now() - 500, temp_c: 21 }),
        { qos: 1 },
        () => (acked = true),
      );
      await gone;
      expect(acked).toBe(false);

      db.pragma('query_only = OFF');
      await eventually(() => {
        clock.advance(1000); // the store's sampling timer probes with a real write
        return gw.gateway.storeHealth.writable;
      });
      clock.advance(10_000); // the health state kept in memory is saved now
      const saved = db
        .prepare("SELECT last_seen FROM device_health WHERE device_id = 'smoke-shed-1'")
        .get() as { last_seen: number } | undefined;
      expect(saved?.last_seen).toBeGreaterThan(0);
      const again = await gw.connect('smoke-shed-1');
      await again.publishAsync(
        'weige/smoke-shed-1/telemetry',
        JSON.stringify({ ts: clock.now() - 100, temp_c: 22 }),
        { qos: 1 },
      );
      const readings = await gw.api<Array<{ values: { temp_c: number } }>>(
        'GET',
        '/api/devices/smoke-shed-1/readings',
        { user: 'engineer' },
      );
      expect(readings.body.map((r) => r.values.temp_c)).toEqual([22, 20]); // newest first
    } finally {
      await gw.stop();
    }
  });
});
