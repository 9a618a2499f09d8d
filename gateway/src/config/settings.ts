/**
 * Process settings from WEIGE_* environment variables (shared/CONTRACT.md, "Processes and
 * settings"). One schema: name, default, parser, description; `readSettings` reports every bad
 * value at once.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Errors } from '../core/errors.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const EXAMPLE_SITE_FILE = path.join(REPO_ROOT, 'sites/chunjiang.yaml');

export interface Settings {
  httpHost: string;
  /** HTTP API, dashboards, /metrics and MQTT over WebSocket at /mqtt. 0 picks a free port. */
  httpPort: number;
  mqttHost: string;
  /** Embedded broker TCP port. 0 picks a free port. */
  mqttPort: number;
  /** External broker URL; unset = embedded aedes broker. */
  mqttUrl: string | null;
  mqttUsername: string | null;
  mqttPassword: string | null;
  /** MQTT 5 shared-subscription group for spreading devices over several gateways. */
  mqttSharedGroup: string | null;
  dataDir: string;
  siteFile: string;
  influxUrl: string | null;
  /** Readings older than this are deleted from the embedded store. */
  retentionDays: number;
  maxPayloadBytes: number;
  /** Readings stamped further than this in the future (device clock skew) are rejected. */
  maxFutureSkewS: number;
  /** Readings older than this when they arrive are rejected as too late. */
  maxLatenessS: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  tokenTtlH: number;
  /** Extra directory of rule files, loaded and hot-reloaded next to rules/packs. */
  rulesDir: string | null;
  /** Street hub replicas to push incidents to and take street actions from (any one will do). */
  hubUrls: string[];
  /** This gateway's key at the street hub (signs uplink records, authenticates the downlink). */
  hubKey: string | null;
}

type Parser<T> = (raw: string) => T;

const int =
  (min: number, max: number): Parser<number> =>
  (raw) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`must be an integer in [${min}, ${max}]`);
    return n;
  };
const str: Parser<string> = (raw) => raw;
const url =
  (protocols: string[]): Parser<string> =>
  (raw) => {
    const u = new URL(raw);
    if (!protocols.includes(u.protocol)) throw new Error(`must use ${protocols.join(' or ')}`);
    return raw;
  };
const urlList =
  (protocols: string[]): Parser<string[]> =>
  (raw) =>
    raw.split(',').map((u) => url(protocols)(u.trim()).replace(/\/+$/, ''));
const oneOf =
  <T extends string>(values: readonly T[]): Parser<T> =>
  (raw) => {
    if (!values.includes(raw as T)) throw new Error(`must be one of ${values.join(', ')}`);
    return raw as T;
  };

interface Field<K extends keyof Settings> {
  env: string;
  key: K;
  parse: Parser<NonNullable<Settings[K]>>;
  fallback: Settings[K];
}

function field<K extends keyof Settings>(
  env: string,
  key: K,
  parse: Parser<NonNullable<Settings[K]>>,
  fallback: Settings[K],
): Field<K> {
  return { env, key, parse, fallback };
}

const FIELDS = [
  field('WEIGE_HTTP_HOST', 'httpHost', str, '0.0.0.0'),
  field('WEIGE_HTTP_PORT', 'httpPort', int(0, 65535), 8080),
  field('WEIGE_MQTT_HOST', 'mqttHost', str, '0.0.0.0'),
  field('WEIGE_MQTT_PORT', 'mqttPort', int(0, 65535), 1883),
  field('WEIGE_MQTT_URL', 'mqttUrl', url(['mqtt:', 'mqtts:', 'ws:', 'wss:']), null),
  field('WEIGE_MQTT_USERNAME', 'mqttUsername', str, null),
  field('WEIGE_MQTT_PASSWORD', 'mqttPassword', str, null),
  field('WEIGE_MQTT_SHARED_GROUP', 'mqttSharedGroup', str, null),
  field('WEIGE_DATA_DIR', 'dataDir', str, './data'),
  field('WEIGE_SITE', 'siteFile', str, EXAMPLE_SITE_FILE),
  field('WEIGE_INFLUX_URL', 'influxUrl', url(['http:', 'https:']), null),
  field('WEIGE_RETENTION_DAYS', 'retentionDays', int(1, 36500), 400),
  field('WEIGE_MAX_PAYLOAD_BYTES', 'maxPayloadBytes', int(64, 16 * 1024 * 1024), 256 * 1024),
  field('WEIGE_MAX_FUTURE_SKEW_S', 'maxFutureSkewS', int(0, 86400 * 365), 300),
  field('WEIGE_MAX_LATENESS_S', 'maxLatenessS', int(0, 86400 * 3650), 35 * 86400),
  field(
    'WEIGE_LOG_LEVEL',
    'logLevel',
    oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    'info',
  ),
  field('WEIGE_TOKEN_TTL_H', 'tokenTtlH', int(1, 24 * 365), 12),
  field('WEIGE_RULES_DIR', 'rulesDir', str, null),
  field('WEIGE_HUB_URL', 'hubUrls', urlList(['http:', 'https:']), []),
  field('WEIGE_HUB_KEY', 'hubKey', str, null),
] as const;

export function readSettings(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Settings> = {},
): Settings {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const f of FIELDS) {
    const raw = env[f.env];
    if (raw === undefined || raw === '') {
      out[f.key] = f.fallback;
      continue;
    }
    try {
      out[f.key] = f.parse(raw);
    } catch (err) {
      problems.push(`${f.env}=${JSON.stringify(raw)}: ${(err as Error).message}`);
    }
  }
  if (problems.length) throw Errors.configInvalid(`invalid settings:\n  ${problems.join('\n  ')}`, problems);
  return { ...(out as unknown as Settings), ...overrides };
}
