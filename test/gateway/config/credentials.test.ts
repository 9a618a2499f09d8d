/**
 * Per-device credentials (issue 14: one password hash for all 400 devices, one salt for 34 staff,
 * no warning about demo passwords): generated secrets in the data dir, each valid for its own
 * device only, kept across restarts and rotated by the CLI; unique salts; a loud warning at start.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../gateway/src/config/settings.ts';
import { loadSiteFile, EXAMPLE_SITE_FILE } from '../../../gateway/src/site/site-loader.ts';
import { hashPassword } from '../../../gateway/src/core/passwords.ts';
import { eventually, makeDataDir, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../../helpers/gateway-process.ts';

const run = promisify(execFile);
let gw: TestGateway | null = null;
let proc: GatewayProcess | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await gw?.stop();
  await proc?.stop();
  gw = null;
  proc = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Secrets {
  devices: Record<string, string>;
  accounts: Record<string, string>;
}
const readSecrets = (dataDir: string): Secrets =>
  JSON.parse(readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as Secrets;

/** The CONNACK code: 0 accepted, 4 bad username or password. */
async function connackCode(url: string, username: string, password: string): Promise<number> {
  try {
    const client = await mqtt.connectAsync(url, {
      username,
      password,
      clientId: username,
      reconnectPeriod: 0,
    });
    await client.endAsync(true);
    return 0;
  } catch (err) {
    return (err as Error & { code?: number }).code ?? -1;
  }
}

describe('generated secrets for the example site', () => {
  it('writes one secret per device and account, private to the owner, each valid for its own device only', async () => {
    gw = await startTestGateway();
    const file = path.join(gw.dataDir, 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secrets = readSecrets(gw.dataDir);
    const site = loadSiteFile(EXAMPLE_SITE_FILE);
    expect(Object.keys(secrets.devices).sort()).toEqual(site.devices.map((d) => d.id).sort());
    expect(Object.keys(secrets.accounts).sort()).toEqual(['dashboard', 'node-red', 'simulator']);
    const all = [...Object.values(secrets.devices), ...Object.values(secrets.accounts)];
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((s) => s.length >= 43)).toBe(true); // 32 random bytes

    const [a, b] = ['wm-B3-1-1201', 'wm-B3-1-1202'];
    expect(await connackCode(gw.mqttUrl, a, secrets.devices[a]!)).toBe(0);
    expect(await connackCode(gw.mqttUrl, b, secrets.devices[a]!)).toBe(4);
    expect(await connackCode(gw.mqttUrl, 'simulator', secrets.accounts.simulator!)).toBe(0);
    expect(await connackCode(gw.mqttUrl, 'simulator', secrets.devices[a]!)).toBe(4);
  });

  it('keeps the secrets across a restart, and a rotated one replaces the old', async () => {
    const dataDir = makeDataDir();
    dirs.push(dataDir);
    gw = await startTestGateway({ dataDir });
    const before = readSecrets(dataDir);
    await gw.stop({ keepData: true });
    const device = 'smoke-shed-2';
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/credentials.ts', 'rotate', device, '--data-dir', dataDir],
      { cwd: REPO_ROOT },
    );
    const rotated = stdout.trim();
    gw = await startTestGateway({ dataDir });
    const after = readSecrets(dataDir);
    expect(rotated).not.toBe(before.devices[device]);
    expect(after.devices[device]).toBe(rotated);
    expect({ ...after.devices, [device]: 'x' }).toEqual({ ...before.devices, [device]: 'x' });
    expect(await connackCode(gw.mqttUrl, device, before.devices[device]!)).toBe(4);
    expect(await connackCode(gw.mqttUrl, device, rotated)).toBe(0);
  });
});

describe('site hashes', () => {
  it('gives every hash in the example site its own salt', () => {
    const site = loadSiteFile(EXAMPLE_SITE_FILE);
    const hashes = [
      ...site.staff.map((s) => s.passwordHash),
      ...site.mqtt.accounts.map((a) => a.passwordHash),
      site.mqtt.devicePasswordHash!,
    ];
    const salts = hashes.map((h) => h.split('$')[4]);
    expect(hashes.length).toBe(40); // 36 staff (dispatcher and dpo since issue 18), 3 accounts, devices
    expect(new Set(salts).size).toBe(hashes.length);
  });
});

describe('demo password warning', { timeout: 90_000 }, () => {
  it('warns loudly at start while demo passwords are in use', async () => {
    const dataDir = makeDataDir();
    dirs.push(dataDir);
    proc = await spawnGateway({ WEIGE_DATA_DIR: dataDir, WEIGE_LOG_LEVEL: 'info' });
    const gateway = proc;
    const line = await eventually(
      () =>
        gateway
          .logs()
          .split('\n')
          .find((l) => l.includes('DEMO PASSWORDS IN USE')),
      30_000,
    );
    const entry = JSON.parse(line) as { level: number; msg: string; demoPasswords: Record<string, string[]> };
    expect(entry.level).toBe(40); // warn
    expect(entry.demoPasswords.staff).toHaveLength(36);
    expect(entry.demoPasswords.devices).toEqual(['default']);
    expect(entry.demoPasswords.accounts).toEqual(['simulator', 'node-red', 'dashboard']);
    expect(entry.msg).toMatch(/npm run credentials/);
    // People starting it read where to go and how to log in, not only JSON fields.
    const logs = gateway.logs();
    expect(logs).toMatch(
      /console http:\/\/localhost:\d+\/console\.html, phone page http:\/\/localhost:\d+\/worker\.html/,
    );
    await eventually(
      () =>
        /demo login at http:\/\/localhost:\d+\/: property, mg3-responder-a, mg3-care-a, engineer with password 'weige-demo'/.test(
          gateway.logs(),
        ),
      10_000,
    );
  });

  it('stays quiet for a site with its own passwords', async () => {
    const dataDir = makeDataDir();
    dirs.push(dataDir);
    const site = loadSiteFile(EXAMPLE_SITE_FILE);
    const own = await hashPassword('a site of its own');
    for (const s of site.staff) s.passwordHash = own;
    for (const a of site.mqtt.accounts) a.passwordHash = own;
    delete site.mqtt.devicePasswordHash;
    const siteFile = path.join(dataDir, 'site.yaml');
    writeFileSync(siteFile, stringify(site));
    proc = await spawnGateway({ WEIGE_DATA_DIR: dataDir, WEIGE_SITE: siteFile, WEIGE_LOG_LEVEL: 'info' });
    const gateway = proc;
    await eventually(() => gateway.logs().includes('no demo passwords in use'), 30_000);
    expect(gateway.logs()).not.toContain('DEMO PASSWORDS IN USE');
  });
});
