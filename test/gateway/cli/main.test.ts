/** The `npm start` entry point refuses bad configuration with a precise message and exit code 2. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_SITE_FILE } from '../../../gateway/src/site/site-loader.ts';
import { REPO_ROOT } from '../../../gateway/src/config/settings.ts';

function runMain(env: Record<string, string>): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'gateway/src/main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, WEIGE_HTTP_PORT: '0', WEIGE_MQTT_PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stderr: r.stderr };
}

describe('gateway entry point', () => {
  it('fails at start on a bad site file with file, line and message', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weige-badsite-'));
    const file = path.join(dir, 'site.yaml');
    const text = readFileSync(EXAMPLE_SITE_FILE, 'utf8').replace('floorHeightM: 2.8', 'floorHeightM: -1');
    writeFileSync(file, text);
    const line = text.split('\n').findIndex((l) => l.includes('floorHeightM: -1')) + 1;
    const r = runMain({ WEIGE_SITE: file, WEIGE_DATA_DIR: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}:${line}:`);
    expect(r.stderr).toMatch(/\/buildings\/0\/floorHeightM must be > 0/);
  });

  it('fails at start on a bad setting, naming the variable', () => {
    const r = runMain({ WEIGE_MQTT_PORT: 'eighteen', WEIGE_INFLUX_URL: 'ftp://x' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/WEIGE_MQTT_PORT="eighteen": must be an integer/);
    expect(r.stderr).toMatch(/WEIGE_INFLUX_URL="ftp:\/\/x": must use http: or https:/);
  });
});
