/** JSON Schemas for alerting's routes. Open objects (evidence, args) pass through as given. */
import { SEVERITIES } from '../contracts/alerts.ts';
import { INCIDENT_STATES } from '../contracts/incidents.ts';
import { DISPOSITIONS } from '../alerting/model.ts';
import { Type } from '@fastify/type-provider-typebox';
import { StringEnum, WithDefault } from './schemas.ts';

const nullableString = { type: ['string', 'null'] } as const;
const text = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const locationSchema = {
  type: 'object',
  properties: {
    building: nullableString,
    facade: nullableString,
    floor: { type: ['integer', 'null'] },
    floorRange: { type: ['array', 'null'], items: { type: 'integer' } },
    unit: nullableString,
    household: nullableString,
    place: nullableString,
  },
} as const;

const sourceSchema = {
  type: 'object',
  properties: { deviceId: nullableString, rule: nullableString, model: nullableString },
} as const;

export const alertSchema = {
  type: 'object',
  description: 'An alert (shared/CONTRACT.md), in the language asked for, with both languages under `texts`',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    severity: { type: 'string', enum: [...SEVERITIES] },
    siteId: { type: 'string' },
    title: { type: 'string' },
    message: { type: 'string' },
    location: locationSchema,
    grid: { type: 'array', items: { type: 'string' } },
    eventTs: { type: 'string' },
    detectedAt: { type: 'string', description: 'event time at which the detector decided' },
    raisedAt: { type: 'string', description: 'wall-clock time the gateway raised the alert' },
    source: sourceSchema,
    evidence: { type: 'object', additionalProperties: true },
    incidentId: nullableString,
    status: { type: 'string', enum: ['firing', 'resolved', 'silenced', 'inhibited'] },
    dedupeKey: { type: 'string' },
    mutedBy: nullableString,
    texts: { type: 'object', properties: { title: text, message: text } },
  },
} as const;

/** An alert in a list: everything but the evidence, which is read (and logged) via `evidenceUrl`. */
export const alertListItemSchema = {
  type: 'object',
  description:
    'An alert without its evidence: `evidenceSummary` says what it holds, `evidenceUrl` is the ' +
    "incident's evidence package (every read logged); null when the alert opened no incident",
  properties: {
    ...Object.fromEntries(Object.entries(alertSchema.properties).filter(([k]) => k !== 'evidence')),
    evidenceSummary: {
      type: 'object',
      properties: {
        fields: { type: 'array', items: { type: 'string' } },
        links: { type: 'integer', description: 'snapshot/clip links in the evidence' },
      },
    },
    evidenceUrl: nullableString,
  },
} as const;

const pageSchema = {
  type: 'object',
  properties: {
    staffId: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    post: nullableString,
    step: { type: 'integer' },
  },
} as const;

export const incidentSchema = {
  type: 'object',
  description: 'An incident: the 四单制 loop with who was paged, tasks, commands and response times',
  properties: {
    id: { type: 'string' },
    siteId: { type: 'string' },
    kind: { type: 'string' },
    severity: { type: 'string' },
    state: { type: 'string', enum: [...INCIDENT_STATES] },
    title: { type: 'string' },
    message: { type: 'string' },
    texts: { type: 'object', properties: { title: text, message: text } },
    dedupeKey: { type: 'string' },
    location: locationSchema,
    grid: { type: 'array', items: { type: 'string' } },
    source: sourceSchema,
    occurrences: { type: 'integer' },
    firstAlertId: { type: 'string' },
    lastAlertId: { type: 'string' },
    firstEventTs: { type: 'string' },
    lastEventTs: { type: 'string' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    emergency: { type: 'boolean' },
    escalationStep: { type: 'integer' },
    escalationLevel: nullableString,
    chain: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          label: { type: 'string' },
          gridNode: { type: 'string' },
          staff: { type: 'array', items: pageSchema },
        },
      },
    },
    paged: { type: 'array', items: pageSchema },
    assignees: { type: 'array', items: { type: 'string' } },
    acceptedBy: nullableString,
    acceptedAt: nullableString,
    arrivedAt: nullableString,
    resolvedBy: nullableString,
    resolvedAt: nullableString,
    disposition: nullableString,
    resolutionNote: nullableString,
    photos: { type: 'array', items: { type: 'string' } },
    reviewedBy: nullableString,
    reviewedAt: nullableString,
    rating: { type: ['integer', 'null'] },
    reviewNote: nullableString,
    autoResolve: { type: 'boolean' },
    clearedAt: nullableString,
    flapping: { type: 'boolean' },
    tasks: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          role: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'string' },
          checklist: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                text: { type: 'string' },
                done: { type: 'boolean' },
                by: nullableString,
                at: nullableString,
              },
            },
          },
        },
      },
    },
    commands: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          deviceId: { type: 'string' },
          name: { type: 'string' },
          args: { type: 'object', additionalProperties: true },
          status: { type: 'string' },
          attempts: { type: 'integer' },
          maxAttempts: { type: 'integer' },
          lastError: nullableString,
          issuedAt: nullableString,
          lastSentAt: nullableString,
          confirmedAt: nullableString,
        },
      },
    },
    lastChange: {
      type: 'object',
      properties: { type: { type: 'string' }, at: { type: 'string' }, by: nullableString },
    },
  },
} as const;

export const historySchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: { type: 'string' },
    type: { type: 'string' },
    by: nullableString,
    fromState: nullableString,
    toState: nullableString,
    note: nullableString,
    data: { type: 'object', additionalProperties: true },
  },
} as const;

export const langQuery = StringEnum(['zh-CN', 'en'], {
  default: 'zh-CN',
  description: 'language of title and message',
});

/** The querystring of a route that reads one alert or incident. */
export const langQueryString = Type.Object({ lang: WithDefault(langQuery) });

export const idParams = Type.Object({ id: Type.String({ maxLength: 128 }) });

export const stepBody = Type.Object(
  {
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    rating: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    to: Type.Optional(Type.String({ maxLength: 64 })),
    disposition: Type.Optional(StringEnum(DISPOSITIONS)),
    photos: Type.Optional(Type.Array(Type.String({ format: 'uri', maxLength: 2048 }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);
