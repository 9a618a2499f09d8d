/**
 * Wire formats, written here from the documentation at the top of each vendor codec in
 * gateway/src/codecs/vendors/ and from shared/CONTRACT.md — never by importing the codecs, so
 * the simulator checks them rather than echoes them. Each function returns topic + payload for
 * the device's own `codec`.
 */
import type { CameraEventType, Track } from '../../gateway/src/contracts/readings.ts';
import type { Device } from '../../gateway/src/contracts/site.ts';
import { trackPayload } from '../camera/track.ts';
import { chinaCompact, isoLocal } from './time.ts';

export interface Wire {
  topic: string;
  payload: string;
}

const telemetry = (d: Device): string => `weige/${d.id}/telemetry`;
const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const r2 = (v: number): number => Math.round(v * 100) / 100;
const r1 = (v: number): number => Math.round(v * 10) / 10;

/** Meter battery as a Li-SOCl₂ cell voltage: 3.6 V fresh, 3.0 V empty (sanchuan-nbiot.ts). */
export function batteryVolts(pct: number): number {
  return r2(3.0 + (0.6 * Math.min(100, Math.max(0, pct))) / 100);
}

/** One hourly register reading (canonical only: vendor meters batch). */
export function waterReading(d: Device, ts: number, registerL: number, batteryPct: number): Wire {
  return { topic: telemetry(d), payload: JSON.stringify(waterReadingBody(ts, registerL, batteryPct)) };
}

function waterReadingBody(ts: number, registerL: number, batteryPct: number): Record<string, unknown> {
  return { ts: isoLocal(ts), total_m3: r3(registerL / 1000), battery_pct: Math.round(batteryPct) };
}

/** A batch of registers at `intervalMin` spacing from `startTs` (NB-IoT daily freeze). */
export function waterBatch(
  d: Device,
  startTs: number,
  intervalMin: number,
  registersL: number[],
  batteryPct: number,
): Wire {
  if (d.codec === 'sanchuan-nbiot') {
    return {
      topic: `vendor/sanchuan/${d.id}/up`,
      payload: JSON.stringify({
        meterNo: d.id,
        startTime: chinaCompact(startTs),
        intervalMin,
        cumulativeL: registersL.map((l) => Math.floor(l)),
        batteryV: batteryVolts(batteryPct),
      }),
    };
  }
  return {
    topic: telemetry(d),
    payload: JSON.stringify({
      readings: registersL.map((l, i) => ({
        ts: isoLocal(startTs + i * intervalMin * 60_000),
        total_m3: r3(l / 1000),
      })),
      battery_pct: Math.round(batteryPct),
    }),
  };
}

/**
 * A meter's event-triggered continuous-flow alarm (持续用水报警): the register at that moment plus
 * the alarm, canonical (`flow_lph`, `continuous_flow_min`) or Sanchuan (`alarm` object).
 */
export function waterFlowAlarm(
  d: Device,
  ts: number,
  registerL: number,
  batteryPct: number,
  alarm: { lPerH: number; minutes: number },
): Wire {
  if (d.codec === 'sanchuan-nbiot')
    return {
      topic: `vendor/sanchuan/${d.id}/up`,
      payload: JSON.stringify({
        meterNo: d.id,
        startTime: chinaCompact(ts),
        intervalMin: 60,
        cumulativeL: [Math.floor(registerL)],
        batteryV: batteryVolts(batteryPct),
        alarm: {
          code: 'continuousFlow',
          flowLph: Math.round(alarm.lPerH),
          durationMin: Math.round(alarm.minutes),
        },
      }),
    };
  return {
    topic: telemetry(d),
    payload: JSON.stringify({
      ...waterReadingBody(ts, registerL, batteryPct),
      flow_lph: Math.round(alarm.lPerH),
      continuous_flow_min: Math.round(alarm.minutes),
    }),
  };
}

export interface SmokeValues {
  smoke_db_m: number;
  temp_c: number;
  co_ppm: number;
  h2_ppm: number;
  humidity_pct: number;
  battery_pct: number;
}

/** dB/m → obscuration %/m, the inverse of ctwing-smoke.ts: p = 100·(1 − 10^(−dB/10)). */
export function dbPerMToObscuration(dbPerM: number): number {
  return 100 * (1 - 10 ** (-dbPerM / 10));
}

export function smokeReading(d: Device, ts: number, v: SmokeValues): Wire {
  if (d.codec === 'ctwing-smoke') {
    return {
      topic: telemetry(d),
      payload: JSON.stringify({
        deviceId: d.id,
        timestamp: Math.round(ts),
        messageType: 'dataReport',
        payload: {
          serviceData: {
            smoke_obscuration: r2(dbPerMToObscuration(v.smoke_db_m)),
            temperature: r1(v.temp_c),
            co: Math.round(v.co_ppm),
            h2: Math.round(v.h2_ppm),
            humidity: Math.round(v.humidity_pct),
            battery_value: Math.round(v.battery_pct),
          },
        },
      }),
    };
  }
  return {
    topic: telemetry(d),
    payload: JSON.stringify({
      ts: Math.round(ts),
      smoke_db_m: r3(v.smoke_db_m),
      temp_c: r1(v.temp_c),
      co_ppm: r1(v.co_ppm),
      h2_ppm: r1(v.h2_ppm),
      humidity_pct: Math.round(v.humidity_pct),
      battery_pct: Math.round(v.battery_pct),
    }),
  };
}

