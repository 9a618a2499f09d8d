/**
 * The one JSON Schema for a rule file (STYLE.md habit 5). Ajv checks shape; the loader then
 * compiles facts, operators, templates and references and reports anything wrong with its line
 * and column. Every field is described here, and the guide (rules/README.md) follows it.
 */
import { ALERT_KINDS, SEVERITIES } from '../../contracts/alerts.ts';
import { DEVICE_KINDS } from '../../contracts/readings.ts';
import { PLACE_KINDS } from '../../contracts/site.ts';
import { DURATION_PATTERN } from './duration.ts';

export const RULE_FILE_VERSION = 1;

const duration = { type: 'string', pattern: DURATION_PATTERN, description: 'e.g. 90s, 5m, 12h, 1d' };
const strings = (description: string, items: object = { type: 'string', minLength: 1 }) => ({
  description,
  type: 'array',
  minItems: 1,
  items,
});
const text = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'message'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 200 },
    message: { type: 'string', minLength: 1, maxLength: 2000 },
  },
};
/** What the rule means, for the rule list: both languages, like `texts` (users read zh-CN). */
const description = {
  type: 'object',
  additionalProperties: false,
  required: ['zh-CN', 'en'],
  description: 'what the rule means, for the rule list: {zh-CN: …, en: …}',
  properties: {
    'zh-CN': { type: 'string', minLength: 1, maxLength: 500 },
    en: { type: 'string', minLength: 1, maxLength: 500 },
  },
};
const deviceFilter = {
  type: 'object',
  additionalProperties: false,
  properties: {
    deviceKind: strings('device kinds', { enum: DEVICE_KINDS }),
    tags: strings('the device must carry every one of these tags'),
    notTags: strings('the device must carry none of these tags'),
    device: strings('device ids'),
  },
};

export const RULE_SCHEMA = {
  $id: 'weige-rule',
  title: 'Weige rule',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'id', 'kind', 'severity', 'match', 'when', 'texts'],
  properties: {
    version: { const: RULE_FILE_VERSION, description: 'rule file format version' },
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,63}$', description: 'kebab-case, unique' },
    description,
    source: { type: 'string', description: 'where the thresholds come from (FIELD-NOTES section, standard)' },
    enabled: { type: 'boolean', default: true },
    kind: {
      type: 'string',
      pattern: '^[a-z][a-z0-9_]{1,63}$',
      description: `alert kind, e.g. ${ALERT_KINDS.join(', ')}`,
    },
    severity: { enum: SEVERITIES },
    match: {
      description: 'which inputs the rule looks at; all given criteria must hold',
      type: 'object',
      additionalProperties: false,
      properties: {
        source: { enum: ['reading', 'event', 'health'], default: 'reading' },
        deviceKind: strings('device kinds', { enum: DEVICE_KINDS }),
        eventType: strings('device event types (source: event)'),
        tags: strings('the device must carry every one of these tags'),
        notTags: strings('the device must carry none of these tags'),
        device: strings('device ids'),
        placeKind: strings('kinds of the place the device is at', { enum: PLACE_KINDS }),
        place: strings('place ids'),
        building: strings('building ids (of the device, its household or its place)'),
        facade: strings('façade ids'),
        grid: { type: 'string', description: 'grid node; the device must hang at or below it' },
        household: {
          type: 'object',
          additionalProperties: false,
          description: 'the device must belong to a household with these flags',
          properties: { livesAlone: { type: 'boolean' }, elderly: { type: 'boolean' } },
        },
      },
    },
    subject: {
      enum: ['device', 'place'],
      default: 'device',
      description: 'what one alert is about: each device (and port), or each place (combining its devices)',
    },
    when: { $ref: '#/$defs/condition' },
    for: { ...duration, description: 'the condition must hold this long (event time) before firing' },
    clear: {
      description: "'none' for one-shot rules (each firing stands alone); else when the alert clears",
      oneOf: [
        { const: 'none' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['when'],
          properties: { when: { $ref: '#/$defs/condition' }, for: duration },
        },
      ],
    },
    schedule: {
      type: 'object',
      additionalProperties: false,
      description: 'fire only at these local times (site timezone)',
      properties: {
        days: strings('days of the week', { enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] }),
        from: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
        to: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
      },
    },
    dedupeKey: {
      type: 'string',
      minLength: 1,
      description: 'template grouping repeated detections into one incident; default {rule}:{subject}',
    },
    cooldown: { ...duration, description: 'after a firing, do not fire again for this long' },
    fallbackFor: {
      type: 'string',
      pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
      description:
        'a model name: the rule is the fallback for that model and raises nothing while the model is loaded (one decision per danger)',
    },
    autoResolve: {
      type: 'boolean',
      default: false,
      description: 'when the alert clears, alerting may resolve its incident',
    },
    texts: {
      type: 'object',
      additionalProperties: false,
      required: ['zh-CN', 'en'],
      properties: { 'zh-CN': text, en: text },
    },
  },
  $defs: {
    condition: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['all'],
          properties: { all: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } } },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['any'],
          properties: { any: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } } },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['not'],
          properties: { not: { $ref: '#/$defs/condition' } },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['fact', 'op', 'value'],
          properties: {
            fact: { type: 'string', minLength: 1, description: 'e.g. max(temp_c, 5m)' },
            op: {
              type: 'string',
              description: 'a registered operator (gt, gte, lt, lte, eq, neq, in, between, outside)',
            },
            value: {
              description: 'number, string, boolean, list, duration (compared in seconds) or {ref, default}',
              anyOf: [
                { type: ['number', 'string', 'boolean', 'array'] },
                {
                  type: 'object',
                  additionalProperties: false,
                  required: ['ref', 'default'],
                  properties: { ref: { type: 'string' }, default: { type: 'number' } },
                },
              ],
            },
            as: {
              type: 'string',
              pattern: '^[a-zA-Z][a-zA-Z0-9_]*$',
              description: 'name for texts and evidence',
            },
            scope: {
              enum: ['self', 'place'],
              default: 'self',
              description: 'place: true when any device at the same place (matching `devices`) satisfies it',
            },
            devices: deviceFilter,
          },
        },
      ],
    },
  },
} as const;
