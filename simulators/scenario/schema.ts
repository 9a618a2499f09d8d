/**
 * JSON Schema of a scenario file (simulators/scenarios/*.yaml). Times (`at`) are offsets from
 * the scenario start; durations are seconds or strings like `90s`, `15m`, `1h30m`, `2d`.
 */

const duration = {
  description: 'seconds, or a duration string such as 90s, 15m, 1h30m, 2d, 1w',
  anyOf: [
    { type: 'number', minimum: 0 },
    { type: 'string', pattern: '^(\\d+(\\.\\d+)?(ms|w|d|h|m|s))+$|^\\d+(\\.\\d+)?$' },
  ],
};
const rate = { type: 'number', minimum: 0, maximum: 1 };
const at = { ...duration, description: 'offset from the scenario start' };
const household = {
  description: "household id, or 'auto' to pick one (for inactivity: an elderly person living alone)",
  type: 'string',
  minLength: 1,
};

const incident = {
  type: 'object',
  required: ['kind'],
  properties: {
    kind: {
      enum: [
        'thermal_runaway',
        'thrown_object',
        'elderly_inactivity',
        'tap_running',
        'leak',
        'littering',
        'fire_lane_blocked',
        'absence',
      ],
    },
  },
  allOf: [
    {
      if: { properties: { kind: { const: 'thermal_runaway' } } },
      then: {
        required: ['kind', 'at'],
        properties: {
          kind: {},
          at,
          place: { type: 'string', description: "bike shed place id, default 'auto'" },
          port: { type: 'integer', minimum: 1, maximum: 256 },
          chargedFrom: {
            enum: ['port', 'private_lead'],
            description:
              "'port' (default): on a controller port the gateway can cut; 'private_lead': on a private extension lead (飞线充电), which no command reaches",
          },
        },
        additionalProperties: false,
      },
    },
    {
      if: { properties: { kind: { const: 'thrown_object' } } },
      then: {
        required: ['kind', 'at'],
        properties: {
          kind: {},
          at,
          camera: { type: 'string', description: "façade camera device id, default 'auto'" },
          floor: { type: 'integer', minimum: 1, maximum: 200 },
          column: { type: 'integer', minimum: 1, maximum: 100 },
          object: { type: 'string', description: 'object class (simulators/camera/fall.ts OBJECT_CLASSES)' },
          thrown: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    },
    {
      if: { properties: { kind: { const: 'elderly_inactivity' } } },
      then: {
        required: ['kind', 'at'],
        properties: {
          kind: {},
          at,
          household,
          for: duration,
          reporting: { enum: ['hourly', 'daily_batch', 'any'] },
        },
        additionalProperties: false,
      },
    },
    {
      if: { properties: { kind: { const: 'tap_running' } } },
      then: {
        required: ['kind', 'at', 'for'],
        properties: {
          kind: {},
          at,
          household,
          for: duration,
          litresPerMin: { type: 'number', minimum: 0.5, maximum: 30 },
          reporting: { enum: ['hourly', 'daily_batch', 'any'] },
        },
        additionalProperties: false,
      },
    },
    {
      if: { properties: { kind: { const: 'leak' } } },
      then: {
        required: ['kind', 'at'],
        properties: {
          kind: {},
          at,
          household,
          for: duration,
          litresPerHour: { type: 'number', minimum: 0.5, maximum: 500 },
          reporting: { enum: ['hourly', 'daily_batch', 'any'] },
        },
        additionalProperties: false,
      },
    },
    {
      if: { properties: { kind: { enum: ['littering', 'fire_lane_blocked'] } } },
      then: {
        required: ['kind', 'at', 'dwell'],
        properties: { kind: {}, at, place: { type: 'string' }, dwell: duration },
        additionalProperties: false,
      },
    },
    {
      if: { properties: { kind: { const: 'absence' } } },
      then: {
        required: ['kind', 'at', 'for'],
        properties: {
          kind: {},
          at,
          household,
          for: duration,
          reason: { enum: ['family', 'hospital', 'travel'] },
          announced: {
            type: 'boolean',
            description: 'someone tells the grid worker (posted with --api); default true',
          },
        },
        additionalProperties: false,
      },
    },
  ],
};

const fault = {
  type: 'object',
  required: ['kind', 'device', 'at'],
  properties: {
    kind: { enum: ['offline', 'low_battery', 'tamper', 'clock_skew', 'sensor_fault', 'contamination'] },
    device: { type: 'string', minLength: 1 },
    at,
    for: { ...duration, description: 'offline, contamination: how long' },
    dbM: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      description: 'contamination: the smoke reading the dirty chamber cannot fall below (dB/m)',
    },
    pct: { type: 'number', minimum: 0, maximum: 100, description: 'low_battery: level' },
    skewS: {
      type: 'number',
      minimum: -86400,
      maximum: 86400,
      description: 'clock_skew: device clock minus true time',
    },
  },
  additionalProperties: false,
};

export const SCENARIO_SCHEMA = {
  $id: 'https://weige.dev/schemas/scenario.json',
  title: 'Weige simulator scenario',
  type: 'object',
  required: ['version', 'name', 'duration'],
  additionalProperties: false,
  properties: {
    version: { const: 1, description: 'scenario format version' },
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
    description: { type: 'string' },
    seed: {
      type: ['integer', 'string'],
      default: 1,
      description: 'same seed, same start → identical messages',
    },
    duration: duration,
    start: {
      type: 'string',
      default: 'end-at-now',
      description:
        "'end-at-now' (start = now − duration, the default), 'now', 'now-<duration>' (back-fill, then live), or an ISO 8601 time",
    },
    speed: {
      anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { const: 'fast' }],
      default: 3600,
      description: "simulated seconds per wall second, or 'fast' (as fast as the broker accepts)",
    },
    models: {
      type: 'object',
      additionalProperties: false,
      description: 'which behaviour models run (all by default)',
      properties: {
        water: { type: 'boolean', default: true },
        sheds: { type: 'boolean', default: true },
        cameras: { type: 'boolean', default: true },
        places: { type: 'boolean', default: true },
        households: {
          description:
            "'all', a number (that many households, chosen by seed, incidents' households always included), or a list of ids",
          anyOf: [
            { const: 'all' },
            { type: 'integer', minimum: 0 },
            { type: 'array', items: { type: 'string' } },
          ],
          default: 'all',
        },
      },
    },
    noise: {
      type: 'object',
      additionalProperties: false,
      properties: {
        lostRate: { ...rate, default: 0.005 },
        lateRate: { ...rate, default: 0.02 },
        malformedRate: { ...rate, default: 0 },
        droppedFrameRate: { ...rate, default: 0.03 },
        detectorNoisePx: { type: 'number', minimum: 0, maximum: 50, default: 1 },
        nuisancePerShedDay: { type: 'number', minimum: 0, maximum: 200, default: 4 },
        distractorScale: { type: 'number', minimum: 0, maximum: 100, default: 1 },
        rainDayProbability: { ...rate, default: 0.3 },
        placeEventScale: { type: 'number', minimum: 0, maximum: 100, default: 1 },
      },
    },
    faults: {
      type: 'object',
      additionalProperties: false,
      properties: {
        random: {
          type: 'object',
          additionalProperties: false,
          properties: {
            offlinePerDeviceMonth: { type: 'number', minimum: 0, maximum: 30, default: 0 },
            lowBatteryFraction: { ...rate, default: 0 },
            tamperPerMonth: { type: 'number', minimum: 0, maximum: 1000, default: 0 },
            clockSkewFraction: { ...rate, default: 0 },
          },
        },
        scripted: { type: 'array', items: fault },
      },
    },
    incidents: { type: 'array', items: incident, default: [] },
    randomIncidents: {
      type: 'object',
      additionalProperties: false,
      description: 'how many of each incident to place at random times and places over the run',
      properties: Object.fromEntries(
        [
          'thermal_runaway',
          'thrown_object',
          'elderly_inactivity',
          'tap_running',
          'leak',
          'littering',
          'fire_lane_blocked',
        ].map((k) => [k, { type: 'integer', minimum: 0, maximum: 10_000 }]),
      ),
    },
    load: {
      type: 'object',
      required: ['devices', 'rate'],
      additionalProperties: false,
      description: 'load mode: replaces the behaviour models with N devices sending at a target rate',
      properties: {
        devices: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        rate: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000, description: 'messages per second' },
        synthetic: {
          type: 'boolean',
          default: false,
          description: 'use ids load-00001… (register them first) instead of site devices',
        },
      },
    },
  },
} as const;