export type PortStateName = 'idle' | 'charging' | 'full' | 'fault' | 'off';
const WEILAI_STATES: PortStateName[] = ['idle', 'charging', 'full', 'fault', 'off'];

export interface PortReport {
  port: number;
  state: PortStateName;
  power_w: number;
  voltage_v: number;
  current_a: number;
  temp_c: number;
}

export function chargerReading(d: Device, ts: number, ports: PortReport[], cabinetTempC: number): Wire {
  if (d.codec === 'weilai-charger') {
    return {
      topic: telemetry(d),
      payload: JSON.stringify({
        sn: d.id,
        t: Math.floor(ts / 1000),
        p: ports.map((p) => ({
          no: p.port,
          st: WEILAI_STATES.indexOf(p.state),
          pw: Math.round(p.power_w),
          v: Math.round(p.voltage_v * 10),
          i: Math.round(p.current_a * 10),
          tmp: Math.round(p.temp_c * 10),
        })),
      }),
    };
  }
  return {
    topic: telemetry(d),
    payload: JSON.stringify({
      ts: isoLocal(ts),
      temp_c: r1(cabinetTempC),
      ports: ports.map((p) => ({
        port: p.port,
        state: p.state,
        power_w: Math.round(p.power_w),
        voltage_v: r1(p.voltage_v),
        current_a: r2(p.current_a),
        temp_c: r1(p.temp_c),
      })),
    }),
  };
}

export interface CameraEventInput {
  ts: number;
  type: CameraEventType;
  confidence: number;
  /** [centre x, centre y, w, h] in pixels. */
  bbox?: [number, number, number, number];
  trackId?: string;
  dwellS?: number;
  snapshotUrl?: string;
  clipUrl?: string;
}

/** Hikvision ISAPI event types (hikvision-isapi.ts) for our canonical types. */
const HIK_TYPES: Record<CameraEventInput['type'], string> = {
  falling_object: 'highAltitudeThrowing',
  littering: 'garbageDropping',
  fire_lane_blocked: 'fireEscapeDetection',
  smoke: 'smokeDetection',
  flame: 'fireDetection',
  person_fall: 'personFall',
};

export function cameraEvent(d: Device, e: CameraEventInput, frame = { w: 1920, h: 1080 }): Wire {
  const topic = `weige/${d.id}/event`;
  if (d.codec === 'hikvision-isapi') {
    const rect = e.bbox
      ? {
          x: Math.round(((e.bbox[0] - e.bbox[2] / 2) / frame.w) * 1000),
          y: Math.round(((e.bbox[1] - e.bbox[3] / 2) / frame.h) * 1000),
          width: Math.max(1, Math.round((e.bbox[2] / frame.w) * 1000)),
          height: Math.max(1, Math.round((e.bbox[3] / frame.h) * 1000)),
        }
      : undefined;
    return {
      topic,
      payload: JSON.stringify({
        ipAddress: `10.0.${(hash(d.id) % 250) + 1}.${(hash(d.id + 'h') % 250) + 2}`,
        channelID: 1,
        dateTime: isoLocal(e.ts),
        eventType: HIK_TYPES[e.type],
        eventState: 'active',
        confidence: Math.round(e.confidence * 100),
        ...(rect ? { targetRect: rect } : {}),
        ...(e.snapshotUrl ? { picUrl: e.snapshotUrl } : {}),
        ...(e.clipUrl ? { videoUrl: e.clipUrl } : {}),
        ...(e.dwellS !== undefined ? { dwellTime: Math.round(e.dwellS) } : {}),
      }),
    };
  }
  return {
    topic,
    payload: JSON.stringify({
      ts: isoLocal(e.ts),
      type: e.type,
      confidence: Math.round(e.confidence * 100) / 100,
      ...(e.bbox ? { bbox: e.bbox.map((v) => Math.round(v)) } : {}),
      ...(e.trackId ? { track_id: e.trackId } : {}),
      ...(e.dwellS !== undefined ? { dwell_s: Math.round(e.dwellS) } : {}),
      ...(e.snapshotUrl ? { snapshot_url: e.snapshotUrl } : {}),
      ...(e.clipUrl ? { clip_url: e.clipUrl } : {}),
    }),
  };
}

/** A discrete device event that is not a camera detection (tamper, fault), canonical shape. */
export function deviceEvent(
  d: Device,
  ts: number,
  type: string,
  extra: Record<string, string | number> = {},
): Wire {
  return { topic: `weige/${d.id}/event`, payload: JSON.stringify({ ts: isoLocal(ts), type, ...extra }) };
}

export function trackMessage(d: Device, track: Track): Wire {
  return { topic: `weige/${d.id}/track`, payload: JSON.stringify(trackPayload(track)) };
}

export function statusMessage(d: Device, status: 'online' | 'offline'): Wire {
  return { topic: `weige/${d.id}/status`, payload: status };
}

export function commandResult(d: Device, id: string, ok: boolean, error?: string): Wire {
  return {
    topic: `weige/${d.id}/command/result`,
    payload: JSON.stringify({ id, ok, ...(error ? { error } : {}) }),
  };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
