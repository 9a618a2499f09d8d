/**
 * Canonical data the pipeline carries after decoding (shared/CONTRACT.md, "Canonical payloads").
 * Device payload field names stay snake_case with unit suffixes; everything here is in-process shape.
 */

export const DEVICE_KINDS = [
  'water_meter',
  'smoke_sensor',
  'charging_controller',
  'camera',
  'electricity_meter',
  'door_contact',
  'generic',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const PORT_STATES = ['idle', 'charging', 'full', 'fault', 'off'] as const;
export type PortState = (typeof PORT_STATES)[number];

/** One timestamped measurement set from one device (one port, for charging controllers). */
export interface Reading {
  siteId: string;
  deviceId: string;
  kind: DeviceKind;
  /** Event time, epoch milliseconds. */
  ts: number;
  /** Charging-controller port number; null for whole-device readings. */
  port: number | null;
  /** Numeric fields with unit suffixes (`total_m3`, `temp_c`, `power_w`). */
  values: Record<string, number>;
  /** Non-numeric fields (`state` of a charging port). */
  labels: Record<string, string>;
}

export const CAMERA_EVENT_TYPES = [
  'falling_object',
  'littering',
  'fire_lane_blocked',
  'smoke',
  'flame',
  'person_fall',
] as const;
export type CameraEventType = (typeof CAMERA_EVENT_TYPES)[number];

/** A discrete device-side event: camera detection, alarm button, tamper, fault. */
export interface DeviceEvent {
  siteId: string;
  deviceId: string;
  kind: DeviceKind;
  ts: number;
  type: string;
  confidence: number | null;
  /** The rest of the payload, as the device sent it (bbox, track_id, snapshot_url…). */
  attributes: Record<string, unknown>;
}

/** One point of a camera track: [frameIndex, x, y, w, h] in pixels, (x, y) the box centre. */
export type TrackPoint = [number, number, number, number, number];

export interface Track {
  siteId: string;
  deviceId: string;
  trackId: string;
  /** Event time of frame 0, epoch milliseconds. */
  startTs: number;
  fps: number;
  frame: { w: number; h: number };
  points: TrackPoint[];
  snapshotUrl: string | null;
  clipUrl: string | null;
}

export type DeviceStatus = 'online' | 'offline';
