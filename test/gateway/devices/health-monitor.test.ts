/** Device health on an injectable clock: silence past the expected interval, wills, battery, restart. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../gateway/src/core/clock.ts';
import { OFFLINE_AFTER_INTERVALS } from '../../../gateway/src/devices/health-monitor.ts';
import { startTestGateway } from '../../helpers/gateway.ts';
import { testNow } from '../../helpers/clock.ts';
import type { DeviceHealth } from '../../../gateway/src/contracts/events.ts';

describe('device health', () => {
  it('marks a device offline after 2.5× its interval of silence, and online when it reports again', async () => {
    const clock = new ManualClock(testNow());
    const gw = await startTestGateway({}, { clock });
    try {
      const changes: DeviceHealth[] = [];
      gw.gateway.ctx.bus.on('deviceHealthChanged', (h) => changes.push(h));
      const sensor = await gw.connect('smoke-shed-1'); // reportIntervalS: 60
      await sensor.publishAsync(
        'weige/smoke-shed-1/telemetry',
        JSON.stringify({ ts: clock.now() - 1000, temp_c: 20, battery_pct: 17 }),
        { qos: 1 },
      );
      expect(gw.gateway.ctx.health.get('smoke-shed-1')).toMatchObject({ status: 'online', batteryPct: 17 });

      clock.advance(60_000 * OFFLINE_AFTER_INTERVALS - 30_000);
      expect(gw.gateway.ctx.health.get('smoke-shed-1').status).toBe('online');
      clock.advance(60_000);
      expect(gw.gateway.ctx.health.get('smoke-shed-1')).toMatchObject({ status: 'offline', cause: 'silent' });

      await sensor.publishAsync(
        'weige/smoke-shed-1/telemetry',
        JSON.stringify({ ts: clock.now() - 1000, temp_c: 20 }),
        { qos: 1 },
      );
      expect(gw.gateway.ctx.health.get('smoke-shed-1')).toMatchObject({ status: 'online', batteryPct: 17 });
      expect(changes.map((c) => c.status)).toEqual(['online', 'offline', 'online']);

      // Never-seen devices are unknown, not offline: a new site does not start with 400 alarms.
      expect(gw.gateway.ctx.health.get('smoke-shed-2').status).toBe('unknown');
      const listed = await gw.api<Array<{ id: string; health: { status: string } }>>(
        'GET',
        '/api/devices?status=online',
        { user: 'engineer' },
      );
      expect(listed.body.map((d) => d.id)).toEqual(['smoke-shed-1']);
    } finally {
      await gw.stop();
    }
  });

  it('remembers health across a restart', async () => {
    const gw = await startTestGateway();
    const sensor = await gw.connect('heat-shed-3');
    await sensor.publishAsync(
      'weige/heat-shed-3/telemetry',
      JSON.stringify({ ts: testNow() - 1000, temp_c: 20, battery_pct: 64 }),
      { qos: 1 },
    );
    const dataDir = gw.dataDir;
    await gw.stop({ keepData: true });
    const again = await startTestGateway({ dataDir });
    try {
      expect(again.gateway.ctx.health.get('heat-shed-3')).toMatchObject({ status: 'online', batteryPct: 64 });
    } finally {
      await again.stop();
    }
  });
});
