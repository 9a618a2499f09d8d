/**
 * Rule tooling for engineers (rules/README.md):
 *   npm run rules -- test <rule-file> --fixture <jsonl> [--until <time>] [--lang zh-CN|en] [--site <file>] [--json]
 *       replays the fixture through the rule and prints what fires and clears, when and why
 *   npm run rules -- check [<dir-or-file>…]       strict load; prints file:line:col problems (default rules/packs)
 *   npm run rules -- test-pack [<pack-dir>…]      runs the packs' YAML tests (default every pack)
 * Exit code 1 on a load problem or a failing test.
 */
import { parseArgs } from 'node:util';
import { SiteIndex } from '../gateway/src/site/site-index.ts';
import { loadSiteFile, EXAMPLE_SITE_FILE } from '../gateway/src/site/site-loader.ts';
import {
  checkRules,
  describeDetection,
  testPacks,
  testRuleFile,
} from '../gateway/src/detectors/rules/public-api.ts';

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
      const outcome = testRuleFile(site(), file, values.fixture, values.until);
      if (!outcome.result) {
        for (const p of outcome.problems) console.error(p);
        return 1;
      }
      const { result } = outcome;
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
        `${outcome.ruleId}: ${outcome.items} items, ${result.evaluations} evaluations, ${fired} fired, ${result.detections.length - fired} cleared`,
      );
      return 0;
    }
    case 'check': {
      const { loaded, problems } = checkRules(rest.length ? rest : undefined);
      for (const p of problems) console.error(p);
      console.log(`${loaded} rules loaded, ${problems.length} problems`);
      return problems.length ? 1 : 0;
    }
    case 'test-pack': {
      let failed = 0;
      for (const { pack, results, loadProblems } of testPacks(site(), rest.length ? rest : undefined)) {
        for (const p of loadProblems) console.error(p);
        failed += loadProblems.length;
        for (const r of results) {
          console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${pack}: ${r.name}`);
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
