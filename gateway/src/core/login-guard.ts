/**
 * Throttling for anything that checks a password (HTTP login, MQTT CONNECT):
 * - per remote address, a bucket of `attemptsPerMin` attempts that refills continuously; a
 *   successful login gives its attempt back, so many devices behind one carrier NAT reconnecting
 *   after a restart are not throttled, while a guessing address soon must wait;
 * - per account (optional), a lockout after `lockoutAfterFailures` wrong passwords in a row,
 *   `lockoutBaseS` long and doubling with every further failure (up to 64×).
 * Unknown account names are tracked like real ones, so a lockout says nothing about existence.
 */
import type { Clock } from './clock.ts';

export interface LoginGuardOptions {
  attemptsPerMin: number;
  lockoutAfterFailures: number;
  lockoutBaseS: number;
}

export type LoginRefusal = { reason: 'address_throttled' | 'account_locked'; retryAfterS: number };

/** Entries kept per map; beyond it the oldest go (keys come from outside and must not grow without end). */
const MAX_TRACKED = 50_000;
const MAX_BACKOFF_DOUBLINGS = 6;

interface Bucket {
  tokens: number;
  at: number;
}

interface AccountFailures {
  count: number;
  lockedUntil: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perMin: number,
    private readonly clock: Clock,
  ) {}

  /** Takes one token for `key`: 0 when granted, else the seconds until one is free. */
  take(key: string): number {
    const bucket = this.refilled(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.perMin));
  }

  giveBack(key: string): void {
    const bucket = this.refilled(key);
    bucket.tokens = Math.min(this.perMin, bucket.tokens + 1);
  }

  private refilled(key: string): Bucket {
    const now = this.clock.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.perMin, at: now };
      remember(this.buckets, key, bucket);
    }
    bucket.tokens = Math.min(this.perMin, bucket.tokens + ((now - bucket.at) / 60_000) * this.perMin);
    bucket.at = now;
    return bucket;
  }
}

export class LoginGuard {
  private readonly addresses: TokenBuckets;
  private readonly accounts = new Map<string, AccountFailures>();

  constructor(
    private readonly options: LoginGuardOptions,
    private readonly clock: Clock,
  ) {
    this.addresses = new TokenBuckets(options.attemptsPerMin, clock);
  }

  /** Call before checking a password: null to go ahead, else why and how long to wait. A locked
   *  account is refused without a check, even with the right password. */
  admit(address: string, account?: string): LoginRefusal | null {
    const failures = account === undefined ? undefined : this.accounts.get(account);
    const lockedForMs = failures ? failures.lockedUntil - this.clock.now() : 0;
    if (lockedForMs > 0) return { reason: 'account_locked', retryAfterS: Math.ceil(lockedForMs / 1000) };
    const wait = this.addresses.take(address);
    return wait ? { reason: 'address_throttled', retryAfterS: wait } : null;
  }

  succeeded(address: string, account?: string): void {
    this.addresses.giveBack(address);
    if (account !== undefined) this.accounts.delete(account);
  }

  /** Records a wrong password; returns the lockout in seconds when this failure starts one. */
  failed(account?: string): number | null {
    if (account === undefined) return null;
    const failures = this.accounts.get(account) ?? { count: 0, lockedUntil: 0 };
    failures.count += 1;
    remember(this.accounts, account, failures);
    const beyond = failures.count - this.options.lockoutAfterFailures;
    if (beyond < 0) return null;
    const lockS = this.options.lockoutBaseS * 2 ** Math.min(beyond, MAX_BACKOFF_DOUBLINGS);
    failures.lockedUntil = this.clock.now() + lockS * 1000;
    return lockS;
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  if (map.size >= MAX_TRACKED) map.delete(map.keys().next().value!);
  map.set(key, value);
}
