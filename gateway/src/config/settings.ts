/**
 * Process settings from WEIGE_* environment variables (shared/CONTRACT.md, "Processes and
 * settings"). One schema: name, default, parser, description; `readSettings` reports every bad
 * value at once.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Errors } from '../core/errors.ts';
import { EXAMPLE_SITE_FILE } from '../site/site-loader.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

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
  /** Below this much free space on the data dir's file system, device messages are refused. */
  minFreeMb: number;
  /** Sustained messages per second one device may send (bursts: 30 s worth). */
  deviceMaxMsgsPerS: number;
  /** Sustained payload KiB per second one device may send (bursts: 30 s worth). */
  deviceMaxKbPerS: number;
  /** Payload MiB one device may send per rolling day; 0 = no quota. */
  deviceDailyQuotaMb: number;
  /** Messages waiting for the store at most; beyond it QoS 0 is shed, QoS 1 waits unacknowledged. */
  ingestMaxQueued: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  logFormat: 'auto' | 'json' | 'pretty';
  tokenTtlH: number;
  /** Extra directory of rule files, loaded and hot-reloaded next to rules/packs. */
  rulesDir: string | null;
  /** Open HTTP connections in all; beyond it new ones are closed at once (issue 14: 20,000 idle
   *  sockets used up the process's file descriptors and took MQTT down with HTTP). */
  httpMaxConnections: number;
  /** Open HTTP connections from one remote address. */
  httpMaxConnectionsPerIp: number;
  /** A request's headers must arrive within this (slow-loris). */
  httpHeadersTimeoutS: number;
  /** A whole request (headers and body) must arrive within this. */
  httpRequestTimeoutS: number;
  /** A connection with no traffic at all is closed after this. */
  httpIdleTimeoutS: number;
  /** A keep-alive connection waiting for its next request is closed after this. */
  httpKeepAliveS: number;
  /** Open MQTT (TCP) connections in all. */
  mqttMaxConnections: number;
  /** Open MQTT (TCP) connections from one remote address; devices behind one carrier NAT share it. */
  mqttMaxConnectionsPerIp: number;
  /** A client must send CONNECT within this after opening the socket. */
  mqttConnectTimeoutS: number;
  /** CONNECT attempts per client id per minute; more are refused with "server unavailable". */
  mqttConnectsPerClientPerMin: number;
  /** Wrong passwords (HTTP and MQTT) one address may send per minute before it must wait. */
  loginFailuresPerIpPerMin: number;
  /** Wrong passwords in a row after which an account is locked. */
  lockoutAfterFailures: number;
  /** First lockout; each further failure while locked out doubles it, up to 64×. */
  lockoutBaseS: number;
  /** Password checks (scrypt, on the libuv pool) running at once; more wait in line. */
  passwordCheckConcurrency: number;
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
  field('WEIGE_MIN_FREE_MB', 'minFreeMb', int(0, 1_000_000), 64),
  field('WEIGE_DEVICE_MAX_MSGS_PER_S', 'deviceMaxMsgsPerS', int(1, 1_000_000), 20),
  field('WEIGE_DEVICE_MAX_KB_PER_S', 'deviceMaxKbPerS', int(1, 1_000_000), 256),
  field('WEIGE_DEVICE_DAILY_QUOTA_MB', 'deviceDailyQuotaMb', int(0, 1_000_000), 512),
  field('WEIGE_INGEST_MAX_QUEUED', 'ingestMaxQueued', int(1, 10_000_000), 10_000),
  field(
    'WEIGE_LOG_LEVEL',
    'logLevel',
    oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    'info',
  ),
  field('WEIGE_LOG_FORMAT', 'logFormat', oneOf(['auto', 'json', 'pretty'] as const), 'auto'),
  field('WEIGE_TOKEN_TTL_H', 'tokenTtlH', int(1, 24 * 365), 12),
  field('WEIGE_RULES_DIR', 'rulesDir', str, null),
  field('WEIGE_HTTP_MAX_CONNECTIONS', 'httpMaxConnections', int(1, 1_000_000), 2000),
  field('WEIGE_HTTP_MAX_CONNECTIONS_PER_IP', 'httpMaxConnectionsPerIp', int(1, 1_000_000), 200),
  field('WEIGE_HTTP_HEADERS_TIMEOUT_S', 'httpHeadersTimeoutS', int(1, 3600), 10),
  field('WEIGE_HTTP_REQUEST_TIMEOUT_S', 'httpRequestTimeoutS', int(1, 3600), 60),
  field('WEIGE_HTTP_IDLE_TIMEOUT_S', 'httpIdleTimeoutS', int(1, 3600), 30),
  field('WEIGE_HTTP_KEEPALIVE_S', 'httpKeepAliveS', int(1, 3600), 5),
  field('WEIGE_MQTT_MAX_CONNECTIONS', 'mqttMaxConnections', int(1, 1_000_000), 10_000),
  field('WEIGE_MQTT_MAX_CONNECTIONS_PER_IP', 'mqttMaxConnectionsPerIp', int(1, 1_000_000), 1000),
  field('WEIGE_MQTT_CONNECT_TIMEOUT_S', 'mqttConnectTimeoutS', int(1, 3600), 10),
  field('WEIGE_MQTT_CONNECTS_PER_CLIENT_PER_MIN', 'mqttConnectsPerClientPerMin', int(1, 1_000_000), 12),
  field('WEIGE_LOGIN_FAILURES_PER_IP_PER_MIN', 'loginFailuresPerIpPerMin', int(1, 1_000_000), 30),
  field('WEIGE_LOCKOUT_AFTER_FAILURES', 'lockoutAfterFailures', int(1, 1000), 5),
  field('WEIGE_LOCKOUT_BASE_S', 'lockoutBaseS', int(1, 86400), 30),
  field('WEIGE_PASSWORD_CHECK_CONCURRENCY', 'passwordCheckConcurrency', int(1, 64), 1),
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
  // Node refuses a request timeout shorter than the headers timeout; say so in our terms.
  if (!problems.length && (out.httpHeadersTimeoutS as number) > (out.httpRequestTimeoutS as number))
    problems.push('WEIGE_HTTP_HEADERS_TIMEOUT_S must not exceed WEIGE_HTTP_REQUEST_TIMEOUT_S');
  if (problems.length) throw Errors.configInvalid(`invalid settings:\n  ${problems.join('\n  ')}`, problems);
  return { ...(out as unknown as Settings), ...overrides };
}
