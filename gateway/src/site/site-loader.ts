/**
 * Loads a YAML site file: parse → JSON Schema (all errors, defaults applied) → cross-references.
 * Every problem is reported as `file:line:col path message`, so a bad site file fails at start
 * with something a person can fix.
 *
 * site/ is a bottom part (it imports contracts/ and core/ only): the gateway reads its site through
 * it, and so do the simulators, the models' datasets and the rules CLI, without reaching into the
 * gateway's stages.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { Ajv } from 'ajv';
import { Errors } from '../core/errors.ts';
import { DEVICE_KINDS } from '../contracts/readings.ts';
import { GRID_LEVELS, type GridNode, type Site } from '../contracts/site.ts';
import { SITE_SCHEMA } from './site-schema.ts';
import { describeSchemaError } from './schema-errors.ts';
import { yamlNodeAt } from './yaml-locate.ts';

/** The example community (春江), the default site of the gateway and the tools. */
export const EXAMPLE_SITE_FILE = fileURLToPath(new URL('../../../sites/chunjiang.yaml', import.meta.url));

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validateSite = ajv.compile(SITE_SCHEMA);

export interface SiteProblem {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

export function formatProblem(p: SiteProblem): string {
  return `${p.file}:${p.line}:${p.col} ${p.path || '/'} ${p.message}`;
}

export function loadSiteFile(file: string): Site {
  return parseSite(readFileSync(file, 'utf8'), file);
}

export function parseSite(text: string, file = '<site>'): Site {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined, path: string, message: string): SiteProblem => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { file, line: pos.line, col: pos.col, path, message };
  };
  if (doc.errors.length) {
    fail(doc.errors.map((e) => at(e.pos[0], '', e.message.split('\n')[0] ?? e.message)));
  }
  const data = doc.toJS() as unknown;
  const locate = (pointer: string, message: string): SiteProblem =>
    at(yamlNodeAt(doc.contents as YamlNode | null, pointer)?.range?.[0], pointer, message);

  if (!validateSite(data)) {
    fail((validateSite.errors ?? []).map((e) => locate(e.instancePath, describeSchemaError(e))));
  }
  const site = data as Site;
  site.mqtt ??= { allowAnonymous: false, accounts: [] };
  site.mqtt.accounts ??= [];
  const refProblems = checkReferences(site).map(([pointer, message]) => locate(pointer, message));
  if (refProblems.length) fail(refProblems);
  return site;
}

function fail(problems: SiteProblem[]): never {
  throw Errors.siteInvalid(`invalid site file:\n  ${problems.map(formatProblem).join('\n  ')}`, problems);
}

