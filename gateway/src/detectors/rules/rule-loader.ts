/**
 * Strict rule loading: YAML → JSON Schema (all errors) → compile facts, operators, templates.
 * Every problem carries file:line:col and a JSON pointer (like site/site-loader.ts), so
 * `GET /api/rules` and the log can say exactly what to fix. A bad file is skipped; the others load.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { Ajv, type ErrorObject } from 'ajv';
import type { Severity } from '../../contracts/alerts.ts';
import { compileCondition, ConditionError } from './conditions.ts';
import { parseDuration } from './duration.ts';
import { RULE_SCHEMA } from './rule-schema.ts';
import { BUILTIN_PLACEHOLDERS, unknownPlaceholders } from './templates.ts';
import type {
  CompiledRule,
  LocalizedTexts,
  RuleDescription,
  RuleMatch,
  RuleProblem,
  Schedule,
} from './types.ts';
import { describeSchemaError } from '../../site/schema-errors.ts';
import { yamlNodeAt } from '../../site/yaml-locate.ts';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validateRule = ajv.compile(RULE_SCHEMA);

/** Pack tests live beside the rules and are not rules. */
export const TEST_FILE_SUFFIX = '.test.yaml';

export type RuleParseResult = { rule: CompiledRule; problems: [] } | { rule: null; problems: RuleProblem[] };

export function parseRule(text: string, file: string): RuleParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined, pointer: string, message: string): RuleProblem => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { file, line: pos.line, col: pos.col, path: pointer, message };
  };
  if (doc.errors.length)
    return {
      rule: null,
      problems: doc.errors.map((e) => at(e.pos[0], '', e.message.split('\n')[0] ?? e.message)),
    };
  const locate = (pointer: string, message: string): RuleProblem =>
    at(yamlNodeAt(doc.contents as YamlNode | null, pointer)?.range?.[0], pointer, message);
  let data: Record<string, unknown>;
  try {
    data = doc.toJS() as Record<string, unknown>;
  } catch (err) {
    // yaml refuses an alias bomb (aliases expanding without bound) with a ReferenceError.
    if (err instanceof ReferenceError) return { rule: null, problems: [at(0, '', err.message)] };
    throw err;
  }
  if (!validateRule(data))
    return { rule: null, problems: describeErrors(validateRule.errors ?? []).map(([p, m]) => locate(p, m)) };
  try {
    return { rule: compileRule(data, file, text), problems: [] };
  } catch (err) {
    if (err instanceof ConditionError) return { rule: null, problems: [locate(err.pointer, err.message)] };
    throw err;
  }
}

function compileRule(data: Record<string, unknown>, file: string, text: string): CompiledRule {
  const match = data.match as RuleMatch;
  const fields = { source: match.source, deviceKind: match.deviceKind };
  const when = compileCondition(data.when as Record<string, unknown>, '/when', fields);
  const clearRaw = data.clear as undefined | 'none' | { when: Record<string, unknown>; for?: string };
  const clear =
    clearRaw === 'none'
      ? null
      : clearRaw
        ? { when: compileCondition(clearRaw.when, '/clear/when', fields), forMs: ms(clearRaw.for) }
        : // Without an explicit clear, the alert clears when the condition no longer holds.
          {
            when: {
              ...when,
              evaluate: (ctx: Parameters<typeof when.evaluate>[0]) => negateTri(when.evaluate(ctx)),
            },
            forMs: 0,
          };
  if (match.eventType && match.source !== 'event')
    throw new ConditionError('/match/eventType', "eventType needs 'source: event'");
  const texts = data.texts as LocalizedTexts;
  const known = new Set<string>([...BUILTIN_PLACEHOLDERS, ...asNames(data.when), ...asNames(clearRaw)]);
  for (const lang of ['zh-CN', 'en'] as const)
    for (const part of ['title', 'message'] as const) {
      const unknown = unknownPlaceholders(texts[lang][part], known);
      if (unknown.length)
        throw new ConditionError(
          `/texts/${lang}/${part}`,
          `unknown placeholder {${unknown[0]}}; known: ${[...known].sort().join(', ')}`,
        );
    }
  const dedupeKey = (data.dedupeKey as string | undefined) ?? '{rule}:{subject}';
  const unknownKey = unknownPlaceholders(dedupeKey, new Set([...known, 'subject', 'kind']));
  if (unknownKey.length) throw new ConditionError('/dedupeKey', `unknown placeholder {${unknownKey[0]}}`);
  if (data.subject === 'place' && !match.placeKind && !match.place)
    throw new ConditionError('/subject', "subject 'place' needs match.placeKind or match.place");
  return {
    id: data.id as string,
    file,
    hash: createHash('sha256').update(text).digest('hex').slice(0, 12),
    description: (data.description as RuleDescription | undefined) ?? null,
    enabled: data.enabled !== false,
    kind: data.kind as string,
    severity: data.severity as Severity,
    match,
    subject: (data.subject as 'device' | 'place' | undefined) ?? 'device',
    when,
    forMs: ms(data.for as string | undefined),
    clear,
    schedule: (data.schedule as Schedule | undefined) ?? null,
    dedupeKey,
    cooldownMs: ms(data.cooldown as string | undefined),
    autoResolve: data.autoResolve === true,
    fallbackFor: (data.fallbackFor as string | undefined) ?? null,
    texts,
    definition: data,
    text,
  };
}

