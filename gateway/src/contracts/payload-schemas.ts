/**
 * JSON Schemas of the canonical device payloads (shared/CONTRACT.md, "Canonical payloads").
 * Extra numeric fields with unit suffixes are kept (`signal_dbm`); anything else extra is refused
 * so that typos (`temp_C`) are caught rather than silently dropped.
 */

const ts = {
  description: 'ISO 8601 with offset, or epoch milliseconds',
  anyOf: [
    { type: 'string', minLength: 10, maxLength: 40 },
    { type: 'number', minimum: 0 },
  ],
};
const pct = { type: 'number', minimum: 0, maximum: 100 };
const measurement = { type: 'number' };
/** Extra fields must look like `name_unit` and be numbers. */
export const EXTRA_FIELD_PATTERN = '^[a-z][a-z0-9]*(_[a-z0-9]+)+$';
const extraNumeric = {
  propertyNames: { pattern: `${EXTRA_FIELD_PATTERN}|^ts$|^readings$|^ports$` },
};

export const WATER_METER_READING = {
  type: 'object',
  required: ['ts', 'total_m3'],
  properties: {
    ts,
    total_m3: { type: 'number', minimum: 0 },
    battery_pct: pct,
    flow_lph: { type: 'number', minimum: 0 },
  },
  additionalProperties: measurement,
  ...extraNumeric,
};

/**
 * A meter's cumulative register: one reading (`single`), or a batch of `{ts, <register>}` under
 * `readings` with device-level fields beside it.
 */
function registerTelemetry(register: string, single: object, batchFields: object = {}) {
  return {
    oneOf: [
      single,
      {
        type: 'object',
        required: ['readings'],
        properties: {
          readings: {
            type: 'array',
            minItems: 1,
            maxItems: 10_000,
            items: {
              type: 'object',
              required: ['ts', register],
              properties: { ts, [register]: { type: 'number', minimum: 0 } },
              additionalProperties: false,
            },
          },
          ...batchFields,
        },
        additionalProperties: measurement,
        ...extraNumeric,
      },
    ],
  };
}

export const WATER_METER_TELEMETRY = registerTelemetry('total_m3', WATER_METER_READING, { battery_pct: pct });

/** A household's smart electricity meter: cumulative register, one reading or a batch, like water. */
export const ELECTRICITY_METER_READING = {
  type: 'object',
  required: ['ts', 'total_kwh'],
  properties: {
    ts,
    total_kwh: { type: 'number', minimum: 0 },
    power_w: { type: 'number', minimum: 0 },
  },
  additionalProperties: measurement,
  ...extraNumeric,
};

export const ELECTRICITY_METER_TELEMETRY = registerTelemetry('total_kwh', ELECTRICITY_METER_READING);

/** An entrance door contact: sent on every change (1 opened, 0 closed). */
export const DOOR_CONTACT_TELEMETRY = {
  type: 'object',
  required: ['ts', 'door_open'],
  properties: { ts, door_open: { enum: [0, 1] }, battery_pct: pct },
  additionalProperties: measurement,
  ...extraNumeric,
};

export const SMOKE_SENSOR_TELEMETRY = {
  type: 'object',
  required: ['ts'],
  minProperties: 2,
  properties: {
    ts,
    smoke_db_m: { type: 'number', minimum: 0, maximum: 100 },
    temp_c: { type: 'number', minimum: -60, maximum: 1200 },
    co_ppm: { type: 'number', minimum: 0, maximum: 100_000 },
    h2_ppm: { type: 'number', minimum: 0, maximum: 100_000 },
    voc_ppm: { type: 'number', minimum: 0, maximum: 100_000 },
    humidity_pct: pct,
    battery_pct: pct,
  },
  additionalProperties: measurement,
  ...extraNumeric,
};

export const CHARGING_CONTROLLER_TELEMETRY = {
  type: 'object',
  required: ['ts', 'ports'],
  properties: {
    ts,
    ports: {
      type: 'array',
      minItems: 1,
      maxItems: 256,
      items: {
        type: 'object',
        required: ['port', 'state'],
        properties: {
          port: { type: 'integer', minimum: 0, maximum: 255 },
          state: { enum: ['idle', 'charging', 'full', 'fault', 'off'] },
          power_w: { type: 'number', minimum: 0, maximum: 100_000 },
          voltage_v: { type: 'number', minimum: 0, maximum: 1000 },
          current_a: { type: 'number', minimum: 0, maximum: 1000 },
          temp_c: { type: 'number', minimum: -60, maximum: 1200 },
        },
        additionalProperties: false,
      },
    },
    temp_c: { type: 'number', minimum: -60, maximum: 1200 },
  },
  additionalProperties: false,
};

export const GENERIC_TELEMETRY = {
  type: 'object',
  required: ['ts'],
  minProperties: 2,
  properties: { ts },
  additionalProperties: measurement,
  ...extraNumeric,
};

export const DEVICE_EVENT = {
  type: 'object',
  required: ['ts', 'type'],
  properties: {
    ts,
    type: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    bbox: { type: 'array', minItems: 4, maxItems: 4, items: { type: 'number' } },
    track_id: { type: 'string', maxLength: 128 },
    snapshot_url: { type: 'string', maxLength: 2048 },
    clip_url: { type: 'string', maxLength: 2048 },
    dwell_s: { type: 'number', minimum: 0 },
    battery_pct: pct,
  },
  additionalProperties: { type: ['string', 'number', 'boolean'] },
};

export const CAMERA_TRACK = {
  type: 'object',
  required: ['track_id', 'start_ts', 'fps', 'frame', 'points'],
  properties: {
    track_id: { type: 'string', minLength: 1, maxLength: 128 },
    start_ts: ts,
    fps: { type: 'number', exclusiveMinimum: 0, maximum: 240 },
    frame: {
      type: 'object',
      required: ['w', 'h'],
      properties: {
        w: { type: 'integer', minimum: 1, maximum: 16384 },
        h: { type: 'integer', minimum: 1, maximum: 16384 },
      },
      additionalProperties: false,
    },
    points: {
      type: 'array',
      minItems: 2,
      maxItems: 20_000,
      items: { type: 'array', minItems: 5, maxItems: 5, items: { type: 'number' } },
    },
    snapshot_url: { type: 'string', maxLength: 2048 },
    clip_url: { type: 'string', maxLength: 2048 },
  },
  additionalProperties: false,
};

export const COMMAND_RESULT = {
  type: 'object',
  required: ['id', 'ok'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 128 },
    ok: { type: 'boolean' },
    error: { type: 'string' },
  },
  additionalProperties: true,
};
