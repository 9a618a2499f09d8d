/** Table-driven codec cases: canonical and every vendor codec, good and bad payloads. */
import { describe, expect, it } from 'vitest';
import { CodecError, type Decoded } from '../../../gateway/src/codecs/codec.ts';
import { CodecRegistry } from '../../../gateway/src/codecs/registry.ts';
import { obscurationToDbPerM } from '../../../gateway/src/codecs/vendors/ctwing-smoke.ts';
import type { DeviceStream } from '../../../gateway/src/contracts/topics.ts';
import type { Device } from '../../../gateway/src/contracts/site.ts';
import { readingsOf } from '../../helpers/decoded.ts';

const registry = new CodecRegistry();
const devices: Record<string, Device> = {
  meter: { id: 'wm-1', kind: 'water_meter', codec: 'canonical' },
  nbMeter: { id: 'wm-2', kind: 'water_meter', codec: 'sanchuan-nbiot' },
  smoke: { id: 'smoke-1', kind: 'smoke_sensor', codec: 'canonical' },
  ctwing: { id: 'smoke-2', kind: 'smoke_sensor', codec: 'ctwing-smoke' },
  charger: { id: 'chg-1', kind: 'charging_controller', codec: 'canonical' },
  weilai: { id: 'chg-2', kind: 'charging_controller', codec: 'weilai-charger' },
  camera: { id: 'cam-1', kind: 'camera', codec: 'canonical' },
  electricity: { id: 'em-1', kind: 'electricity_meter', codec: 'canonical' },
  door: { id: 'dc-1', kind: 'door_contact', codec: 'canonical' },
  hik: {
    id: 'cam-2',
    kind: 'camera',
    codec: 'hikvision-isapi',
    calibration: {
      homography: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      fps: 25,
      frame: { w: 1000, h: 2000 },
    },
  },
};

function decode(device: Device, stream: DeviceStream, payload: unknown): Decoded {
  const raw = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const codec = registry.forDevice(device, stream);
  return codec.decode({ topic: `weige/${device.id}/${stream}`, stream, payload: raw, device });
}

function rejection(
  device: Device,
  stream: DeviceStream,
  payload: unknown,
): { reason: string; message: string } {
  try {
    decode(device, stream, payload);
  } catch (err) {
    if (err instanceof CodecError) return { reason: err.reason, message: err.message };
    throw err;
  }
  throw new Error('expected a CodecError');
}

