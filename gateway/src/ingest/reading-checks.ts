/**
 * Per-item checks ingest makes before storing: event time within the gateway's window, and water
 * registers that never run backwards. A failed check is a `Rejection` carrying its dead-letter reason.
 */
import { toEpochMs } from '../codecs/timestamps.ts';
import type { RejectReason } from '../contracts/dead-letters.ts';
import type { Reading } from '../contracts/readings.ts';
import type { ReadingStore } from '../store/reading-store.ts';

/** A water-meter register may wobble by a litre between reads; more than that backwards is a regression. */
const REGISTER_TOLERANCE_M3 = 0.001;

export class Rejection extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

export interface EventTimeLimits {
  maxFutureSkewS: number;
  maxLatenessS: number;
}

/** Event time in ms; throws a Rejection (or the codec's error) when it is unreadable or out of the window. */
export function checkedEventTime(
  raw: string | number,
  field: string,
  now: number,
  limits: EventTimeLimits,
): number {
  const { maxFutureSkewS, maxLatenessS } = limits;
  const ts = toEpochMs(raw, field);
  if (ts > now + maxFutureSkewS * 1000)
    throw new Rejection(
      'future_timestamp',
      `${field} ${new Date(ts).toISOString()} is more than ${maxFutureSkewS} s ahead of the gateway clock`,
    );
  if (ts < now - maxLatenessS * 1000)
    throw new Rejection(
      'too_late',
      `${field} ${new Date(ts).toISOString()} is older than the ${maxLatenessS} s lateness limit`,
    );
  return ts;
}

/** A cumulative register must not run backwards against its stored neighbours in time. */
export class RegisterGuard {
  /** Newest (event time) register per water meter, so in-order readings need no neighbour query. */
  private readonly newest = new Map<string, { ts: number; total: number }>();

  constructor(private readonly readings: Pick<ReadingStore, 'neighbours'>) {}

  /** Why this reading regresses the register, or null when it does not. */
  regression(r: Reading): string | null {
    const total = r.values.total_m3;
    if (total === undefined) return null;
    const at = (ts: number) => new Date(ts).toISOString();
    // Fast path for the usual in-order reading: compare with the newest register seen, no query.
    const newest = this.newest.get(r.deviceId);
    if (newest && r.ts > newest.ts) {
      if (total < newest.total - REGISTER_TOLERANCE_M3)
        return `total_m3 ${total} at ${at(r.ts)} is below ${newest.total} stored for ${at(newest.ts)}`;
      this.newest.set(r.deviceId, { ts: r.ts, total });
      return null;
    }
    const { before, after } = this.readings.neighbours(r.siteId, r.deviceId, null, r.ts);
    const prev = before?.values.total_m3;
    const next = after?.values.total_m3;
    if (prev !== undefined && total < prev - REGISTER_TOLERANCE_M3)
      return `total_m3 ${total} at ${at(r.ts)} is below ${prev} stored for ${at(before!.ts)}`;
    if (next !== undefined && total > next + REGISTER_TOLERANCE_M3)
      return `total_m3 ${total} at ${at(r.ts)} is above ${next} stored for ${at(after!.ts)}`;
    if (!after) this.newest.set(r.deviceId, { ts: r.ts, total });
    return null;
  }

  /** The cache may hold a rolled-back reading: the store is the truth again. */
  forget(): void {
    this.newest.clear();
  }
}
