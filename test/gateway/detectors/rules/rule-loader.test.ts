/** Strict loading: every kind of mistake is reported with file:line:col and what to fix. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleDirs, parseRule } from '../../../../gateway/src/detectors/rules/rule-loader.ts';
import { formatRuleProblem } from '../../../../gateway/src/detectors/rules/types.ts';

const GOOD = `version: 1
id: temp-high
kind: fire_risk
severity: minor
match:
  source: reading
  deviceKind: [smoke_sensor]
when:
  fact: max(temp_c, 5m)
  op: gte
  value: 50
  as: temp
texts:
  zh-CN:
    title: "{place} {temp}"
    message: "温度 {temp:1}"
  en:
    title: "{place} {temp}"
    message: "temperature {temp:1}"
`;

const problemsOf = (text: string): string[] => {
  const r = parseRule(text, 'r.yaml');
  return r.problems.map(formatRuleProblem);
};

describe('rule loader', () => {
  it('compiles a good rule', () => {
    const r = parseRule(GOOD, 'r.yaml');
    expect(r.problems).toEqual([]);
    expect(r.rule).toMatchObject({
      id: 'temp-high',
      kind: 'fire_risk',
      subject: 'device',
      forMs: 0,
      cooldownMs: 0,
    });
    expect(r.rule!.when.horizons.get('temp_c')).toBe(300_000);
  });

  it('carries a description in both languages for the rule list', () => {
    const r = parseRule(
      GOOD.replace('kind: fire_risk', 'description:\n  zh-CN: 温度过高\n  en: Too hot\nkind: fire_risk'),
      'r.yaml',
    );
    expect(r.problems).toEqual([]);
    expect(r.rule!.description).toEqual({ 'zh-CN': '温度过高', en: 'Too hot' });
  });

  it.each([
    ['YAML syntax', GOOD.replace('op: gte', 'op: [gte'), /^r\.yaml:\d+:\d+ \/ /],
    [
      'unknown property',
      GOOD.replace('kind: fire_risk', 'kind: fire_risk\nsevrity: x'),
      /r\.yaml:4:10 \/sevrity is not a known property/,
    ],
    [
      'bad severity',
      GOOD.replace('severity: minor', 'severity: urgent'),
      /r\.yaml:4:11 \/severity must be one of "critical", "major", "minor", "info"/,
    ],
    [
      'a description in one language only',
      GOOD.replace('kind: fire_risk', 'description: Too hot\nkind: fire_risk'),
      /r\.yaml:3:14 \/description must give both languages: \{zh-CN: …, en: …\}/,
    ],
    [
      'a description without its English',
      GOOD.replace('kind: fire_risk', 'description:\n  zh-CN: 温度过高\nkind: fire_risk'),
      /r\.yaml:4:3 \/description is missing required property 'en'/,
    ],
    [
      'unknown function',
      GOOD.replace('max(temp_c, 5m)', 'maximum(temp_c, 5m)'),
      /r\.yaml:9:9 \/when\/fact unknown function 'maximum'/,
    ],
    [
      'argument count',
      GOOD.replace('max(temp_c, 5m)', 'max(temp_c)'),
      /r\.yaml:9:9 \/when\/fact max\(\) takes field, window; got 1/,
    ],
    [
      'misspelt field',
      GOOD.replace('max(temp_c, 5m)', 'max(co, 2m)'),
      /r\.yaml:9:9 \/when\/fact unknown field 'co' in readings of smoke_sensor; known: .*co_ppm/,
    ],
    [
      'field of another device kind',
      GOOD.replace('max(temp_c, 5m)', 'max(total_m3, 2m)'),
      /r\.yaml:9:9 \/when\/fact unknown field 'total_m3' in readings of smoke_sensor/,
    ],
    [
      'misspelt field in a place-wide fact',
      GOOD.replace('as: temp', 'as: temp\n  scope: place\n  devices: { deviceKind: [charging_controller] }')
        .replace('max(temp_c, 5m)', 'max(power, 5m)')
        .replace('deviceKind: [smoke_sensor]', 'deviceKind: [smoke_sensor]\n  placeKind: [bike_shed]'),
      /r\.yaml:10:9 \/when\/fact unknown field 'power' in readings of charging_controller; known: current_a, power_w, state, temp_c, voltage_v$/,
    ],
    [
      'misspelt field of a health rule',
      GOOD.replace('source: reading', 'source: health').replace('max(temp_c, 5m)', 'latest(battery)'),
      /\/when\/fact unknown field 'battery' in health input; known: battery_pct, cause, status$/,
    ],
    [
      'field without unit on an open payload',
      GOOD.replace('deviceKind: [smoke_sensor]', 'deviceKind: [generic]').replace(
        'max(temp_c, 5m)',
        'max(co, 2m)',
      ),
      /unknown field 'co' in readings of generic; known: any name_unit field$/,
    ],
    ['not a duration', GOOD.replace('max(temp_c, 5m)', 'max(temp_c, 5 min)'), /'5 min' is not a duration/],
    [
      'unknown operator',
      GOOD.replace('op: gte', 'op: bigger'),
      /r\.yaml:10:7 \/when\/op unknown operator 'bigger'/,
    ],
    [
      'operator value',
      GOOD.replace('value: 50', 'value: hot'),
      /r\.yaml:11:10 \/when\/value operator 'gte' needs a number/,
    ],
    [
      'placeholder',
      GOOD.replace('"温度 {temp:1}"', '"温度 {tmp}"'),
      /r\.yaml:16:14 \/texts\/zh-CN\/message unknown placeholder \{tmp\}/,
    ],
    [
      'ref root',
      GOOD.replace('value: 50', 'value: { ref: site.max, default: 50 }'),
      /\/when\/value\/ref ref must start with household or device/,
    ],
    [
      'eventType without event source',
      GOOD.replace('deviceKind: [smoke_sensor]', 'eventType: [tamper]'),
      /\/match\/eventType eventType needs 'source: event'/,
    ],
    [
      'place subject without place',
      GOOD.replace('match:', 'subject: place\nmatch:'),
      /\/subject subject 'place' needs match.placeKind/,
    ],
    [
      'a flow mapping split by a comma',
      GOOD.replace(/when:\n(.|\n)*?as: temp\n/, 'when: { fact: max(temp_c, 5m), op: gte, value: 50 }\n'),
      /r\.yaml:8:\d+ \/when\/5m\) is not a known property/,
    ],
  ])('%s', (_name, text, expected) => {
    const problems = problemsOf(text);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(expected);
  });

  it.each([
    ['a canonical field of the kind', 'deviceKind: [smoke_sensor]', 'max(co_ppm, 2m)'],
    ['a vendor codec field', 'deviceKind: [water_meter]', 'latest(continuous_flow_min)'],
    ['any name_unit field of an open payload', 'deviceKind: [generic]', 'latest(signal_dbm)'],
    ['a field of some kind when no kind is named', 'placeKind: [bike_shed]', 'latest(voltage_v)'],
  ])('accepts %s', (_name, kinds, fact) => {
    const r = parseRule(
      GOOD.replace('deviceKind: [smoke_sensor]', kinds).replace('max(temp_c, 5m)', fact),
      'r.yaml',
    );
    expect(r.problems).toEqual([]);
    expect(r.rule!.when.horizons.has(fact.replace(/^\w+\((\w+).*$/, '$1'))).toBe(true);
  });

  it('skips a bad file and a duplicate id but loads the rest; test files are not rules', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weige-rules-'));
    try {
      writeFileSync(path.join(dir, 'a.yaml'), GOOD);
      writeFileSync(path.join(dir, 'b.yaml'), GOOD);
      writeFileSync(
        path.join(dir, 'c.yaml'),
        GOOD.replace('id: temp-high', 'id: other').replace('op: gte', 'op: nope'),
      );
      writeFileSync(path.join(dir, 'pack.test.yaml'), 'tests: []\n');
      const set = loadRuleDirs([dir]);
      expect(set.rules.map((r) => r.id)).toEqual(['temp-high']);
      expect(set.problems.map((p) => `${path.basename(p.file)} ${p.path} ${p.message}`)).toEqual([
        `b.yaml /id rule id 'temp-high' is also used by ${path.join(dir, 'a.yaml')}`,
        "c.yaml /when/op unknown operator 'nope'",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
