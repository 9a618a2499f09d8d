/**
 * Per-device ingest budgets (issue 14): one device flooding must neither slow the others nor fill
 * the disk. Three token buckets per device, refilled continuously on the gateway clock:
 * - messages per second, with a burst of BURST_S seconds' worth (a camera's burst of events);
 * - payload bytes per second, likewise (a burst of tracks);
 * - payload bytes per day: a rolling budget that refills at quota / 24 h, so there is no midnight
 *   at which a runaway device gets a fresh day.
 * A message over budget takes nothing from it; ingest refuses it (no PUBACK: the device resends later).
 */
import type { RefuseReason } from '../contracts/dead-letters.ts';

export interface DeviceLimitSettings {
  /** Sustained messages per second per device (WEIGE_DEVICE_MAX_MSGS_PER_S). */
  deviceMaxMsgsPerS: number;
  /** Sustained payload bytes per second per device (WEIGE_DEVICE_MAX_KB_PER_S × 1024). */
  deviceMaxBytesPerS: number;
  /** Payload bytes per device per rolling day; 0 = no quota (WEIGE_DEVICE_DAILY_QUOTA_MB × 2^20). */
  deviceDailyQuotaBytes: number;
  /** The largest payload accepted at all: a burst always admits one of them. */
  maxPayloadBytes: number;
}

export type DeviceLimitReason = Extract<
  RefuseReason,
  'rate_limited' | 'byte_rate_limited' | 'quota_exceeded'
>;

/** A burst may use this many seconds of the sustained rate at once. */
export const BURST_S = 30;
const DAY_S = 86_400;

interface Budget {
  msgs: number;
  bytes: number;
  dayBytes: number;
  refilledAt: number;
}

export class DeviceLimits {
  private readonly budgets = new Map<string, Budget>();
  private readonly burstMsgs: number;
  private readonly burstBytes: number;

  constructor(private readonly limits: DeviceLimitSettings) {
    this.burstMsgs = limits.deviceMaxMsgsPerS * BURST_S;
    this.burstBytes = Math.max(limits.deviceMaxBytesPerS * BURST_S, limits.maxPayloadBytes);
  }

  /** Takes one message of `bytes` from the device's budgets, or names the limit it would break. */
  take(deviceId: string, bytes: number, now: number): DeviceLimitReason | null {
    const quota = this.limits.deviceDailyQuotaBytes;
    let b = this.budgets.get(deviceId);
    if (!b) {
      b = { msgs: this.burstMsgs, bytes: this.burstBytes, dayBytes: quota, refilledAt: now };
      this.budgets.set(deviceId, b);
    } else if (now > b.refilledAt) {
      const elapsedS = (now - b.refilledAt) / 1000;
      b.msgs = Math.min(this.burstMsgs, b.msgs + elapsedS * this.limits.deviceMaxMsgsPerS);
      b.bytes = Math.min(this.burstBytes, b.bytes + elapsedS * this.limits.deviceMaxBytesPerS);
      b.dayBytes = Math.min(quota, b.dayBytes + (elapsedS * quota) / DAY_S);
      b.refilledAt = now;
    }
    if (b.msgs < 1) return 'rate_limited';
    if (b.bytes < bytes) return 'byte_rate_limited';
    if (quota > 0 && b.dayBytes < bytes) return 'quota_exceeded';
    b.msgs -= 1;
    b.bytes -= bytes;
    b.dayBytes -= bytes;
    return null;
  }

  /** What a refusal's dead letter says about the limit. */
  describe(reason: DeviceLimitReason): string {
    const { deviceMaxMsgsPerS, deviceMaxBytesPerS, deviceDailyQuotaBytes } = this.limits;
    switch (reason) {
      case 'rate_limited':
        return `over ${deviceMaxMsgsPerS} messages/s (bursts up to ${this.burstMsgs})`;
      case 'byte_rate_limited':
        return `over ${Math.round(deviceMaxBytesPerS / 1024)} KiB/s of payload (bursts up to ${Math.round(this.burstBytes / 1024)} KiB)`;
      case 'quota_exceeded':
        return `over the daily quota of ${Math.round(deviceDailyQuotaBytes / 1024 / 1024)} MiB of payload`;
    }
  }
}
