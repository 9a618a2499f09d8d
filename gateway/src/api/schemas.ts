/**
 * Schemas shared by several routes. Schemas are code, never built from user input. Request schemas
 * are TypeBox values: a route declares them once and fastify's type provider gives the handler
 * its `body`/`params`/`query` types from them (no hand-written generics).
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import {
  Type,
  type SchemaOptions,
  type TSchema,
  type TypeBoxTypeProvider,
} from '@fastify/type-provider-typebox';
import { Errors } from '../core/errors.ts';

/** The app a route plugin receives, its request types inferred from the route's TypeBox schemas. */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** A string enum as plain JSON Schema `enum` (TypeBox's literal union would be an `anyOf`, with other errors). */
export const StringEnum = <const T extends readonly string[]>(values: T, options: SchemaOptions = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

/**
 * A property with a `default`: optional in the schema (not in `required`), but ajv fills it in
 * (useDefaults), so the handler's type has it set.
 */
export const WithDefault = <T extends TSchema>(schema: T): T => Type.Optional(schema) as unknown as T;

/** `from`/`to` query values: ISO 8601 or epoch milliseconds. */
export const timeParam = Type.String({ maxLength: 40, description: 'ISO 8601 time or epoch milliseconds' });

/** The plain `from`/`to` window (a device's readings and events). */
export const timeWindowProps = { from: Type.Optional(timeParam), to: Type.Optional(timeParam) };

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
const matcher = Type.Optional(Type.String({ maxLength: 64 }));
export const silenceMatchersSchema = Type.Object(
  { device: matcher, place: matcher, kind: matcher, building: matcher, household: matcher },
  {
    minProperties: 1,
    additionalProperties: false,
    description: 'every matcher given must equal the alert’s',
  },
);

/** Switching peacetime/wartime 平战转换, for a community (PUT /api/site/mode) or a street. */
export const modeBodySchema = Type.Object(
  {
    mode: StringEnum(['normal', 'emergency']),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
