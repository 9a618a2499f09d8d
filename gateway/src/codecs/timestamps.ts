/**
 * Event-time normalisation. The contract allows ISO 8601 *with an offset* or epoch milliseconds;
 * a local time without offset is ambiguous and refused, as are epoch seconds (which would land in
 * 1970 and silently corrupt windows).
 */
import { CodecError, type RawTs } from './codec.ts';

/** 2001-09-09: anything smaller is almost certainly epoch seconds or garbage. */
const MIN_PLAUSIBLE_MS = 1_000_000_000_000;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** ECMAScript's Date range (±100,000,000 days around 1970): later instants cannot even be printed. */
const MAX_DATE_MS = 8.64e15;

export function toEpochMs(ts: RawTs, field = 'ts'): number {
  if (typeof ts === 'number') {
    if (!Number.isFinite(ts))
      throw new CodecError('non_finite_number', `${field} is not a finite number (it overflows a double)`);
    if (ts > MAX_DATE_MS)
      throw new CodecError(
        'timestamp_out_of_range',
        `${field} ${ts} is beyond the last representable instant (${MAX_DATE_MS} ms, year 275760)`,
      );
    if (ts < MIN_PLAUSIBLE_MS)
      throw new CodecError(
        'bad_timestamp',
        `${field} ${ts} is too small for epoch milliseconds (epoch seconds are not accepted)`,
      );
    return Math.round(ts);
  }
  if (!ISO_WITH_OFFSET.test(ts))
    throw new CodecError('bad_timestamp', `${field} '${ts.slice(0, 40)}' is not ISO 8601 with an offset`);
  const ms = Date.parse(ts);
  if (Number.isNaN(ms)) throw new CodecError('bad_timestamp', `${field} '${ts}' is not a valid date`);
  return ms;
}
