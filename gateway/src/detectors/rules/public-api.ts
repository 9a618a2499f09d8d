/**
 * The rules engine's public API for tools outside the gateway (the rules CLI, rules/README.md):
 * check rule files, replay a fixture through one rule, run the packs' YAML tests. Tools import this
 * file, never the engine's internals, so the engine can change behind it
 * (.dependency-cruiser.cjs, rule `rules-tools-over-public-api`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { toEpochMs } from '../../codecs/timestamps.ts';
import type { SiteIndex } from '../../site/site-index.ts';
import { parseJsonl, replay, type ReplayResult } from './fixture.ts';
import { PACKS_DIR } from './module.ts';
import { runPack, type PackTestResult } from './pack-tests.ts';
import { listRuleFiles, loadRuleFiles, parseRule } from './rule-loader.ts';
import { formatRuleProblem } from './types.ts';

export { describeDetection } from './fixture.ts';
export type { PackTestResult, ReplayResult };

/** Every rule file under the targets (directories or files; default the shipped packs), loaded strictly. */
export function checkRules(targets: readonly string[] = [PACKS_DIR]): { loaded: number; problems: string[] } {
  const files = targets.flatMap((t) => (statSync(t).isDirectory() ? listRuleFiles([t]) : [t]));
  const set = loadRuleFiles(files);
  return { loaded: set.rules.length, problems: set.problems.map(formatRuleProblem) };
}

export type RuleTestOutcome =
  | { ruleId: string; items: number; result: ReplayResult; problems: [] }
  | { ruleId: null; items: 0; result: null; problems: string[] };

/**
 * Replays a JSON-lines fixture (one reading, event or health change a line) through one rule file.
 * `until` (ISO 8601 or epoch ms) lets time run on after the last item, so held conditions can fire.
 */
export function testRuleFile(
  site: SiteIndex,
  ruleFile: string,
  fixtureFile: string,
  until?: string,
): RuleTestOutcome {
  const parsed = parseRule(readFileSync(ruleFile, 'utf8'), ruleFile);
  if (!parsed.rule)
    return { ruleId: null, items: 0, result: null, problems: parsed.problems.map(formatRuleProblem) };
  const items = parseJsonl(readFileSync(fixtureFile, 'utf8'));
  const untilMs = until === undefined ? undefined : toEpochMs(until, 'until');
  const result = replay(site, [parsed.rule], items, untilMs === undefined ? {} : { until: untilMs });
  return { ruleId: parsed.rule.id, items: items.length, result, problems: [] };
}

/** The shipped packs' directories (rules/packs/<pack>). */
export function packDirectories(): string[] {
  return readdirSync(PACKS_DIR)
    .map((p) => path.join(PACKS_DIR, p))
    .filter((p) => statSync(p).isDirectory());
}

/** Runs each pack's `*.test.yaml` against that pack's rules. */
export function testPacks(
  site: SiteIndex,
  dirs: readonly string[] = packDirectories(),
): Array<{ pack: string; results: PackTestResult[]; loadProblems: string[] }> {
  return dirs.map((dir) => ({ pack: path.basename(dir), ...runPack(dir, site) }));
}
