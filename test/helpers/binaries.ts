import { existsSync } from 'node:fs';
import path from 'node:path';

const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** Absolute path of an executable on PATH or in the sbin directories Debian uses for daemons. */
export function findBinary(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

/** Debian's libfaketime (package libfaketime, installed by scripts/install-test-deps.sh). */
export function requireLibfaketime(): string {
  const candidates = [
    '/usr/lib/x86_64-linux-gnu/faketime',
    '/usr/lib/aarch64-linux-gnu/faketime',
    '/usr/lib/faketime',
  ];
  for (const dir of candidates) {
    const lib = path.join(dir, 'libfaketime.so.1');
    if (existsSync(lib)) return lib;
  }
  throw new Error(
    'libfaketime.so.1 not found: install the Debian package libfaketime (scripts/install-test-deps.sh)',
  );
}
