/**
 * elderly-inactivity through a real gateway: three weeks of a resident's hourly canonical meter
 * readings over MQTT, then the water stops; the models stage raises `elderly_inactivity` with
 * `source.model` set. A neighbour recorded as away (bus `householdAbsenceRecorded`) raises nothing.
 * A Sanchuan NB-IoT meter's continuous-flow alarm uplink, between its daily uploads, raises
 * `continuous_water_flow` at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../../../../gateway/src/contracts/alerts.ts';
import { eventually, startTestGateway, type TestGateway } from '../../../helpers/gateway.ts';
import { testNow } from '../../../helpers/clock.ts';

const HOUR = 3_600_000;
let gw: TestGateway;
const detections: Detection[] = [];

beforeAll(async () => {
  gw = await startTestGateway();
  gw.gateway.ctx.bus.on('detectionRaised', (d) => {
    if (d.source.model?.startsWith('elderly-inactivity@')) detections.push(d);
  });
});
afterAll(() => gw?.stop());

/**
 * Hourly registers (m³) ending now: water every hour 07–21 local until `stopAt`. The record begins
 * at a local midnight (three weeks back), as a meter's history does, whatever hour the test runs at.
 */
function registers(stopAt: number): Array<{ ts: number; total_m3: number }> {
  const end = Math.floor(testNow() / HOUR) * HOUR;
  const DAY = 24 * HOUR;
  const start = Math.floor((end - 21 * DAY + 8 * HOUR) / DAY) * DAY - 8 * HOUR;
  const out: Array<{ ts: number; total_m3: number }> = [];
  let litres = 50_000;
  for (let t = start; t <= end; t += HOUR) {
    const hour = (new Date(t + 8 * HOUR).getUTCHours() + 23) % 24;
    if (t <= stopAt && hour >= 7 && hour <= 21) litres += 6;
    out.push({ ts: t, total_m3: litres / 1000 });
  }
  return out;
}

describe('elderly-inactivity over MQTT', () => {
  it('raises elderly_inactivity when a regular resident stops using water, and respects an absence', async () => {
    const end = Math.floor(testNow() / HOUR) * HOUR;
    // Stop 10 hours before the newest reading, at a time the resident is normally up.
    const local = (t: number): number => new Date(t + 8 * HOUR).getUTCHours();
    let stopAt = end - 10 * HOUR;
    while (local(stopAt) < 8 || local(stopAt) > 12) stopAt -= HOUR;
    const away = { householdId: 'B3-1-303', from: stopAt - HOUR, to: end + 24 * HOUR };
    gw.gateway.ctx.bus.emit('householdAbsenceRecorded', {
      id: 'a-1',
      ...away,
      reason: 'hospital',
      by: 'test',
    });
    const series = registers(stopAt);
    for (const device of ['wm-B3-1-203', 'wm-B3-1-303']) {
      const client = await gw.connect(device);
      // Uploaded as daily batches (the NB-IoT way), last one included.
      for (let i = 0; i < series.length; i += 24)
        await client.publishAsync(
          `weige/${device}/telemetry`,
          JSON.stringify({ readings: series.slice(i, i + 24), battery_pct: 90 }),
          {
            qos: 1,
          },
        );
    }
    const d = await eventually(() => detections.find((x) => x.kind === 'elderly_inactivity'), 15_000);
    expect(d.location.household).toBe('B3-1-203');
    expect(d.source.deviceId).toBe('wm-B3-1-203');
    expect(d.eventTs).toBeGreaterThan(stopAt);
    expect(d.eventTs - stopAt).toBeLessThan(8 * HOUR);
    expect((d.evidence as { silenceH: number }).silenceH).toBeGreaterThanOrEqual(2);
    expect(d.title['zh-CN']).toBe('3号楼1单元203室 独居老人用水异常中断');
    expect(d.title.en).toBe('No water use at Building 3, unit 1, room 203 (resident lives alone)');
    const decisions = gw.gateway.ctx.metrics.registry.getSingleMetric('weige_model_decisions_total')!;
    // Both meters' readings have been through the model before we look for the absent one.
    await eventually(async () => {
      const n = (await decisions.get()).values
        .filter((v) => v.labels.model === 'elderly-inactivity')
        .reduce((s, v) => s + v.value, 0);
      return n >= 2 * series.length;
    }, 15_000);
    expect(detections.filter((x) => x.location.household === 'B3-1-303')).toHaveLength(0);
  });

  it('raises continuous_water_flow from a Sanchuan meter alarm uplink sent between daily uploads', async () => {
    const device = 'wm-B4-1-501';
    const client = await gw.connect(device);
    const end = Math.floor(testNow() / HOUR) * HOUR;
    const series = registers(end);
    const china = (t: number): string => new Date(t + 8 * HOUR).toISOString().replace(/\D/g, '').slice(0, 14);
    const litres = (i: number): number => Math.round(series[i]!.total_m3 * 1000);
    // Three weeks of daily uploads, then a tap left running for 30 min shows in an alarm uplink.
    for (let i = 0; i < series.length; i += 24) {
      const day = series.slice(i, i + 24);
      await client.publishAsync(
        `vendor/sanchuan/${device}/up`,
        JSON.stringify({
          meterNo: device,
          startTime: china(day[0]!.ts),
          intervalMin: 60,
          cumulativeL: day.map((_, k) => litres(i + k)),
          batteryV: 3.5,
        }),
        { qos: 1 },
      );
    }
    // After the newest hourly register and not in the future (the gateway refuses that).
    const alarmAt = Math.floor(Math.max(end + 1000, testNow() - 1000) / 1000) * 1000;
    await client.publishAsync(
      `vendor/sanchuan/${device}/up`,
      JSON.stringify({
        meterNo: device,
        startTime: china(alarmAt),
        intervalMin: 60,
        cumulativeL: [litres(series.length - 1) + 180],
        alarm: { code: 'continuousFlow', flowLph: 360, durationMin: 30 },
      }),
      { qos: 1 },
    );
    const d = await eventually(
      () => detections.find((x) => x.kind === 'continuous_water_flow' && x.source.deviceId === device),
      15_000,
    );
    expect(d.location.household).toBe('B4-1-501');
    expect(d.eventTs).toBe(alarmAt);
  });
});