/** Cross-reference checks the schema cannot express. Returns [json pointer, message] pairs. */
function checkReferences(site: Site): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  const gridIds = new Set<string>();
  const walk = (node: GridNode, pointer: string, depth: number): void => {
    if (gridIds.has(node.id)) problems.push([`${pointer}/id`, `duplicate grid node id '${node.id}'`]);
    gridIds.add(node.id);
    const expected = GRID_LEVELS[depth];
    if (node.level !== expected)
      problems.push([`${pointer}/level`, `is '${node.level}' but depth ${depth} must be '${expected}'`]);
    node.children?.forEach((c, i) => walk(c, `${pointer}/children/${i}`, depth + 1));
  };
  walk(site.grid, '/grid', 0);

  const unique = (section: 'buildings' | 'places' | 'households' | 'devices' | 'staff'): Set<string> => {
    const seen = new Set<string>();
    (site[section] as Array<{ id: string }>).forEach((item, i) => {
      if (seen.has(item.id))
        problems.push([`/${section}/${i}/id`, `duplicate id '${item.id}' in ${section}`]);
      seen.add(item.id);
    });
    return seen;
  };
  const buildings = unique('buildings');
  const places = unique('places');
  const households = unique('households');
  unique('devices');
  unique('staff');
  const usernames = new Set<string>();
  site.staff.forEach((s, i) => {
    if (usernames.has(s.username))
      problems.push([`/staff/${i}/username`, `duplicate username '${s.username}'`]);
    usernames.add(s.username);
  });

  const ref = (pointer: string, kind: string, value: string | undefined, known: Set<string>): void => {
    if (value !== undefined && !known.has(value))
      problems.push([pointer, `refers to unknown ${kind} '${value}'`]);
  };
  site.buildings.forEach((b, i) => ref(`/buildings/${i}/grid`, 'grid node', b.grid, gridIds));
  site.places.forEach((p, i) => {
    ref(`/places/${i}/grid`, 'grid node', p.grid, gridIds);
    ref(`/places/${i}/building`, 'building', p.building, buildings);
  });
  site.households.forEach((h, i) => {
    ref(`/households/${i}/grid`, 'grid node', h.grid, gridIds);
    ref(`/households/${i}/building`, 'building', h.building, buildings);
  });
  site.devices.forEach((d, i) => {
    ref(`/devices/${i}/household`, 'household', d.household, households);
    ref(`/devices/${i}/place`, 'place', d.place, places);
    ref(`/devices/${i}/building`, 'building', d.building, buildings);
    if (d.kind === 'camera' && d.facade && !d.calibration)
      problems.push([`/devices/${i}`, `camera watching a façade needs a 'calibration'`]);
  });
  site.staff.forEach((s, i) => ref(`/staff/${i}/grid`, 'grid node', s.grid, gridIds));

  // Stage sections (untyped in Site; the schema fixes their shape and role names). Alert kinds are
  // open (rules name their own), so only the ids and device kinds they name are checked here.
  const webhooks = ((site.channels as { webhooks?: unknown[] } | undefined)?.webhooks ?? []) as Array<{
    id: string;
    grids?: string[];
  }>;
  const webhookIds = new Set<string>();
  webhooks.forEach((w, i) => {
    if (webhookIds.has(w.id)) problems.push([`/channels/webhooks/${i}/id`, `duplicate webhook id '${w.id}'`]);
    webhookIds.add(w.id);
    w.grids?.forEach((g, j) => ref(`/channels/webhooks/${i}/grids/${j}`, 'grid node', g, gridIds));
  });
  problems.push(...checkPersonalChannels(site.channels));
  const deviceKinds = new Set<string>(DEVICE_KINDS);
  const playbooks = (site.playbooks ?? {}) as Record<string, { commands?: Array<{ deviceKind: string }> }>;
  for (const [kind, playbook] of Object.entries(playbooks))
    playbook.commands?.forEach((c, j) =>
      ref(`/playbooks/${kind}/commands/${j}/deviceKind`, 'device kind', c.deviceKind, deviceKinds),
    );
  return problems;
}

/** Personal channels: unique ids, an agent id where the vendor needs one, paging steps naming known channels. */
function checkPersonalChannels(channels: unknown): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  const section = (channels ?? {}) as {
    apps?: Array<{ id: string; type: string; agentId?: number | null }>;
    providers?: Array<{ id: string }>;
    paging?: { steps?: string[][] };
  };
  const personal = new Set<string>();
  const unique = (pointer: string, id: string): void => {
    if (personal.has(id)) problems.push([pointer, `duplicate personal channel id '${id}'`]);
    personal.add(id);
  };
  section.apps?.forEach((a, i) => {
    unique(`/channels/apps/${i}/id`, a.id);
    if (a.type !== 'feishu' && (a.agentId === null || a.agentId === undefined))
      problems.push([`/channels/apps/${i}`, `a ${a.type} app needs its 'agentId'`]);
  });
  section.providers?.forEach((p, i) => unique(`/channels/providers/${i}/id`, p.id));
  section.paging?.steps?.forEach((step, i) =>
    step.forEach((id, j) => {
      if (!personal.has(id))
        problems.push([
          `/channels/paging/steps/${i}/${j}`,
          `refers to unknown personal channel '${id}' (known: ${[...personal].join(', ') || 'none'})`,
        ]);
    }),
  );
  return problems;
}
