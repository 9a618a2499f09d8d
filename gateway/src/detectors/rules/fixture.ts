/**
 * Fixtures: what `npm run rules -- test`, `POST /api/rules/test` and the packs' YAML tests feed a
 * rule. One item per line (JSONL) or list entry:
 *   {"ts":"2026-11-20T10:00:00+08:00","device":"smoke-shed-1","values":{"smoke_db_m":0.3}}
 *   {"ts":…,"device":"charger-shed-1","port":3,"values":{"power_w":180},"labels":{"state":"charging"}}
 *   {"ts":…,"device":"cam-b3-east","event":"falling_object","confidence":0.9,"attributes":{…}}
 *   {"ts":…,"device":"wm-B3-1-1201","health":"offline","cause":"silent"}
 *   {"ts":…}                        (just lets the clock run to ts: timers fire)
 * The replay drives a ManualClock to each item's time, so `for:` timers and ticks fire exactly as
 * they would live.
 */
import type { SiteIndex } from '../../site/site-index.ts';
import type { Detection } from '../../contracts/alerts.ts';
import { ManualClock } from '../../core/clock.ts';
import { toEpochMs } from '../../codecs/timestamps.ts';
import { DEFAULT_TICK_MS, RuleEngine } from './engine.ts';
import type { CompiledRule, Observation } from './types.ts';

export interface FixtureItem {
  ts: string | number;
  /** When the gateway receives it (a late NB-IoT batch); default: at `ts`. */
  receivedAt?: string | number;
  device?: string;
  deviceId?: string;
  port?: number | null;
  values?: Record<string, number>;
  labels?: Record<string, string>;
  event?: string;
  confidence?: number | null;
  attributes?: Record<string, unknown>;
  health?: 'online' | 'offline';
  /** Why the health changed: `status_topic` (the MQTT will, the default) or `silent`. */
  cause?: string;
  battery_pct?: number;
}

export interface ReplayResult {
  detections: Detection[];
  /** Items that could not be used, with why. */
  skipped: Array<{ index: number; reason: string }>;
  evaluations: number;
}

export function parseJsonl(text: string): FixtureItem[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l, i) => {
      try {
        return JSON.parse(l) as FixtureItem;
      } catch (err) {
        throw new Error(`line ${i + 1}: ${(err as Error).message}`);
      }
    });
}

export function toObservation(item: FixtureItem, ts: number): Observation | null {
  const deviceId = item.device ?? item.deviceId;
  if (!deviceId) return null;
  if (item.event) {
    const values: Record<string, number> = { seen: 1 };
    if (typeof item.confidence === 'number') values.confidence = item.confidence;
    for (const [k, v] of Object.entries(item.attributes ?? {})) if (typeof v === 'number') values[k] = v;
    return {
      source: 'event',
      deviceId,
      ts,
      stream: `ev:${item.event}`,
      values,
      labels: { type: item.event },
      attributes: item.attributes ?? {},
    };
  }
  if (item.health)
    return {
      source: 'health',
      deviceId,
      ts,
      stream: 'health',
      values: item.battery_pct === undefined ? {} : { battery_pct: item.battery_pct },
      labels: { status: item.health, cause: item.cause ?? 'status_topic' },
    };
  return {
    source: 'reading',
    deviceId,
    ts,
    stream: item.port === null || item.port === undefined ? '' : String(item.port),
    values: item.values ?? {},
    labels: item.labels ?? {},
  };
}

export function replay(
  site: SiteIndex,
  rules: CompiledRule[],
  items: FixtureItem[],
  options: { until?: number; tickMs?: number } = {},
): ReplayResult {
  const detections: Detection[] = [];
  const skipped: ReplayResult['skipped'] = [];
  const parsed: Array<{ ts: number; arrives: number; item: FixtureItem; index: number }> = [];
  items.forEach((item, index) => {
    try {
      const ts = toEpochMs(item.ts, 'ts');
      const arrives = item.receivedAt === undefined ? ts : toEpochMs(item.receivedAt, 'receivedAt');
      parsed.push({ ts, arrives, item, index });
    } catch (err) {
      skipped.push({ index, reason: (err as Error).message });
    }
  });
  // Delivered in arrival order (stable: items arriving together keep their order).
  parsed.sort((a, b) => a.arrives - b.arrives);
  const start = parsed.length ? Math.min(...parsed.map((p) => p.ts)) : 0;
  const clock = new ManualClock(start);
  const engine = new RuleEngine({
    site,
    clock,
    emit: (d) => detections.push(d),
    tickMs: options.tickMs ?? DEFAULT_TICK_MS,
  });
  engine.setRules(rules);
  engine.start();
  for (const { ts, arrives, item, index } of parsed) {
    clock.advanceTo(arrives);
    const deviceId = item.device ?? item.deviceId;
    if (deviceId === undefined) continue;
    if (!site.device(deviceId)) {
      skipped.push({ index, reason: `unknown device '${deviceId}'` });
      continue;
    }
    const o = toObservation(item, ts);
    if (o) engine.ingest(o);
  }
  if (options.until !== undefined) clock.advanceTo(options.until);
  engine.stop();
  return { detections, skipped, evaluations: engine.evaluations };
}

/** One line per detection: when, fire/clear, rule, kind, where, why (the facts). */
export function describeDetection(d: Detection, lang: 'zh-CN' | 'en' = 'en'): string {
  const facts = (d.evidence.facts ?? {}) as Record<string, unknown>;
  const why = Object.entries(facts)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(4) : String(v)}`)
    .join(' ');
  return `${new Date(d.eventTs).toISOString()} ${d.cleared ? 'CLEAR' : 'FIRE '} ${d.source.rule} ${d.kind}/${d.severity} ${d.dedupeKey} — ${d.title[lang]} [${why}]`;
}
