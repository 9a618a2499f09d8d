/** The street file and the hub's settings: the example loads; bad input is refused with every problem named. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHubSettings, EXAMPLE_STREET_FILE } from '../../../gateway/src/hub/settings.ts';
import { loadStreetFile } from '../../../gateway/src/hub/street-file.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'weige-street-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(text: string): string {
  const file = path.join(dir, `street-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe('street file', () => {
  it('loads the example street with its defaults', () => {
    const street = loadStreetFile(EXAMPLE_STREET_FILE);
    expect(street.id).toBe('wuliqiao');
    expect(street.communities.map((c) => c.siteId)).toEqual(['chunjiang']);
    expect(street.staff.map((s) => [s.username, s.roles, s.site ?? null])).toEqual([
      ['street-duty', ['street_duty'], null],
      ['street-admin', ['street_admin'], null],
      ['chunjiang-manager', ['property_manager'], 'chunjiang'],
    ]);
  });

  it('names every schema problem at once, with its path', () => {
    const file = write(`version: 1
id: Bad Id
name: {zh-CN: 街道}
gridId: s
communities:
  - {siteId: a, name: {zh-CN: 甲}, key: short}
staff: []
`);
    expect(() => loadStreetFile(file)).toThrow(
      /\/id must match pattern[\s\S]*\/communities\/0\/key must NOT have fewer than 16 characters/,
    );
  });

  it('refuses an account of a community the street does not have', () => {
    const file = write(`version: 1
id: s
name: {zh-CN: 街道}
gridId: s
communities: []
staff:
  - {username: x, name: x, passwordHash: "scrypt$1", roles: [property_manager], site: elsewhere}
`);
    expect(() => loadStreetFile(file)).toThrow('accounts of unknown sites: x');
  });
});

describe('hub settings', () => {
  it('needs a PostgreSQL URL and names each bad value', () => {
    expect(() => readHubSettings({ WEIGE_HUB_HTTP_PORT: 'x' })).toThrow(
      /WEIGE_HUB_HTTP_PORT=x: must be an integer[\s\S]*WEIGE_HUB_DATABASE_URL: must be a postgres:\/\/ URL/,
    );
    const s = readHubSettings({ WEIGE_HUB_DATABASE_URL: 'postgres://h/db', WEIGE_HUB_REPLICA: 'r1' });
    expect(s).toMatchObject({
      databaseUrl: 'postgres://h/db',
      httpPort: 8090,
      replica: 'r1',
      streetFile: EXAMPLE_STREET_FILE,
    });
  });
});
