/**
 * Rule tooling for engineers (rules/README.md):
 *   npm run rules -- test <rule-file> --fixture <jsonl> [--until <time>] [--lang zh-CN|en] [--site <file>] [--json]
 *       replays the fixture through the rule and prints what fires and clears, when and why
 *   npm run rules -- check [<dir-or-file>…]       strict load; prints file:line:col problems (default rules/packs)
 *   npm run rules -- test-pack [<pack-dir>…]      runs the packs' YAML tests (default every pack)
 * Exit code 1 on a load problem or a failing test.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXAMPLE_SITE_FILE } from '../gateway/src/config/settings.ts';
import { SiteIndex } from '../gateway/src/config/site-index.ts';
import { loadSiteFile } from '../gateway/src/config/site-loader.ts';
import { describeDetection, parseJsonl, replay } from '../gateway/src/detectors/rules/fixture.ts';
import { PACKS_DIR } from '../gateway/src/detectors/rules/module.ts';
import { runPack } from '../gateway/src/detectors/rules/pack-tests.ts';
import { listRuleFiles, loadRuleFiles, parseRule } from '../gateway/src/detectors/rules/rule-loader.ts';
import { formatRuleProblem } from '../gateway/src/detectors/rules/types.ts';
import { toEpochMs } from '../gateway/src/codecs/timestamps.ts';

const USAGE = `usage:
  npm run rules -- test <rule-file> --fixture <jsonl> [--until <time>] [--lang zh-CN|en] [--site <file>] [--json]
  npm run rules -- check [<dir-or-file>...]
  npm run rules -- test-pack [<pack-dir>...]`;

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      fixture: { type: 'string' },
      until: { type: 'string' },
      lang: { type: 'string', default: 'en' },
      site: { type: 'string', default: process.env.WEIGE_SITE || EXAMPLE_SITE_FILE },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  const site = (): SiteIndex => new SiteIndex(loadSiteFile(values.site!));
  switch (command) {
    case 'test': {
      const file = rest[0];
      if (!file || !values.fixture) {
        console.error(USAGE);
        return 1;
      }
      const parsed = parseRule(readFileSync(file, 'utf8'), file);
      if (!parsed.rule) {
        for (const p of parsed.problems) console.error(formatRuleProblem(p));
        return 1;
      }
      const items = parseJsonl(readFileSync(values.fixture, 'utf8'));
      const until = values.until === undefined ? undefined : toEpochMs(values.until, 'until');
      const result = replay(site(), [parsed.rule], items, until === undefined ? {} : { until });
      if (values.json) {
        console.log(JSON.stringify(result, null, 2));
        return 0;
      }
      const lang = values.lang === 'zh-CN' ? 'zh-CN' : 'en';
      for (const d of result.detections) {
        console.log(describeDetection(d, lang));
        console.log(`    ${d.message[lang]}`);
      }
      for (const s of result.skipped) console.log(`skipped item ${s.index + 1}: ${s.reason}`);
      const fired = result.detections.filter((d) => !d.cleared).length;
      console.log(
        `${parsed.rule.id}: ${items.length} items, ${result.evaluations} evaluations, ${fired} fired, ${result.detections.length - fired} cleared`,
      );
      return 0;
    }
    case 'check': {
      const targets = rest.length ? rest : [PACKS_DIR];
      const files = targets.flatMap((t) => (statSync(t).isDirectory() ? listRuleFiles([t]) : [t]));
      const set = loadRuleFiles(files);
      for (const p of set.problems) console.error(formatRuleProblem(p));
      console.log(`${set.rules.length} rules loaded, ${set.problems.length} problems`);
      return set.problems.length ? 1 : 0;
    }
    case 'test-pack': {
      const dirs = rest.length
        ? rest
        : readdirSync(PACKS_DIR)
            .map((p) => path.join(PACKS_DIR, p))
            .filter((p) => statSync(p).isDirectory());
      let failed = 0;
      const s = site();
      for (const dir of dirs) {
        const { results, loadProblems } = runPack(dir, s);
        for (const p of loadProblems) console.error(p);
        failed += loadProblems.length;
        for (const r of results) {
          console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${path.basename(dir)}: ${r.name}`);
          if (!r.ok) {
            failed++;
            for (const f of r.failures) console.log(`       ${f}`);
            for (const d of r.detections) console.log(`       got: ${d}`);
          }
        }
      }
      return failed ? 1 : 0;
    }
    default:
      console.error(`unknown command '${command}'\n${USAGE}`);
      return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
