/**
 * HMAC-SHA256 signatures of uplink records under a gateway's key: the gateway signs, the hub
 * verifies (timing-safe), so a record another party made up or altered on the way is refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { uplinkSigningText, type UplinkRecord } from '../contracts/hub.ts';

export function signUplink(key: string, siteId: string, r: Omit<UplinkRecord, 'sig'>): string {
  return createHmac('sha256', key).update(uplinkSigningText(siteId, r)).digest('hex');
}

export function verifyUplink(key: string, siteId: string, r: UplinkRecord): boolean {
  const want = Buffer.from(signUplink(key, siteId, r), 'hex');
  const got = Buffer.from(r.sig, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Compares two secrets without leaking where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
