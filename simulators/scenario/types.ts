/** A scenario file as parsed (see schema.ts for meanings and defaults). */

export type Duration = string | number;
type Reporting = 'hourly' | 'daily_batch' | 'any';

export type ScenarioIncident =
  | {
      kind: 'thermal_runaway';
      at: Duration;
      place?: string;
      port?: number;
      chargedFrom?: 'port' | 'private_lead';
    }
  | {
      kind: 'thrown_object';
      at: Duration;
      camera?: string;
      floor?: number;
      column?: number;
      object?: string;
      thrown?: boolean;
    }
  | { kind: 'elderly_inactivity'; at: Duration; household?: string; for?: Duration; reporting?: Reporting }
  | {
      kind: 'tap_running';
      at: Duration;
      household?: string;
      for: Duration;
      litresPerMin?: number;
      reporting?: Reporting;
    }
  | {
      kind: 'leak';
      at: Duration;
      household?: string;
      for?: Duration;
      litresPerHour?: number;
      reporting?: Reporting;
    }
  | { kind: 'littering' | 'fire_lane_blocked'; at: Duration; place?: string; dwell: Duration }
  | {
      kind: 'absence';
      at: Duration;
      household?: string;
      for: Duration;
      reason?: 'family' | 'hospital' | 'travel';
      /** Someone tells the grid worker (posted to the gateway with --api). Default true. */
      announced?: boolean;
    };

export type IncidentKind = ScenarioIncident['kind'];
export type RandomIncidentKind = Exclude<IncidentKind, 'absence'>;

export interface ScenarioFault {
  kind: 'offline' | 'low_battery' | 'tamper' | 'clock_skew' | 'sensor_fault' | 'contamination';
  device: string;
  at: Duration;
  for?: Duration;
  dbM?: number;
  pct?: number;
  skewS?: number;
}

export interface Scenario {
  version: 1;
  name: string;
  description?: string;
  seed: number | string;
  duration: Duration;
  start: string;
  speed: number | 'fast';
  models?: {
    water?: boolean;
    sheds?: boolean;
    cameras?: boolean;
    places?: boolean;
    households?: 'all' | number | string[];
  };
  noise?: {
    lostRate?: number;
    lateRate?: number;
    malformedRate?: number;
    droppedFrameRate?: number;
    detectorNoisePx?: number;
    nuisancePerShedDay?: number;
    distractorScale?: number;
    rainDayProbability?: number;
    placeEventScale?: number;
  };
  faults?: {
    random?: {
      offlinePerDeviceMonth?: number;
      lowBatteryFraction?: number;
      tamperPerMonth?: number;
      clockSkewFraction?: number;
    };
    scripted?: ScenarioFault[];
  };
  incidents?: ScenarioIncident[];
  randomIncidents?: Partial<Record<RandomIncidentKind, number>>;
  load?: { devices: number; rate: number; synthetic?: boolean };
}
