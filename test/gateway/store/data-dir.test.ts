/**
 * An unusable data dir stops the gateway at start with one clear line, not a stack (issue 14):
 * a read-only file system (a real read-only tmpfs) and a path that runs through a regular file.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../gateway/src/config/settings.ts';
import { makeDataDir } from '../../helpers/gateway.ts';
import { canMountSmallFs, mountReadOnlyFs, type SmallFs } from '../../helpers/small-fs.ts';

/** Runs `npm start`'s entry point with `dataDir`; resolves with its exit code and stderr. */
function startWith(dataDir: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'gateway/src/main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, WEIGE_DATA_DIR: dataDir, WEIGE_HTTP_PORT: '0', WEIGE_MQTT_PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('an unusable data dir', () => {
  let roFs: SmallFs | null = null;
  afterEach(() => {
    roFs?.unmount();
    roFs = null;
  });

  it.skipIf(!canMountSmallFs())(
    'on a read-only file system: exit 2 with one line',
    async () => {
      roFs = mountReadOnlyFs();
      const dataDir = path.join(roFs.dir, 'data');
      const { code, stderr } = await startWith(dataDir);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(`^weige: data dir '${dataDir}' is not usable \\(.*read-only.*\\)`, 'i'),
        ),
      ]);
    },
    60_000,
  );

  it('under a regular file: exit 2 with one line', async () => {
    const file = path.join(makeDataDir(), 'not-a-directory');
    writeFileSync(file, 'x');
    const dataDir = path.join(file, 'data');
    const { code, stderr } = await startWith(dataDir);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^weige: data dir '${dataDir}' is not usable \\(ENOTDIR`)),
    ]);
  }, 60_000);
});
