/**
 * The street file (YAML): the street, its communities with their gateway keys, the street's
 * escalation timeouts and its accounts. One JSON Schema, all errors reported at once.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import type { LocalizedText, Role } from '../contracts/site.ts';
import { Errors } from '../core/errors.ts';

export interface StreetAccount {
  username: string;
  name: string;
  passwordHash: string;
  roles: Role[];
  /** A community account sees only this site; a street account (no site) sees every community. */
  site?: string;
}

export interface StreetCommunity {
  siteId: string;
  name: LocalizedText;
  /** Shared with the gateway (WEIGE_HUB_KEY): signs its uplink records, authenticates it. */
  key: string;
}

export interface Street {
  version: 1;
  id: string;
  name: LocalizedText;
  /** The street's node id in the communities' grids: an incident escalated to it is the street's. */
  gridId: string;
  escalation: { acceptS: number; reminderS: number };
  communities: StreetCommunity[];
  staff: StreetAccount[];
}

const text = {
  type: 'object',
  required: ['zh-CN'],
  properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } },
  additionalProperties: false,
};

export const STREET_SCHEMA = {
  type: 'object',
  title: 'Weige street file',
  required: ['version', 'id', 'name', 'gridId', 'communities', 'staff'],
  additionalProperties: false,
  properties: {
    version: { const: 1, description: 'Street file format version.' },
    id: { type: 'string', pattern: '^[a-z0-9-]+$', description: 'Street id.' },
    name: { ...text, description: 'Street name, zh-CN first.' },
    gridId: { type: 'string', description: "The street's grid node id in the communities' site files." },
    escalation: {
      type: 'object',
      description: 'Street-level escalation: reminders to the duty officer, then the street administrator.',
      default: {},
      additionalProperties: false,
      properties: {
        acceptS: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 300,
          description: 'Seconds until street_admin is paged.',
        },
        reminderS: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 60,
          description: 'Seconds between reminders.',
        },
      },
    },
    communities: {
      type: 'array',
      items: {
        type: 'object',
        required: ['siteId', 'name', 'key'],
        additionalProperties: false,
        properties: {
          siteId: { type: 'string', description: 'The community site id (its site file `id`).' },
          name: text,
          key: { type: 'string', minLength: 16, description: 'Gateway key (WEIGE_HUB_KEY on that gateway).' },
        },
      },
    },
    staff: {
      type: 'array',
      items: {
        type: 'object',
        required: ['username', 'name', 'passwordHash', 'roles'],
        additionalProperties: false,
        properties: {
          username: { type: 'string', minLength: 1 },
          name: { type: 'string' },
          passwordHash: { type: 'string', pattern: '^scrypt\\$' },
          roles: { type: 'array', minItems: 1, items: { type: 'string' } },
          site: { type: 'string', description: 'Set for a community account: it sees only this site.' },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(STREET_SCHEMA);

export function loadStreetFile(file: string): Street {
  const data = parse(readFileSync(file, 'utf8')) as unknown;
  if (!validate(data))
    throw Errors.configInvalid(
      `invalid street file ${file}:\n  ${(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('\n  ')}`,
    );
  const street = data as Street;
  const sites = new Set(street.communities.map((c) => c.siteId));
  const bad = street.staff.filter((s) => s.site !== undefined && !sites.has(s.site));
  if (bad.length)
    throw Errors.configInvalid(
      `invalid street file ${file}: accounts of unknown sites: ${bad.map((s) => s.username).join(', ')}`,
    );
  return street;
}
