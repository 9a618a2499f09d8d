/**
 * Password hashing for staff logins and MQTT credentials: scrypt from node:crypto, stored as
 * `scrypt$N$r$p$salt$hash` (base64). No native dependency, constant-time comparison.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LEN = 32;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, KEY_LEN, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const verified = new Map<string, boolean>();

/** Checks a password against a stored hash. Results are cached per (hash, password) pair
 *  in memory (keyed by a digest, never the password) so that devices reconnecting in a storm
 *  do not each pay scrypt's cost. */
export function verifyPassword(password: string, stored: string): boolean {
  const cacheKey = createHash('sha256').update(stored).update('\u0000').update(password).digest('base64');
  const cached = verified.get(cacheKey);
  if (cached !== undefined) return cached;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64');
  const actual = scryptSync(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
  if (verified.size > 10_000) verified.clear();
  verified.set(cacheKey, ok);
  return ok;
}
