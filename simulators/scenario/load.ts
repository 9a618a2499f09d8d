/**
 * Reads a scenario YAML: parse → JSON Schema (all errors, defaults applied) → references against
 * the site. Every problem is reported as `file:line:col path message`, like the site loader.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { Site } from '../../gateway/src/contracts/site.ts';
import { OBJECT_CLASSES } from '../camera/fall.ts';
import { parseDuration } from '../core/time.ts';
import { SCENARIO_SCHEMA } from './schema.ts';
import type { Scenario } from './types.ts';
import { describeSchemaError } from '../../gateway/src/site/schema-errors.ts';
import { yamlNodeAt } from '../../gateway/src/site/yaml-locate.ts';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validate = ajv.compile(SCENARIO_SCHEMA);

export class ScenarioError extends Error {
  readonly code = 'WEIGE_ERR_SIM_SCENARIO';
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
  }
}

export function loadScenarioFile(file: string, site?: Site): Scenario {
  return parseScenario(readFileSync(file, 'utf8'), file, site);
}

export function parseScenario(text: string, file = '<scenario>', site?: Site): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined, pointer: string, message: string): Problem => {
    const pos = lines.linePos(offset ?? 0);
    return {
      line: pos.line,
      col: pos.col,
      text: `${file}:${pos.line}:${pos.col} ${pointer || '/'} ${message}`,
    };
  };
  if (doc.errors.length)
    fail(
      file,
      doc.errors.map((e) => at(e.pos[0], '', e.message.split('\n')[0] ?? e.message)),
    );
  const data = doc.toJS() as unknown;
  const root = doc.contents as YamlNode | null;
  const locate = (pointer: string, message: string, key?: string): Problem =>
    at(
      (key !== undefined ? keyNode(root, pointer, key) : yamlNodeAt(root, pointer))?.range?.[0],
      pointer,
      message,
    );
  if (!validate(data))
    fail(
      file,
      (validate.errors ?? []).filter(shown).map((e) => locate(e.instancePath, describe(e), unknownKey(e))),
    );
  const scenario = data as Scenario;
  const problems = checkReferences(scenario, site).map(([p, m]) => locate(p, m));
  if (problems.length) fail(file, problems);
  return scenario;
}

interface Problem {
  line: number;
  col: number;
  text: string;
}

/** Problems in file order, each once. */
function fail(file: string, problems: Problem[]): never {
  const texts = [
    ...new Set([...problems].sort((a, b) => a.line - b.line || a.col - b.col).map((p) => p.text)),
  ];
  throw new ScenarioError(`invalid scenario ${file}:\n  ${texts.join('\n  ')}`, texts);
}

/**
 * Drops Ajv's bookkeeping: `if` failures, the `anyOf` summary, and a `type` failure of one
 * `anyOf` branch when a more telling error names the same place.
 */
function shown(e: ErrorObject, _i: number, all: ErrorObject[]): boolean {
  if (e.keyword === 'if' || e.keyword === 'anyOf') return false;
  if (e.keyword === 'type' && /\/anyOf\/\d+\/type$/.test(e.schemaPath))
    return !all.some(
      (o) => o !== e && o.instancePath === e.instancePath && o.keyword !== 'type' && o.keyword !== 'anyOf',
    );
  return true;
}

function unknownKey(e: ErrorObject): string | undefined {
  return e.keyword === 'additionalProperties' ? String(e.params.additionalProperty) : undefined;
}

/** The scenario schema's patterns are names and durations: say which was wanted. */
function describe(e: ErrorObject): string {
  if (e.keyword !== 'pattern') return describeSchemaError(e);
  return e.instancePath.endsWith('/name')
    ? 'must be lower-case kebab-case'
    : 'is not a duration (e.g. 90s, 15m, 1h30m, 2d)';
}

/** The key node of `key` in the map at `pointer` (an unknown property's own line). */
function keyNode(root: YamlNode | null, pointer: string, key: string): YamlNode | null {
  const map = yamlNodeAt(root, pointer);
  if (!isMap(map)) return map;
  const pair = map.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
  return (pair?.key as YamlNode | undefined) ?? map;
}

