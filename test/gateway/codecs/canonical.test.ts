/** Table-driven codec cases for the canonical codec: good and bad payloads of every stream. */
import { describe, expect, it } from 'vitest';
import { decode, devices, rejection } from '../../helpers/codecs.ts';
import { readingsOf } from '../../helpers/decoded.ts';

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
