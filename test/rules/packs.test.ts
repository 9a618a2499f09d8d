/**
 * Runs every rule pack's YAML tests (rules/packs/<pack>/*.test.yaml) against that pack's rules,
 * and checks that every rule of a pack is shown firing by at least one of its tests.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SiteIndex } from '../../gateway/src/site/site-index.ts';
import { loadSiteFile, EXAMPLE_SITE_FILE } from '../../gateway/src/site/site-loader.ts';
import { PACKS_DIR } from '../../gateway/src/detectors/rules/module.ts';
import { runPack } from '../../gateway/src/detectors/rules/pack-tests.ts';
import { loadRuleDirs, TEST_FILE_SUFFIX } from '../../gateway/src/detectors/rules/rule-loader.ts';

const site = new SiteIndex(loadSiteFile(EXAMPLE_SITE_FILE));
const packs = readdirSync(PACKS_DIR).filter((p) => statSync(path.join(PACKS_DIR, p)).isDirectory());

describe('rule packs', () => {
  it('ships the four packs of issue 4', () => {
    expect(packs.sort()).toEqual(['camera-events', 'device-health', 'elderly-alone', 'shed-fire']);
  });

  for (const pack of packs) {
    const dir = path.join(PACKS_DIR, pack);
    const { results, loadProblems } = runPack(dir, site);
    describe(pack, () => {
      it('loads without problems', () => expect(loadProblems).toEqual([]));
      for (const r of results)
        it(r.name, () => {
          expect(r.failures, `detections:\n${r.detections.join('\n')}`).toEqual([]);
        });
      it('describes each of its rules in Chinese and in English', () => {
        const undescribed = loadRuleDirs([dir])
          .rules.filter((r) => !/\p{Script=Han}/u.test(r.description?.['zh-CN'] ?? '') || !r.description?.en)
          .map((r) => r.id);
        expect(undescribed).toEqual([]);
      });
      it('has a test showing each of its rules fire', () => {
        const fired = new Set<string>();
        for (const f of readdirSync(dir).filter((f) => f.endsWith(TEST_FILE_SUFFIX))) {
          const doc = parse(readFileSync(path.join(dir, f), 'utf8')) as {
            tests: Array<{ expect: Array<{ rule?: string; cleared?: boolean }> }>;
          };
          for (const t of doc.tests) for (const e of t.expect) if (e.rule && !e.cleared) fired.add(e.rule);
        }
        const ids = loadRuleDirs([dir]).rules.map((r) => r.id);
        expect(ids.filter((id) => !fired.has(id))).toEqual([]);
      });
    });
  }
});