/** Checks the schema cannot express: durations parse, references exist in the site. */
function checkReferences(s: Scenario, site: Site | undefined): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  const dur = (pointer: string, v: string | number | undefined): void => {
    if (v !== undefined && parseDuration(v) === null)
      problems.push([pointer, `is not a duration: ${JSON.stringify(v)}`]);
  };
  dur('/duration', s.duration);
  if (s.start && !/^(end-at-now|now)$/.test(s.start)) {
    const rel = /^now-(.+)$/.exec(s.start);
    if (rel ? parseDuration(rel[1]!) === null : Number.isNaN(Date.parse(s.start)))
      problems.push([
        '/start',
        `must be 'end-at-now', 'now', 'now-<duration>' or an ISO 8601 time, not '${s.start}'`,
      ]);
  }
  s.incidents?.forEach((inc, i) => {
    dur(`/incidents/${i}/at`, inc.at);
    if ('for' in inc) dur(`/incidents/${i}/for`, inc.for);
    if ('dwell' in inc) dur(`/incidents/${i}/dwell`, inc.dwell);
    if (inc.kind === 'thrown_object' && inc.object && !(inc.object in OBJECT_CLASSES))
      problems.push([
        `/incidents/${i}/object`,
        `unknown object class '${inc.object}' (one of ${Object.keys(OBJECT_CLASSES).join(', ')})`,
      ]);
  });
  s.faults?.scripted?.forEach((f, i) => {
    dur(`/faults/scripted/${i}/at`, f.at);
    dur(`/faults/scripted/${i}/for`, f.for);
    if (f.kind === 'offline' && f.for === undefined)
      problems.push([`/faults/scripted/${i}`, "an 'offline' fault needs 'for'"]);
  });
  if (!site) return problems;
  const devices = new Map(site.devices.map((d) => [d.id, d]));
  const places = new Map(site.places.map((p) => [p.id, p]));
  const households = new Set(site.households.map((h) => h.id));
  const placeOf = (pointer: string, id: string | undefined, kind: string): void => {
    if (id === undefined || id === 'auto') return;
    const p = places.get(id);
    if (!p) problems.push([pointer, `refers to unknown place '${id}'`]);
    else if (p.kind !== kind) problems.push([pointer, `'${id}' is a ${p.kind}, not a ${kind}`]);
  };
  s.incidents?.forEach((inc, i) => {
    const base = `/incidents/${i}`;
    switch (inc.kind) {
      case 'thermal_runaway':
        placeOf(`${base}/place`, inc.place, 'bike_shed');
        if (inc.chargedFrom === 'private_lead' && inc.port !== undefined)
          problems.push([`${base}/port`, 'a pack on a private lead is on no controller port']);
        break;
      case 'thrown_object':
        if (inc.camera && inc.camera !== 'auto') {
          const d = devices.get(inc.camera);
          if (!d) problems.push([`${base}/camera`, `refers to unknown device '${inc.camera}'`]);
          else if (!d.calibration || !d.building)
            problems.push([`${base}/camera`, `'${inc.camera}' is not a calibrated façade camera`]);
        }
        break;
      case 'littering':
        placeOf(`${base}/place`, inc.place, 'garbage_room');
        break;
      case 'fire_lane_blocked':
        placeOf(`${base}/place`, inc.place, 'fire_lane');
        break;
      default:
        if (inc.household && inc.household !== 'auto' && !households.has(inc.household))
          problems.push([`${base}/household`, `refers to unknown household '${inc.household}'`]);
    }
  });
  s.faults?.scripted?.forEach((f, i) => {
    if (!devices.has(f.device))
      problems.push([`/faults/scripted/${i}/device`, `refers to unknown device '${f.device}'`]);
  });
  if (Array.isArray(s.models?.households))
    s.models.households.forEach((h, i) => {
      if (!households.has(h))
        problems.push([`/models/households/${i}`, `refers to unknown household '${h}'`]);
    });
  return problems;
}
