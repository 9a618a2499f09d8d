/** Schemas shared by several routes. Schemas are code, never built from user input. */
import { Errors } from '../core/errors.ts';

/** `from`/`to` query values: ISO 8601 or epoch milliseconds. */
export const timeParam = {
  type: 'string',
  maxLength: 40,
  description: 'ISO 8601 time or epoch milliseconds',
} as const;

export function parseTimeParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw Errors.badRequest(`querystring/${name} '${value}' is not a time`);
  return ms;
}

export const readingSchema = {
  type: 'object',
  properties: {
    deviceId: { type: 'string' },
    ts: { type: 'string', description: 'event time, ISO 8601 UTC' },
    port: { type: ['integer', 'null'] },
    values: { type: 'object', additionalProperties: { type: 'number' } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

export const healthSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['online', 'offline', 'unknown'] },
    lastSeen: { type: ['string', 'null'] },
    batteryPct: { type: ['number', 'null'] },
    cause: { type: 'string' },
  },
} as const;

export const deviceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    codec: { type: 'string' },
    name: { type: 'string' },
    household: { type: 'string' },
    place: { type: 'string' },
    building: { type: 'string' },
    facade: { type: 'string' },
    unit: { type: 'string' },
    floor: { type: 'integer' },
    ports: { type: 'integer' },
    tags: { type: 'array', items: { type: 'string' } },
    reportIntervalS: { type: 'integer' },
    calibration: { type: 'object', additionalProperties: true },
    grid: { type: ['string', 'null'] },
    health: healthSchema,
  },
} as const;

export const isoOrNull = (ms: number | null): string | null =>
  ms === null ? null : new Date(ms).toISOString();

/** A silence's matchers (a gateway's silences and the street's): every one given must equal the alert's. */
export const silenceMatchersSchema = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  description: 'every matcher given must equal the alert’s',
  properties: {
    device: { type: 'string', maxLength: 64 },
    place: { type: 'string', maxLength: 64 },
    kind: { type: 'string', maxLength: 64 },
    building: { type: 'string', maxLength: 64 },
    household: { type: 'string', maxLength: 64 },
  },
} as const;

/** Switching peacetime/wartime 平战转换, for a community (PUT /api/site/mode) or a street. */
export const modeBodySchema = {
  type: 'object',
  required: ['mode'],
  additionalProperties: false,
  properties: {
    mode: { type: 'string', enum: ['normal', 'emergency'] },
    reason: { type: 'string', maxLength: 500 },
  },
} as const;
