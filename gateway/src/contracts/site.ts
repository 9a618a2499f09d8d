/** The site model: what the YAML site file describes (schema: gateway/src/site/site.schema.json). */
import type { DeviceKind } from './readings.ts';

export const GRID_LEVELS = ['street', 'block', 'neighbourhood', 'micro_grid', 'building_group'] as const;
export type GridLevel = (typeof GRID_LEVELS)[number];

export const ROLES = [
  'micro_grid_leader',
  'grid_worker',
  'emergency_responder',
  'special_care',
  'patrol_inspector',
  'building_group_leader',
  'property_manager',
  'engineer',
  'admin',
  // Street hub accounts (issue 19): the street's duty officer and its administrator.
  'street_duty',
  'street_admin',
  // Issue 18: the control-room dispatcher (sees masked personal data) and the data-protection officer.
  'dispatcher',
  'dpo',
] as const;
export type Role = (typeof ROLES)[number];

export type LocalizedText = { 'zh-CN': string; en?: string };

export interface GridNode {
  id: string;
  level: GridLevel;
  name: LocalizedText;
  children?: GridNode[];
}

export interface Facade {
  id: string;
  widthM: number;
  windowColumns?: number;
}

export interface Building {
  id: string;
  name: LocalizedText;
  grid: string;
  floors: number;
  floorHeightM: number;
  units: string[];
  facades: Facade[];
  /** Position on the site plan, metres from the plan origin (dashboards). */
  plan?: { x: number; y: number; w: number; h: number };
}

export const PLACE_KINDS = ['bike_shed', 'garbage_room', 'fire_lane', 'entrance', 'other'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];

export interface Place {
  id: string;
  kind: PlaceKind;
  name: LocalizedText;
  grid: string;
  building?: string;
  plan?: { x: number; y: number; w: number; h: number };
}

export interface Contact {
  name: string;
  relation?: string;
  phone?: string;
}

export interface Resident {
  name: string;
  phone?: string;
  /** Health-related note for the care worker (e.g. 高血压, uses a walker). */
  healthNote?: string;
  /** Staff id of the household's care worker: sees every field in full. */
  careWorker?: string;
}

export interface Household {
  id: string;
  building: string;
  unit: string;
  floor: number;
  room: string;
  grid: string;
  residents: number;
  elderly: boolean;
  livesAlone: boolean;
  contacts?: Contact[];
  /** The watched resident's personal data (PIPL sensitive); who sees which field: docs/privacy.md. */
  resident?: Resident;
  /** Per-household overrides of the elderly-inactivity baselines. */
  waterThresholds?: { minDailyM3?: number; maxDailyM3?: number; min12hM3?: number };
}

/** Camera calibration: pixels → façade plane (metres along the façade, metres above ground). */
export interface CameraCalibration {
  homography: number[][];
  fps: number;
  frame: { w: number; h: number };
}

export interface Device {
  id: string;
  kind: DeviceKind;
  /** Codec id (`canonical` or `<vendor>-<model>`). */
  codec: string;
  name?: string;
  household?: string;
  place?: string;
  building?: string;
  facade?: string;
  unit?: string;
  floor?: number;
  port?: number;
  /** Ports on a charging controller. */
  ports?: number;
  tags?: string[];
  /** How often the device reports; silent for 2.5× this long = offline. */
  reportIntervalS?: number;
  calibration?: CameraCalibration;
  /** scrypt hash of the device's MQTT password (see gateway/src/core/passwords.ts). */
  mqttPasswordHash?: string;
}

export interface StaffMember {
  id: string;
  name: string;
  username: string;
  passwordHash: string;
  roles: Role[];
  grid: string;
  onCall?: 'A' | 'B';
  contacts?: { phone?: string; wecom?: string; dingtalk?: string; feishu?: string };
}

export interface MqttAccount {
  username: string;
  passwordHash: string;
  /** Topic filters this account may publish to (`weige/+/telemetry`). */
  publish: string[];
  subscribe: string[];
}

export interface MqttPolicy {
  allowAnonymous: boolean;
  /** Used for devices that have no `mqttPasswordHash` of their own. */
  devicePasswordHash?: string;
  /** Generate a secret per device and per account into `<dataDir>/credentials.json` on first start. */
  generatedSecrets?: boolean;
  accounts: MqttAccount[];
}

export interface Site {
  version: number;
  id: string;
  name: LocalizedText;
  timezone: string;
  grid: GridNode;
  buildings: Building[];
  places: Place[];
  households: Household[];
  devices: Device[];
  staff: StaffMember[];
  mqtt: MqttPolicy;
  /** Sections owned by later stages (routing, escalation, playbooks) pass through untyped here. */
  [section: string]: unknown;
}
