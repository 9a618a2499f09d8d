/**
 * Generated MQTT secrets for a site with `mqtt.generatedSecrets: true` (the example site): one
 * random secret per device and per account in `<dataDir>/credentials.json`, written with mode
 * 0600 on first start and never committed (data/ is git-ignored). The demo, the simulators and
 * Node-RED read their secret from there; a device or account accepts its generated secret as well
 * as any hash the site file gives it (issue 14: one password for all 400 devices).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Site } from '../contracts/site.ts';
import { Errors } from '../core/errors.ts';
import { hashSecret } from '../core/passwords.ts';

export const SECRETS_FILE = 'credentials.json';

export interface GeneratedSecrets {
  devices: Record<string, string>;
  accounts: Record<string, string>;
}

/** Name → salted hash of its generated secret, for devices and accounts separately. */
export interface GeneratedHashes {
  devices: Map<string, string>;
  accounts: Map<string, string>;
}

export const newSecret = (): string => randomBytes(32).toString('base64url');

export function secretsPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), SECRETS_FILE);
}

export function readSecrets(dataDir: string): GeneratedSecrets | null {
  const file = secretsPath(dataDir);
  if (!existsSync(file)) return null;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<GeneratedSecrets>;
    return { devices: parsed.devices ?? {}, accounts: parsed.accounts ?? {} };
  } catch (err) {
    throw Errors.configInvalid(`${file}: not readable JSON (${(err as Error).message})`);
  }
}

export function writeSecrets(dataDir: string, secrets: GeneratedSecrets): void {
  const file = secretsPath(dataDir);
  mkdirSync(path.dirname(file), { recursive: true });
  // Write then rename: a crash never leaves half a file of secrets.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** Reads the secrets file, adding a secret for every device and account that has none yet;
 *  returns their hashes and how many were added. */
export function ensureSecrets(dataDir: string, site: Site): { hashes: GeneratedHashes; added: number } {
  const secrets = readSecrets(dataDir) ?? { devices: {}, accounts: {} };
  let added = 0;
  for (const d of site.devices)
    if (!secrets.devices[d.id]) {
      secrets.devices[d.id] = newSecret();
      added++;
    }
  for (const a of site.mqtt?.accounts ?? [])
    if (!secrets.accounts[a.username]) {
      secrets.accounts[a.username] = newSecret();
      added++;
    }
  if (added) writeSecrets(dataDir, secrets);
  const hashed = (m: Record<string, string>) =>
    new Map(Object.entries(m).map(([k, v]) => [k, hashSecret(v)]));
  return { hashes: { devices: hashed(secrets.devices), accounts: hashed(secrets.accounts) }, added };
}
