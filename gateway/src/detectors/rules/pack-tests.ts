/**
 * Rule packs carry their own tests in YAML (`<pack>/*.test.yaml`): given readings, events and
 * health changes → expect exactly these detections. Run by `npm test` (test/rules/packs.test.ts)
 * and by `npm run rules -- test-pack <dir>`.
 *
 *   start: "2026-11-20T10:00:00+08:00"
 *   tests:
 *     - name: smoke above threshold fires, then clears
 *       rules: [shed-smoke]              # optional; default: every rule of the pack
 *       given:
 *         - { at: 0m, device: smoke-shed-1, values: { smoke_db_m: 0.02 } }
 *         - { from: 1m, to: 10m, every: 1m, device: smoke-shed-1, values: { temp_c: { start: 20, step: 9 } } }
 *         - { at: 2h }                   # only runs the clock
 *       expect:
 *         - { rule: shed-smoke, at: 1m, kind: fire, severity: major }
 *         - { rule: shed-smoke, cleared: true }
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { SiteIndex } from '../../site/site-index.ts';
import type { Detection } from '../../contracts/alerts.ts';
import { toEpochMs } from '../../codecs/timestamps.ts';
import { parseDuration } from './duration.ts';
import { describeDetection, replay, type FixtureItem } from './fixture.ts';
import { loadRuleDirs, TEST_FILE_SUFFIX } from './rule-loader.ts';
import { formatRuleProblem, type CompiledRule } from './types.ts';

type Ramp = { start: number; step: number };

interface GivenItem extends Omit<FixtureItem, 'ts' | 'values' | 'receivedAt'> {
  at?: string;
  /** Offset at which the item (or the whole repeated batch) reaches the gateway. */
  arrives?: string;
  from?: string;
  to?: string;
  every?: string;
  values?: Record<string, number | Ramp>;
}

interface Expectation {
  rule?: string;
  kind?: string;
  severity?: string;
  cleared?: boolean;
  at?: string;
  /** Event time window the detection must fall in (offsets from start). */
  between?: [string, string];
  dedupeKey?: string;
  titleContains?: string;
}

interface PackTestCase {
  name: string;
  rules?: string[];
  start?: string;
  given: GivenItem[];
  until?: string;
  expect: Expectation[];
}

export interface PackTestResult {
  file: string;
  name: string;
  ok: boolean;
  failures: string[];
  detections: string[];
}

const offset = (text: string | undefined, where: string): number => {
  const ms = parseDuration(text ?? '0s');
  if (ms === null) throw new Error(`${where}: '${text}' is not a duration offset`);
  return ms;
};

/** Expands `from/to/every` repetitions and ramps into fixture items. */
export function expandGiven(given: GivenItem[], start: number): FixtureItem[] {
  const out: FixtureItem[] = [];
  given.forEach((g, i) => {
    const where = `given[${i}]`;
    const { at, from, to, every, values, arrives, ...rest } = g;
    const times: number[] = [];
    if (every !== undefined) {
      const step = offset(every, where);
      if (step <= 0) throw new Error(`${where}: every must be positive`);
      for (let t = offset(from, where); t <= offset(to, where); t += step) times.push(t);
    } else times.push(offset(at, where));
    times.forEach((t, n) => {
      const item: FixtureItem = { ...rest, ts: start + t };
      if (arrives !== undefined) item.receivedAt = start + offset(arrives, where);
      if (values)
        item.values = Object.fromEntries(
          Object.entries(values).map(([k, v]) => [
            k,
            typeof v === 'number' ? v : +(v.start + v.step * n).toFixed(6),
          ]),
        );
      out.push(item);
    });
  });
  const arrival = (x: FixtureItem): number => (x.receivedAt ?? x.ts) as number;
  return out.sort((a, b) => arrival(a) - arrival(b));
}

function check(d: Detection, e: Expectation, start: number): string | null {
  const problems: string[] = [];
  if (e.rule !== undefined && d.source.rule !== e.rule) problems.push(`rule ${d.source.rule} != ${e.rule}`);
  if (e.kind !== undefined && d.kind !== e.kind) problems.push(`kind ${d.kind} != ${e.kind}`);
  if (e.severity !== undefined && d.severity !== e.severity)
    problems.push(`severity ${d.severity} != ${e.severity}`);
  if (Boolean(d.cleared) !== Boolean(e.cleared)) problems.push(d.cleared ? 'is a clear' : 'is not a clear');
  if (e.at !== undefined && d.eventTs !== start + offset(e.at, 'expect.at'))
    problems.push(`at +${(d.eventTs - start) / 1000}s != ${e.at}`);
  if (e.between) {
    const [lo, hi] = [start + offset(e.between[0], 'between'), start + offset(e.between[1], 'between')];
    if (d.eventTs < lo || d.eventTs > hi)
      problems.push(`at +${(d.eventTs - start) / 1000}s not in ${e.between.join('..')}`);
  }
  if (e.dedupeKey !== undefined && d.dedupeKey !== e.dedupeKey)
    problems.push(`dedupeKey ${d.dedupeKey} != ${e.dedupeKey}`);
  if (
    e.titleContains !== undefined &&
    !d.title['zh-CN'].includes(e.titleContains) &&
    !d.title.en.includes(e.titleContains)
  )
    problems.push(`title does not contain '${e.titleContains}'`);
  return problems.length ? problems.join(', ') : null;
}

export function runPackTestFile(file: string, packRules: CompiledRule[], site: SiteIndex): PackTestResult[] {
  const doc = parse(readFileSync(file, 'utf8')) as { start?: string; tests: PackTestCase[] };
  const results: PackTestResult[] = [];
  for (const tc of doc.tests ?? []) {
    const failures: string[] = [];
    let lines: string[] = [];
    try {
      const start = toEpochMs(tc.start ?? doc.start ?? '2026-11-20T00:00:00+08:00', 'start');
      const rules = tc.rules ? packRules.filter((r) => tc.rules!.includes(r.id)) : packRules;
      for (const id of tc.rules ?? [])
        if (!rules.some((r) => r.id === id)) failures.push(`no rule '${id}' in the pack`);
      const items = expandGiven(tc.given ?? [], start);
      const until = tc.until !== undefined ? start + offset(tc.until, 'until') : undefined;
      const result = replay(site, rules, items, until === undefined ? {} : { until });
      lines = result.detections.map((d) => describeDetection(d));
      for (const s of result.skipped) failures.push(`given item ${s.index} skipped: ${s.reason}`);
      const got = result.detections;
      if (got.length !== tc.expect.length)
        failures.push(`expected ${tc.expect.length} detection(s), got ${got.length}`);
      tc.expect.forEach((e, i) => {
        const d = got[i];
        if (!d) return;
        const problem = check(d, e, start);
        if (problem) failures.push(`detection ${i + 1}: ${problem}`);
      });
    } catch (err) {
      failures.push((err as Error).message);
    }
    results.push({ file, name: tc.name, ok: failures.length === 0, failures, detections: lines });
  }
  return results;
}

/** Runs every `*.test.yaml` in a pack directory against that pack's rules. */
export function runPack(
  packDir: string,
  site: SiteIndex,
): { results: PackTestResult[]; loadProblems: string[] } {
  const set = loadRuleDirs([packDir]);
  const files = readdirSync(packDir)
    .filter((f) => f.endsWith(TEST_FILE_SUFFIX))
    .sort()
    .map((f) => path.join(packDir, f));
  return {
    results: files.flatMap((f) => runPackTestFile(f, set.rules, site)),
    loadProblems: set.problems.map(formatRuleProblem),
  };
}
