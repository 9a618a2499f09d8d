/**
 * The rule engine on a ManualClock: `for:` timers firing on the clock, schedules in the site's
 * timezone, unknown data neither firing nor clearing, cooldown, per-device indexing, bounded
 * series and state, and state surviving a restart through SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SiteIndex } from '../../../../gateway/src/site/site-index.ts';
import { loadSiteFile, EXAMPLE_SITE_FILE } from '../../../../gateway/src/site/site-loader.ts';
import type { Detection } from '../../../../gateway/src/contracts/alerts.ts';
import { ManualClock } from '../../../../gateway/src/core/clock.ts';
import { RuleEngine, STATE_TTL_MS } from '../../../../gateway/src/detectors/rules/engine.ts';
import { parseRule } from '../../../../gateway/src/detectors/rules/rule-loader.ts';
import { MAX_SAMPLES } from '../../../../gateway/src/detectors/rules/series-store.ts';
import { SqliteRuleStateStore } from '../../../../gateway/src/detectors/rules/state-store.ts';
import type { CompiledRule, Observation } from '../../../../gateway/src/detectors/rules/types.ts';
import { openDatabase } from '../../../../gateway/src/store/database.ts';

const site = new SiteIndex(loadSiteFile(EXAMPLE_SITE_FILE));
const T0 = Date.parse('2026-11-20T10:00:00+08:00');
const M = 60_000;

function rule(body: string, id = 'r1'): CompiledRule {
  const text = `version: 1
id: ${id}
kind: fire_risk
severity: minor
${body}
texts:
  zh-CN: { title: t, message: m }
  en: { title: t, message: m }
`;
  const r = parseRule(text, `${id}.yaml`);
  if (!r.rule) throw new Error(JSON.stringify(r.problems));
  return r.rule;
}

const temp = (deviceId: string, ts: number, temp_c: number): Observation => ({
  source: 'reading',
  deviceId,
  ts,
  stream: '',
  values: { temp_c },
  labels: {},
});

function engineWith(rules: CompiledRule[], clock = new ManualClock(T0)) {
  const out: Detection[] = [];
  const engine = new RuleEngine({ site, clock, emit: (d) => out.push(d) });
  engine.setRules(rules);
  engine.start();
  return { engine, clock, out };
}

const HOT = `match: { source: reading, deviceKind: [smoke_sensor] }
when: { fact: 'latest(temp_c)', op: gte, value: 50 }`;

describe('rule engine', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('fires a `for:` rule on the clock when no further reading comes', () => {
    const { engine, clock, out } = engineWith([rule(`${HOT}\nfor: 3m`)]);
    engine.ingest(temp('heat-shed-1', T0, 55));
    clock.advanceTo(T0 + 2 * M);
    expect(out).toEqual([]);
    clock.advanceTo(T0 + 3 * M);
    expect(out.map((d) => [d.eventTs - T0, d.cleared ?? false])).toEqual([[3 * M, false]]);
  });

  it('gates firing by a schedule in Asia/Shanghai, across midnight', () => {
    const { engine, out } = engineWith([
      rule(`${HOT}\nschedule: { from: '22:00', to: '06:00', days: [fri, sat] }`),
    ]);
    const at = (iso: string): number => Date.parse(iso);
    engine.ingest(temp('heat-shed-1', at('2026-11-20T21:59:00+08:00'), 60)); // Fri 21:59: before 22:00
    engine.ingest(temp('heat-shed-1', at('2026-11-20T22:00:00+08:00'), 60)); // Fri 22:00: fires
    engine.ingest(temp('heat-shed-2', at('2026-11-21T05:59:00+08:00'), 60)); // Sat 05:59: fires
    engine.ingest(temp('heat-shed-3', at('2026-11-21T12:00:00+08:00'), 60)); // Sat noon: outside hours
    engine.ingest(temp('heat-shed-3', at('2026-11-22T05:00:00+08:00'), 60)); // Sun 05:00: not a listed day
    expect(out.map((d) => [d.source.deviceId, new Date(d.eventTs).toISOString()])).toEqual([
      ['heat-shed-1', '2026-11-20T14:00:00.000Z'],
      ['heat-shed-2', '2026-11-20T21:59:00.000Z'],
    ]);
  });

  it('neither fires nor clears on unknown data (a gap), and clears with hysteresis', () => {
    const r = rule(`match: { source: reading, deviceKind: [smoke_sensor] }
when: { fact: 'latest(temp_c, 2m)', op: gte, value: 50 }
clear: { when: { fact: 'latest(temp_c, 2m)', op: lt, value: 40 } }`);
    const { engine, clock, out } = engineWith([r]);
    engine.ingest(temp('heat-shed-1', T0, 55));
    clock.advanceTo(T0 + 30 * M); // silent: latest() is unknown, the alert stays
    engine.ingest(temp('heat-shed-1', T0 + 31 * M, 45)); // between 40 and 50: still firing
    engine.ingest(temp('heat-shed-1', T0 + 32 * M, 39));
    expect(out.map((d) => [d.eventTs - T0, d.cleared ?? false])).toEqual([
      [0, false],
      [32 * M, true],
    ]);
    expect(out[1]).toMatchObject({
      severity: 'info',
      dedupeKey: 'r1:device:heat-shed-1',
      title: { en: 'Cleared: t' },
    });
  });

  it('keeps a cooldown between firings of one-shot rules', () => {
    const r = rule(`match: { source: event, eventType: [tamper] }
when: { fact: 'count(seen, 1m)', op: gte, value: 1 }
clear: none
cooldown: 10m`);
    const { engine, out } = engineWith([r]);
    const ev = (ts: number): Observation => ({
      source: 'event',
      deviceId: 'cam-garbage-1',
      ts,
      stream: 'ev:tamper',
      values: { seen: 1 },
      labels: { type: 'tamper' },
    });
    for (const t of [0, 2 * M, 9 * M, 10 * M, 11 * M]) engine.ingest(ev(T0 + t));
    expect(out.map((d) => d.eventTs - T0)).toEqual([0, 10 * M]);
  });

  it('indexes rules per device: non-matching rules cost nothing per message', () => {
    const matching = rule(HOT, 'hot');
    const others = Array.from({ length: 200 }, (_, i) =>
      rule(
        `match: { source: reading, deviceKind: [water_meter], building: [B${i}] }\nwhen: { fact: 'latest(total_m3)', op: gt, value: 1 }`,
        `other-${i}`,
      ),
    );
    const { engine } = engineWith([matching, ...others]);
    const device = site.device('heat-shed-1')!;
    expect(engine.rulesFor(device, 'reading', undefined).map((r) => r.id)).toEqual(['hot']);
    for (let i = 0; i < 100; i++) engine.ingest(temp('heat-shed-1', T0 + i * M, 20));
    expect(engine.evaluations).toBe(100);
  });

  it('bounds each series and forgets idle state after its time to live', () => {
    const { engine, clock } = engineWith([
      rule(`match: { source: reading, deviceKind: [smoke_sensor] }
when: { fact: 'max(temp_c, 30d)', op: gte, value: 500 }`),
    ]);
    for (let i = 0; i < MAX_SAMPLES + 500; i++) engine.ingest(temp('heat-shed-1', T0 + i * 1000, 20));
    expect(engine.series.samples('heat-shed-1', '', 'temp_c')).toHaveLength(MAX_SAMPLES);
    expect(engine.stateCount()).toBe(1);
    clock.advanceTo(T0 + STATE_TTL_MS + 86_400_000);
    expect(engine.stateCount()).toBe(0);
  });

  it('reads per-household thresholds from the site file (waterThresholds), else the default', () => {
    const raw = loadSiteFile(EXAMPLE_SITE_FILE);
    const own = raw.households.find((h) => h.id === 'B1-2-202')!;
    own.waterThresholds = { min12hM3: 0.003 };
    const custom = new SiteIndex(raw);
    const r = rule(`match: { source: reading, deviceKind: [water_meter], household: { livesAlone: true } }
when: { fact: 'consumption(total_m3, 12h)', op: lt, value: { ref: household.waterThresholds.min12hM3, default: 0.01 }, as: used }`);
    const out: Detection[] = [];
    const engine = new RuleEngine({ site: custom, clock: new ManualClock(T0), emit: (d) => out.push(d) });
    engine.setRules([r]);
    const meter = (deviceId: string, h: number, total_m3: number): Observation => ({
      source: 'reading',
      deviceId,
      ts: T0 + h * 3_600_000,
      stream: '',
      values: { total_m3 },
      labels: {},
    });
    // Both residents use 5 L in 12 h: below the default 10 L, above B1-2-202's own 3 L.
    for (const id of ['wm-B1-2-202', 'wm-B3-1-203'])
      for (let h = 0; h <= 12; h++) engine.ingest(meter(id, h, 100 + Math.min(h, 5) * 0.001));
    expect(out.map((d) => d.location.household)).toEqual(['B3-1-203']);
  });

  it('resumes a running `for:` timer and an open firing after a restart', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weige-engine-'));
    dirs.push(dir);
    const db1 = openDatabase(dir);
    const r = rule(`${HOT}\nfor: 10m`);
    const clock = new ManualClock(T0);
    const out: Detection[] = [];
    const first = new RuleEngine({
      site,
      clock,
      emit: (d) => out.push(d),
      persistence: new SqliteRuleStateStore(db1, site.siteId),
    });
    first.setRules([r]);
    first.start();
    first.ingest(temp('heat-shed-1', T0, 70));
    first.stop();
    db1.close();

    const db2 = openDatabase(dir);
    const second = new RuleEngine({
      site,
      clock,
      emit: (d) => out.push(d),
      persistence: new SqliteRuleStateStore(db2, site.siteId),
    });
    second.setRules([r]);
    // The gateway rebuilds windows from stored readings at start (module preload); do the same.
    second.preload(temp('heat-shed-1', T0, 70));
    second.start();
    clock.advanceTo(T0 + 10 * M);
    expect(out.map((d) => d.eventTs - T0)).toEqual([10 * M]);
    expect(second.stateOf('r1', 'device:heat-shed-1')).toMatchObject({
      status: 'firing',
      lastFiredAt: T0 + 10 * M,
    });
    second.stop();
    db2.close();
  });
});