describe('canonical codec', () => {
  it.each([
    [
      'single water reading',
      devices.meter!,
      { ts: '2026-11-22T07:00:00+08:00', total_m3: 102.345, battery_pct: 91 },
      1,
    ],
    [
      'batched water readings',
      devices.meter!,
      {
        readings: [
          { ts: '2026-11-22T06:00:00+08:00', total_m3: 102.331 },
          { ts: '2026-11-22T07:00:00+08:00', total_m3: 102.345 },
        ],
        battery_pct: 91,
      },
      2,
    ],
    [
      'smoke reading',
      devices.smoke!,
      { ts: 1763766000000, smoke_db_m: 0.02, temp_c: 23.4, co_ppm: 2, h2_ppm: 0, battery_pct: 88 },
      1,
    ],
    [
      'charger ports',
      devices.charger!,
      {
        ts: 1763766000000,
        ports: [
          { port: 3, state: 'charging', power_w: 180, voltage_v: 58.2, current_a: 3.1, temp_c: 36.5 },
          { port: 4, state: 'idle' },
        ],
      },
      2,
    ],
  ])('decodes a %s', (_name, device, payload, count) => {
    const out = decode(device, 'telemetry', payload);
    expect(readingsOf(out)).toHaveLength(count);
  });

  it('puts the battery of a batch on its newest reading only', () => {
    const out = decode(devices.meter!, 'telemetry', {
      readings: [
        { ts: '2026-11-22T07:00:00+08:00', total_m3: 2 },
        { ts: '2026-11-22T06:00:00+08:00', total_m3: 1 },
      ],
      battery_pct: 50,
    });
    expect(readingsOf(out).map((r) => r.values)).toEqual([{ total_m3: 2, battery_pct: 50 }, { total_m3: 1 }]);
  });

  it('decodes an electricity register, alone or batched, and a door contact change', () => {
    expect(
      readingsOf(decode(devices.electricity!, 'telemetry', { ts: 1763766000000, total_kwh: 5321.42 })),
    ).toEqual([{ ts: 1763766000000, port: null, values: { total_kwh: 5321.42 }, labels: {} }]);
    const batch = decode(devices.electricity!, 'telemetry', {
      readings: [
        { ts: '2026-11-22T06:30:00+08:00', total_kwh: 5321.3 },
        { ts: '2026-11-22T07:00:00+08:00', total_kwh: 5321.42 },
      ],
      power_w: 85,
    });
    expect(readingsOf(batch).map((r) => r.values)).toEqual([
      { total_kwh: 5321.3 },
      { total_kwh: 5321.42, power_w: 85 },
    ]);
    expect(
      readingsOf(decode(devices.door!, 'telemetry', { ts: 1763766000000, door_open: 1 }))[0]!.values,
    ).toEqual({
      door_open: 1,
    });
  });

  it('refuses a door contact state other than 0 or 1, and an electricity reading without its register', () => {
    expect(rejection(devices.door!, 'telemetry', { ts: 1763766000000, door_open: 'open' }).reason).toBe(
      'schema_violation',
    );
    const noRegister = rejection(devices.electricity!, 'telemetry', { ts: 1763766000000, power_w: 85 });
    expect(noRegister.reason).toBe('schema_violation');
    expect(noRegister.message).toContain('total_kwh');
  });

  it('keeps charger port state as a label and numbers as values', () => {
    const out = decode(devices.charger!, 'telemetry', {
      ts: 1763766000000,
      ports: [{ port: 3, state: 'fault', temp_c: 80 }],
    });
    expect(out).toEqual({
      type: 'readings',
      readings: [{ ts: 1763766000000, port: 3, values: { temp_c: 80 }, labels: { state: 'fault' } }],
    });
  });

  it('decodes camera events and tracks', () => {
    const ev = decode(devices.camera!, 'event', {
      ts: 1763766000000,
      type: 'falling_object',
      confidence: 0.91,
      bbox: [812, 120, 24, 30],
      track_id: 't-77',
    });
    expect(ev).toMatchObject({
      type: 'events',
      events: [{ type: 'falling_object', confidence: 0.91, attributes: { track_id: 't-77' } }],
    });
    const tr = decode(devices.camera!, 'track', {
      track_id: 't-78',
      start_ts: 1763766000000,
      fps: 25,
      frame: { w: 1920, h: 1080 },
      points: [
        [0, 812, 120, 24, 30],
        [1, 813, 131, 24, 30],
      ],
    });
    expect(tr).toMatchObject({
      type: 'track',
      track: {
        trackId: 't-78',
        fps: 25,
        points: [
          [0, 812, 120, 24, 30],
          [1, 813, 131, 24, 30],
        ],
      },
    });
  });

  it.each([
    ['plain status', 'offline', 'offline'],
    ['JSON status', '{"status":"online"}', 'online'],
  ])('decodes %s', (_n, payload, status) => {
    expect(decode(devices.meter!, 'status', payload)).toEqual({ type: 'status', status });
  });

  it.each([
    ['not JSON', devices.meter!, 'telemetry', '{"ts":', 'malformed_json', /not JSON/],
    [
      'missing register',
      devices.meter!,
      'telemetry',
      { ts: 1763766000000 },
      'schema_violation',
      /missing 'total_m3'/,
    ],
    [
      'wrong type',
      devices.smoke!,
      'telemetry',
      { ts: 1763766000000, temp_c: 'hot' },
      'schema_violation',
      /\/temp_c must be number/,
    ],
    [
      'typo in a field name',
      devices.smoke!,
      'telemetry',
      { ts: 1763766000000, temp_C: 20 },
      'schema_violation',
      /snake_case/,
    ],
    [
      'unknown port state',
      devices.charger!,
      'telemetry',
      { ts: 1763766000000, ports: [{ port: 1, state: 'burning' }] },
      'schema_violation',
      /\/ports\/0\/state/,
    ],
    [
      'track from a meter',
      devices.meter!,
      'track',
      { track_id: 'x' },
      'unsupported_stream',
      /does not send tracks/,
    ],
    [
      'track with one point',
      devices.camera!,
      'track',
      { track_id: 'x', start_ts: 1, fps: 25, frame: { w: 1, h: 1 }, points: [[0, 1, 1, 1, 1]] },
      'schema_violation',
      /\/points/,
    ],
    ['bad status', devices.meter!, 'status', 'maybe', 'schema_violation', /online' or 'offline/],
  ] as const)('rejects %s', (_n, device, stream, payload, reason, message) => {
    const r = rejection(device, stream, payload);
    expect(r.reason).toBe(reason);
    expect(r.message).toMatch(message);
  });
});

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
