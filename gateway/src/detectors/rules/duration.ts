/** Durations in rule files: `90s`, `5m`, `12h`, `1d`, `500ms`. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$';
const DURATION_RE = new RegExp(DURATION_PATTERN);

/** Milliseconds, or null when `text` is not a duration. */
export function parseDuration(text: string): number | null {
  if (!DURATION_RE.test(text)) return null;
  const unit = /(ms|s|m|h|d)$/.exec(text)![1]!;
  return Math.round(parseFloat(text) * UNIT_MS[unit]!);
}
