/**
 * The fields a rule can read, per input source and device kind: what the canonical payloads
 * (payload-schemas.ts) and the vendor codecs put into readings, events and health changes. The rule
 * loader checks every fact against these lists, so a misspelt field is a load error rather than a
 * rule that silently never fires.
 */
import {
  CHARGING_CONTROLLER_TELEMETRY,
  DEVICE_EVENT,
  DOOR_CONTACT_TELEMETRY,
  ELECTRICITY_METER_READING,
  EXTRA_FIELD_PATTERN,
  SMOKE_SENSOR_TELEMETRY,
  WATER_METER_READING,
} from './payload-schemas.ts';
import type { DeviceKind } from './readings.ts';

type ObjectSchema = { properties: Record<string, object> };

/** Numeric (or enumerated) properties of a payload schema, without the timestamp and containers. */
function declaredFields(schema: ObjectSchema): string[] {
  return Object.entries(schema.properties)
    .filter(
      ([name, spec]) =>
        !['ts', 'readings', 'ports'].includes(name) &&
        ('enum' in spec || ('type' in spec && spec.type === 'number')),
    )
    .map(([name]) => name);
}

const chargerPort = CHARGING_CONTROLLER_TELEMETRY.properties.ports.items;

/**
 * Reading fields per device kind; `null` where the payload is open (any `name_unit` number).
 * Vendor codecs add a few fields of their own (sanchuan-nbiot: the meter's continuous-flow alarm).
 */
export const READING_FIELDS: Record<DeviceKind, readonly string[] | null> = {
  water_meter: [...declaredFields(WATER_METER_READING), 'continuous_flow_min', 'alarm'],
  electricity_meter: declaredFields(ELECTRICITY_METER_READING),
  door_contact: declaredFields(DOOR_CONTACT_TELEMETRY),
  smoke_sensor: declaredFields(SMOKE_SENSOR_TELEMETRY),
  // Port readings carry the port's state as a label next to its measurements.
  charging_controller: [
    ...new Set([...declaredFields(chargerPort), ...declaredFields(CHARGING_CONTROLLER_TELEMETRY)]),
  ],
  camera: null,
  generic: null,
};

/** Event fields: `confidence`, `seen` (1 per event), the type, and numeric attributes (open). */
export const EVENT_FIELDS: readonly string[] = [
  'confidence',
  'seen',
  'type',
  ...declaredFields(DEVICE_EVENT),
];

/** Health changes carry the status, its cause and the last battery level. */
export const HEALTH_FIELDS: readonly string[] = ['status', 'cause', 'battery_pct'];

/** Extra fields an open payload may carry: `name_unit` (the schemas refuse anything else). */
export const EXTRA_FIELD_RE = new RegExp(EXTRA_FIELD_PATTERN);
