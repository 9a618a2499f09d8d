/**
 * The street hub's process settings (WEIGE_HUB_* environment variables; README "Street hub").
 * Every replica of one street gets the same database and street file; replicas differ only in
 * their name (for the record of who ran which timer) and perhaps their port.
 */
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../config/settings.ts';
import { Errors } from '../core/errors.ts';
import type { Settings } from '../config/settings.ts';

export interface HubSettings {
  databaseUrl: string;
  streetFile: string;
  httpHost: string;
  /** 0 picks a free port. */
  httpPort: number;
  replica: string;
  logLevel: Settings['logLevel'];
  tokenTtlH: number;
  /** How often (milliseconds) a replica looks for due escalation timers. */
  jobPollMs: number;
}

export const EXAMPLE_STREET_FILE = path.join(REPO_ROOT, 'sites/wuliqiao-street.yaml');
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function readHubSettings(env: NodeJS.ProcessEnv, overrides: Partial<HubSettings> = {}): HubSettings {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      problems.push(`${name}=${raw}: must be an integer in [${min}, ${max}]`);
    return n;
  };
  const logLevel = (env.WEIGE_LOG_LEVEL || 'info') as HubSettings['logLevel'];
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`WEIGE_LOG_LEVEL=${logLevel}: must be one of ${LOG_LEVELS.join(', ')}`);
  const settings: HubSettings = {
    databaseUrl: env.WEIGE_HUB_DATABASE_URL ?? '',
    streetFile: env.WEIGE_HUB_STREET || EXAMPLE_STREET_FILE,
    httpHost: env.WEIGE_HUB_HTTP_HOST || '0.0.0.0',
    httpPort: int('WEIGE_HUB_HTTP_PORT', 8090, 0, 65535),
    replica: env.WEIGE_HUB_REPLICA || `${os.hostname()}:${process.pid}`,
    logLevel,
    tokenTtlH: int('WEIGE_TOKEN_TTL_H', 12, 1, 24 * 365),
    jobPollMs: int('WEIGE_HUB_JOB_POLL_MS', 500, 20, 60_000),
    ...overrides,
  };
  if (!/^postgres(ql)?:\/\//.test(settings.databaseUrl))
    problems.push(
      'WEIGE_HUB_DATABASE_URL: must be a postgres:// URL (the street hub keeps everything there)',
    );
  if (problems.length) throw Errors.configInvalid(`invalid settings:\n  ${problems.join('\n  ')}`, problems);
  return settings;
}
