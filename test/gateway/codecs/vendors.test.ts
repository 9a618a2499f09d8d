/** Table-driven codec cases for every vendor codec: good and bad payloads. */
import { describe, expect, it } from 'vitest';
import type { Decoded } from '../../../gateway/src/codecs/codec.ts';
import { obscurationToDbPerM } from '../../../gateway/src/codecs/vendors/ctwing-smoke.ts';
import { decode, devices, registry, rejection } from '../../helpers/codecs.ts';
import { readingsOf } from '../../helpers/decoded.ts';

describe('vendor codecs', () => {
  it('sanchuan-nbiot: litres to m³, China local time, battery voltage to percent, topic carries the meter', () => {
    const match = registry.matchVendorTopic('vendor/sanchuan/wm-2/up');
    expect(match).toMatchObject({ deviceId: 'wm-2', stream: 'telemetry' });
    const out = match!.codec.decode({
      topic: 'vendor/sanchuan/wm-2/up',
      stream: 'telemetry',
      device: devices.nbMeter!,
      payload: Buffer.from(
        JSON.stringify({
          meterNo: 'wm-2',
          startTime: '20261122000000',
          intervalMin: 60,
          cumulativeL: [102331, 102345],
          batteryV: 3.3,
        }),
      ),
    });
    expect(out).toEqual({
      type: 'readings',
      readings: [
        {
          ts: Date.parse('2026-11-22T00:00:00+08:00'),
          port: null,
          values: { total_m3: 102.331 },
          labels: {},
        },
        {
          ts: Date.parse('2026-11-22T01:00:00+08:00'),
          port: null,
          values: { total_m3: 102.345, battery_pct: 50 },
          labels: {},
        },
      ],
    });
  });

  it('sanchuan-nbiot: an alarm uplink carries the register now, a continuous-flow alarm as canonical fields', () => {
    const codec = registry.matchVendorTopic('vendor/sanchuan/wm-2/up')!.codec;
    const decode = (alarm: Record<string, unknown>): Decoded =>
      codec.decode({
        topic: 'vendor/sanchuan/wm-2/up',
        stream: 'telemetry',
        device: devices.nbMeter!,
        payload: Buffer.from(
          JSON.stringify({
            meterNo: 'wm-2',
            startTime: '20261122103700',
            intervalMin: 60,
            cumulativeL: [102391],
            alarm,
          }),
        ),
      });
    expect(decode({ code: 'continuousFlow', flowLph: 360, durationMin: 10 })).toEqual({
      type: 'readings',
      readings: [
        {
          ts: Date.parse('2026-11-22T10:37:00+08:00'),
          port: null,
          values: { total_m3: 102.391, flow_lph: 360, continuous_flow_min: 10 },
          labels: {},
        },
      ],
    });
    // Another alarm is kept as a label on the reading, not dropped and not refused.
    expect(decode({ code: 'magneticTamper' })).toMatchObject({
      readings: [{ values: { total_m3: 102.391 }, labels: { alarm: 'magneticTamper' } }],
    });
    expect(() => decode({ code: 'continuousFlow', flowLph: 360 })).toThrow(/durationMin/);
  });

  it('sanchuan-nbiot rejects an impossible date', () => {
    const codec = registry.matchVendorTopic('vendor/sanchuan/wm-2/up')!.codec;
    expect(() =>
      codec.decode({
        topic: 'vendor/sanchuan/wm-2/up',
        stream: 'telemetry',
        device: devices.nbMeter!,
        payload: Buffer.from(
          '{"meterNo":"wm-2","startTime":"20261399000000","intervalMin":60,"cumulativeL":[1]}',
        ),
      }),
    ).toThrow(/not a valid/);
  });

  it('ctwing-smoke: obscuration %/m becomes dB/m', () => {
    expect(obscurationToDbPerM(0)).toBe(0);
    expect(obscurationToDbPerM(3.4)).toBeCloseTo(0.15, 2); // GB 4715 fixed sensitivity ≈ 0.15 dB/m
    const out = decode(devices.ctwing!, 'telemetry', {
      deviceId: 'smoke-2',
      timestamp: 1763766000000,
      messageType: 'dataReport',
      payload: { serviceData: { smoke_obscuration: 3.4, temperature: 23.4, co: 2, battery_value: 88 } },
    });
    expect(readingsOf(out)[0]!.values).toMatchObject({
      temp_c: 23.4,
      co_ppm: 2,
      battery_pct: 88,
    });
    expect(readingsOf(out)[0]!.values.smoke_db_m).toBeCloseTo(0.15, 2);
  });

  it('ctwing-smoke: a non-data message is refused with the vendor value', () => {
    expect(
      rejection(devices.ctwing!, 'telemetry', {
        timestamp: 1763766000000,
        messageType: 'deviceOnline',
        payload: { serviceData: {} },
      }),
    ).toMatchObject({
      reason: 'unknown_vendor_value',
    });
  });

  it('weilai-charger: epoch seconds, numeric states and tenths', () => {
    const out = decode(devices.weilai!, 'telemetry', {
      sn: 'chg-2',
      t: 1763766000,
      p: [{ no: 3, st: 1, pw: 180, v: 582, i: 31, tmp: 365 }],
    });
    expect(out).toEqual({
      type: 'readings',
      readings: [
        {
          ts: 1763766000000,
          port: 3,
          values: { power_w: 180, voltage_v: 58.2, current_a: 3.1, temp_c: 36.5 },
          labels: { state: 'charging' },
        },
      ],
    });
    expect(rejection(devices.weilai!, 'telemetry', { t: 1763766000, p: [{ no: 3, st: 9 }] }).reason).toBe(
      'unknown_vendor_value',
    );
  });

  it('hikvision-isapi: event types, normalised rectangles and confidence', () => {
    const out = decode(devices.hik!, 'event', {
      dateTime: '2026-11-22T07:00:00+08:00',
      eventType: 'highAltitudeThrowing',
      eventState: 'active',
      confidence: 91,
      targetRect: { x: 400, y: 50, width: 20, height: 10 },
      picUrl: 'http://cam/pic.jpg',
    });
    expect(out).toEqual({
      type: 'events',
      events: [
        {
          ts: '2026-11-22T07:00:00+08:00',
          type: 'falling_object',
          confidence: 0.91,
          attributes: { bbox: [410, 110, 20, 20], snapshot_url: 'http://cam/pic.jpg' },
        },
      ],
    });
  });

  it('a vendor codec falls back to canonical for streams it does not decode', () => {
    expect(registry.forDevice(devices.nbMeter!, 'status').id).toBe('canonical');
    expect(registry.forDevice(devices.hik!, 'track').id).toBe('canonical');
  });
});
