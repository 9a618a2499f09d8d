/**
 * Time helpers. The example site is in Asia/Shanghai (UTC+8, no daylight saving), so local
 * clock arithmetic is a fixed offset; devices stamp local ISO 8601 with "+08:00".
 */

export const SITE_OFFSET_MS = 8 * 3600_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3600_000;
export const DAY_MS = 86_400_000;

/** ISO 8601 with the +08:00 offset, millisecond precision dropped when zero. */
export function isoLocal(ms: number): string {
  const local = new Date(Math.round(ms) + SITE_OFFSET_MS).toISOString();
  const body = local.endsWith('.000Z') ? local.slice(0, 19) : local.slice(0, 23);
  return `${body}+08:00`;
}

/** `yyyyMMddHHmmss` in China Standard Time (the Sanchuan vendor format). */
export function chinaCompact(ms: number): string {
  return new Date(ms + SITE_OFFSET_MS).toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

/** Local hour of day as a fraction (0–24). */
export function localHour(ms: number): number {
  return ((((ms + SITE_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

/** Start of the local day containing `ms`, as epoch ms. */
export function localMidnight(ms: number): number {
  return ms - ((((ms + SITE_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS);
}

/** Local day of week, 0 = Sunday. */
export function localWeekday(ms: number): number {
  return new Date(ms + SITE_OFFSET_MS).getUTCDay();
}

/** Local day of year, 0-based (seasons). */
export function localDayOfYear(ms: number): number {
  const d = new Date(ms + SITE_OFFSET_MS);
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS);
}

/**
 * Durations in scenario files: a number of seconds, or a string such as `90s`, `15m`,
 * `1h30m`, `2d`, `1w`. Returns milliseconds, or null if the text is not a duration.
 */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/gy;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS };
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * unit[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : null;
}
