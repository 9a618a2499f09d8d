/**
 * Password hashing for staff logins and MQTT credentials: scrypt from node:crypto, stored as
 * `scrypt$N$r$p$salt$hash` (base64), compared in constant time.
 *
 * Checks never run on the event loop that acknowledges every device's readings (issue 14: 26
 * wrong logins/s with `scryptSync` raised other devices' PUBACK p99 from 9 to 651 ms):
 * `PasswordChecker` runs them on low-priority worker threads (`ScryptWorkers`), a capped number at
 * once, so a storm can take neither the event loop nor the CPU that ingest needs.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { Errors } from './errors.ts';
import { ScryptWorkers, type ScryptParams } from './scrypt-workers.ts';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LEN = 32;
/** Successful checks remembered (keyed by a digest, never the password) so that devices
 *  reconnecting in a storm do not each pay scrypt's cost. Failures are never remembered. */
const MAX_REMEMBERED = 10_000;

/** Hash of a random password nobody knows, with the same cost as real ones: an unknown user or
 *  device is checked against it, so a refusal takes as long whether the name exists or not. */
const DUMMY_HASH = 'scrypt$16384$8$1$Mlu1GV0sPIRrct2a5KNcFg==$Vmfy+2D06Ms3jlumOL9Bz7RdNMBV/zA0W+wiirmKTCM=';

function scryptAsync(
  password: string,
  salt: Buffer,
  keyLen: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyLen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A new hash with its own random salt (no two hashes share a salt). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_LEN, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export class PasswordChecker {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly remembered = new Set<string>();
  private readonly workers: ScryptWorkers;

  /** `concurrency` checks run at once; up to `maxWaiting` more wait, beyond that
   *  `Errors.authBusy` (the caller answers "busy, retry later") is thrown at once. */
  constructor(
    private readonly concurrency: number,
    // Short: a check waiting behind 32 others already waits ~2 s (more under load), and the
    // client's own timeout would end it anyway.
    private readonly maxWaiting = 32,
  ) {
    this.workers = new ScryptWorkers(concurrency);
  }

  /** True when `password` matches `stored`. `stored` null (unknown user or device) still costs a
   *  full check, against a dummy hash, and is always false. */
  async verify(password: string, stored: string | null): Promise<boolean> {
    const cacheKey = stored
      ? createHash('sha256').update(stored).update('\u0000').update(password).digest('base64')
      : null;
    if (cacheKey && this.remembered.has(cacheKey)) return true;
    const derive = (pw: string, salt: Buffer, keyLen: number, params: ScryptParams): Promise<Buffer> =>
      this.workers.derive(pw, salt, keyLen, params);
    const ok = (await this.limited(() => matches(password, stored ?? DUMMY_HASH, derive))) && stored !== null;
    if (ok && cacheKey) {
      if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
      this.remembered.add(cacheKey);
    }
    return ok;
  }

  /** Stops the worker threads (the gateway's stop). */
  close(): Promise<void> {
    return this.workers.close();
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting)
        throw Errors.authBusy('too many logins at once; try again shortly', { retryAfterS: 1 });
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next in line (running stays the same), or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * A generated secret (32 random bytes) cannot be guessed, so it needs no slow hash: a salted
 * SHA-256 (`sha256$salt$digest`), checked in microseconds on the event loop.
 */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16).toString('base64');
  return `sha256$${salt}$${createHash('sha256').update(salt).update(secret).digest('base64')}`;
}

export function secretMatches(secret: string, stored: string): boolean {
  const [scheme, salt, digest] = stored.split('$');
  if (scheme !== 'sha256' || salt === undefined || digest === undefined) return false;
  const expected = Buffer.from(digest, 'base64');
  const actual = createHash('sha256').update(salt).update(secret).digest();
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

type Derive = (password: string, salt: Buffer, keyLen: number, params: ScryptParams) => Promise<Buffer>;

/** One scrypt check; by default on the libuv pool, outside any `PasswordChecker` (start-up checks
 *  that must not hold a slot). */
export async function matches(
  password: string,
  stored: string,
  derive: Derive = scryptAsync,
): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64');
  const actual = await derive(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
