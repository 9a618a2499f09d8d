import { randomBytes, createHash } from 'node:crypto';

/** Random, URL-safe, sortable-by-time id: `<prefix>_<ms base36><random>`. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

/** Deterministic id from content, for idempotent creation (same input → same id). */
export function contentId(prefix: string, ...parts: Array<string | number>): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 20);
  return `${prefix}_${h}`;
}