function negateTri(v: boolean | null): boolean | null {
  return v === null ? null : !v;
}

function ms(d: string | undefined): number {
  return d === undefined ? 0 : (parseDuration(d) ?? 0);
}

function asNames(node: unknown): string[] {
  if (!node || typeof node !== 'object') return [];
  if (Array.isArray(node)) return node.flatMap(asNames);
  const o = node as Record<string, unknown>;
  const own = typeof o.as === 'string' ? [o.as, ...(o.scope === 'place' ? [`${o.as}Device`] : [])] : [];
  return [...own, ...Object.values(o).flatMap(asNames)];
}

/**
 * Ajv reports every branch of a oneOf (all / any / not / leaf for conditions). Where several
 * branches failed at one place, keep the branch that came closest (fewest errors): that is the
 * one the author meant.
 */
function describeErrors(errors: ErrorObject[]): Array<[string, string]> {
  const specific = errors.filter((e) => !['oneOf', 'anyOf', 'if'].includes(e.keyword));
  const branchOf = (e: ErrorObject): string | null => /\/oneOf\/(\d+)\//.exec(e.schemaPath)?.[1] ?? null;
  const byPlace = new Map<string, Map<string, number>>();
  for (const e of specific) {
    const b = branchOf(e);
    if (b === null) continue;
    const counts = byPlace.get(e.instancePath) ?? new Map<string, number>();
    counts.set(b, (counts.get(b) ?? 0) + 1);
    byPlace.set(e.instancePath, counts);
  }
  const best = new Map<string, string>();
  for (const [place, counts] of byPlace) best.set(place, [...counts].sort((a, b) => a[1] - b[1])[0]![0]);
  const closest = specific.filter((e) => {
    const b = branchOf(e);
    return b === null || !best.has(e.instancePath) || best.get(e.instancePath) === b;
  });
  const chosen = closest.length ? closest : errors;
  const seen = new Set<string>();
  const out: Array<[string, string]> = [];
  for (const e of chosen) {
    // An unknown property is reported at the property itself, not at its parent.
    const pointer =
      e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${String(e.params.additionalProperty).replace(/~/g, '~0').replace(/\//g, '~1')}`
        : e.instancePath;
    const message = e.keyword === 'additionalProperties' ? 'is not a known property' : describe(e);
    const key = `${pointer} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push([pointer, message]);
  }
  return out;
}

function describe(e: ErrorObject): string {
  // A one-language description string, as rule files had before both languages were required.
  if (e.keyword === 'type' && e.instancePath === '/description')
    return 'must give both languages: {zh-CN: …, en: …}';
  return describeSchemaError(e);
}

export interface RuleSet {
  rules: CompiledRule[];
  problems: RuleProblem[];
  files: string[];
}

/** Rule files (`*.yaml`, not tests) under the given directories, recursively, sorted. */
export function listRuleFiles(dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries.sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if ((name.endsWith('.yaml') || name.endsWith('.yml')) && !name.endsWith(TEST_FILE_SUFFIX))
        out.push(full);
    }
  };
  dirs.forEach(walk);
  return out;
}

export function loadRuleFiles(files: string[]): RuleSet {
  const rules: CompiledRule[] = [];
  const problems: RuleProblem[] = [];
  const byId = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push({ file, line: 1, col: 1, path: '', message: `cannot read: ${(err as Error).message}` });
      continue;
    }
    const result = parseRule(text, file);
    if (!result.rule) {
      problems.push(...result.problems);
      continue;
    }
    const other = byId.get(result.rule.id);
    if (other) {
      problems.push({
        file,
        line: 1,
        col: 1,
        path: '/id',
        message: `rule id '${result.rule.id}' is also used by ${other}`,
      });
      continue;
    }
    byId.set(result.rule.id, file);
    rules.push(result.rule);
  }
  return { rules, problems, files };
}

export function loadRuleDirs(dirs: string[]): RuleSet {
  return loadRuleFiles(listRuleFiles(dirs));
}
