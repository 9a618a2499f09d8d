/** Scene time: epoch milliseconds, shown in Shanghai local time (UTC+8, no daylight saving). */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;

/** Local midnight (Shanghai) at or before `ms`. */
export function localMidnight(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** Local hour of day, fractional (07:30 → 7.5). */
export function localHour(ms: number): number {
  return (ms - localMidnight(ms)) / HOUR_MS;
}

/** ISO 8601 with the +08:00 offset, as Chinese devices stamp their readings. */
export function isoLocal(ms: number): string {
  const d = new Date(Math.round(ms) + SHANGHAI_OFFSET_MS);
  return d.toISOString().replace('.000Z', 'Z').replace('Z', '+08:00');
}

/** `yyyyMMddHHmmss` in Shanghai local time (the Sanchuan meter's startTime). */
export function compactLocal(ms: number): string {
  return isoLocal(ms).slice(0, 19).replace(/[-:T]/g, '');
}
