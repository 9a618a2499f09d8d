/**
 * Per-device ingest budgets (issue 14): one device flooding must neither slow the others nor fill
 * the disk. Three token buckets per device, refilled continuously on the gateway clock:
 * - messages per second, with a burst of BURST_S seconds' worth (a camera's burst of events);
 * - payload bytes per second, likewise (a burst of tracks);
 * - payload bytes per day: a rolling budget that refills at quota / 24 h, so there is no midnight
 *   at which a runaway device gets a fresh day.
 * Over the rate, a message is held until its turn (the rate buckets go into debt): the device is
 * slowed to its rate by TCP backpressure, losing nothing and costing the gateway no reconnects.
 * A message whose turn is more than MAX_HOLD_MS away, or over the daily quota, is refused.
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
/**
 * The longest a message is held for its turn. aedes reads no more from a connection while any
 * message of the last read is held, so a device's debt rarely exceeds one socket read.
 */
export const MAX_HOLD_MS = 60_000;
const DAY_S = 86_400;

/** Go after `holdMs` (0: now; `over` names the rate that holds it), or refuse with a reason. */
export type Admit = { holdMs: number; over: DeviceLimitReason | null } | { refuse: DeviceLimitReason };

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

  /** Takes one message of `bytes` from the device's budgets, now or at its turn, or refuses it. */
  take(deviceId: string, bytes: number, now: number): Admit {
    const {
      deviceMaxMsgsPerS: msgRate,
      deviceMaxBytesPerS: byteRate,
      deviceDailyQuotaBytes: quota,
    } = this.limits;
    let b = this.budgets.get(deviceId);
    if (!b) {
      b = { msgs: this.burstMsgs, bytes: this.burstBytes, dayBytes: quota, refilledAt: now };
      this.budgets.set(deviceId, b);
    } else if (now > b.refilledAt) {
      const elapsedS = (now - b.refilledAt) / 1000;
      b.msgs = Math.min(this.burstMsgs, b.msgs + elapsedS * msgRate);
      b.bytes = Math.min(this.burstBytes, b.bytes + elapsedS * byteRate);
      b.dayBytes = Math.min(quota, b.dayBytes + (elapsedS * quota) / DAY_S);
      b.refilledAt = now;
    }
    if (quota > 0 && b.dayBytes < bytes) return { refuse: 'quota_exceeded' };
    const msgWaitMs = b.msgs >= 1 ? 0 : ((1 - b.msgs) / msgRate) * 1000;
    const byteWaitMs = b.bytes >= bytes ? 0 : ((bytes - b.bytes) / byteRate) * 1000;
    const holdMs = Math.max(msgWaitMs, byteWaitMs);
    const over = holdMs === 0 ? null : msgWaitMs >= byteWaitMs ? 'rate_limited' : 'byte_rate_limited';
    if (over && holdMs > MAX_HOLD_MS) return { refuse: over };
    b.msgs -= 1;
    b.bytes -= bytes;
    b.dayBytes -= bytes;
    return { holdMs, over };
  }

  /** What a dead letter says about the limit. */
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
