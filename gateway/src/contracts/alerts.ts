/** Alerts and incidents as published on MQTT and returned by the API (shared/CONTRACT.md). */

export const ALERT_KINDS = [
  'falling_object',
  'facade_drip',
  'fire',
  'fire_risk',
  'elderly_inactivity',
  'continuous_water_flow',
  'water_use_abnormal',
  'littering',
  'fire_lane_blocked',
  'device_offline',
  'low_battery',
  'tamper',
  'device_fault',
  'resident_report',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number] | (string & {});

export const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertLocation {
  building: string | null;
  facade: string | null;
  floor: number | null;
  floorRange: [number, number] | null;
  unit: string | null;
  household: string | null;
  place: string | null;
}

export interface AlertSource {
  deviceId: string | null;
  rule: string | null;
  model: string | null;
}

/**
 * What a detector (rule or model) hands to alerting. Alerting turns it into an Alert:
 * it fills ids, grid path, texts and the incident link.
 */
export interface Detection {
  kind: AlertKind;
  severity: Severity;
  siteId: string;
  /** Event time of the evidence that triggered it, epoch ms. */
  eventTs: number;
  /**
   * Event time at which the detector decided, epoch ms (defaults to `eventTs`): a replay
   * measures detection delay from it, which the wall clock cannot do.
   */
  detectedTs?: number;
  source: AlertSource;
  /** Groups repeated detections into one incident. */
  dedupeKey: string;
  location: Partial<AlertLocation>;
  title: { 'zh-CN': string; en: string };
  message: { 'zh-CN': string; en: string };
  evidence: Record<string, unknown>;
  /** A clear (the condition ended), not a new firing. */
  cleared?: boolean;
  /**
   * The rule lets a clear resolve the incident by itself (after a hold-down), as long as
   * nobody has accepted it yet. Set on the firing or on the clear detection.
   */
  autoResolve?: boolean;
}

export interface Alert {
  id: string;
  kind: AlertKind;
  severity: Severity;
  siteId: string;
  title: string;
  message: string;
  location: AlertLocation;
  grid: string[];
  eventTs: string;
  /** Event time at which the detector decided (a replay measures delay from it). */
  detectedAt: string;
  /** Wall-clock time the gateway raised the alert. */
  raisedAt: string;
  source: AlertSource;
  evidence: Record<string, unknown>;
  incidentId: string | null;
}
