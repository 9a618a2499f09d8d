/**
 * Small real file systems for fault tests: a tmpfs of a few MiB (or a read-only one) mounted on
 * a fresh directory, so that a data dir really runs out of space (ENOSPC → SQLITE_FULL) or really
 * cannot be written (EROFS). Mounting needs root or CAP_SYS_ADMIN. Where that is missing the tests
 * skip, except under CI=true, where a missing capability is an error.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const MIB = 1024 * 1024;

export interface SmallFs {
  dir: string;
  /** Free bytes as the file system reports them to an unprivileged writer. */
  freeBytes(): number;
  /** Writes `bytes` of ballast into `name` (or until the file system is full). */
  fill(name: string, bytes: number): void;
  remove(name: string): void;
  unmount(): void;
}

function mount(options: string): SmallFs {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weige-smallfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  return {
    dir,
    freeBytes() {
      const s = statfsSync(dir);
      return s.bavail * s.bsize;
    },
    fill(name, bytes) {
      const fd = openSync(path.join(dir, name), 'a');
      const chunk = Buffer.alloc(64 * 1024, 0x5a);
      try {
        for (let left = bytes; left > 0; left -= chunk.length)
          writeSync(fd, chunk, 0, Math.min(chunk.length, left));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
    },
    remove(name) {
      rmSync(path.join(dir, name), { force: true });
    },
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A tmpfs of `sizeMb` MiB. */
export function mountSmallFs(sizeMb: number): SmallFs {
  return mount(`size=${sizeMb}m`);
}

/** A read-only tmpfs (nothing can be created in it). */
export function mountReadOnlyFs(): SmallFs {
  return mount('ro,size=1m');
}

/** Whether this process may mount; under CI=true a "no" throws instead of letting tests skip. */
export function canMountSmallFs(): boolean {
  try {
    mountSmallFs(1).unmount();
    return true;
  } catch (err) {
    if (process.env.CI === 'true')
      throw new Error(
        `CI=true but tmpfs cannot be mounted (run the fault tests as root or with CAP_SYS_ADMIN): ${(err as Error).message}`,
      );
    return false;
  }
}
