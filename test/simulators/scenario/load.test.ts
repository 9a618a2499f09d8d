import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../../gateway/src/site/site-loader.ts';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../../simulators/scenario/load.ts';

const site = loadSiteFile('sites/chunjiang.yaml');

describe('scenario files', () => {
  it('every shipped scenario is valid against the example site', () => {
    const files = readdirSync('simulators/scenarios').filter((f) => f.endsWith('.yaml'));
    for (const name of [
      'quiet-day',
      'shed-fire',
      'thrown-object',
      'elderly-inactivity-week',
      'mixed-month',
      'load',
    ])
      expect(files).toContain(`${name}.yaml`);
    for (const f of files) expect(() => loadScenarioFile(`simulators/scenarios/${f}`, site), f).not.toThrow();
  });

  it('reports every problem with file, line, column and path', () => {
    const text = [
      'version: 1',
      'name: Bad Name',
      'duration: 2x',
      'noise:',
      '  lostRate: 3',
      'incidents:',
      '  - kind: thermal_runaway',
      '    place: shed-9',
      '    at: 1h',
      '  - kind: littering',
      '    place: shed-1',
      '    at: 2h',
      '    dwell: 10m',
      '  - kind: thrown_object',
      '    at: 5m',
      '    colour: red',
    ].join('\n');
    let problems: string[] = [];
    try {
      parseScenario(text, 'bad.yaml', site);
    } catch (err) {
      expect(err).toBeInstanceOf(ScenarioError);
      problems = (err as ScenarioError).problems;
    }
    expect(problems).toContain('bad.yaml:2:7 /name must be lower-case kebab-case');
    expect(problems).toContain('bad.yaml:3:11 /duration is not a duration (e.g. 90s, 15m, 1h30m, 2d)');
    expect(problems).toContain('bad.yaml:5:13 /noise/lostRate must be <= 1');
    expect(problems).toContain("bad.yaml:16:5 /incidents/2 has unknown property 'colour'");
    expect(problems.some((p) => p.includes('must be number'))).toBe(false);
  });

  it('checks references against the site once the schema passes', () => {
    const text = [
      'version: 1',
      'name: refs',
      'duration: 1h',
      'incidents:',
      '  - { kind: thermal_runaway, place: shed-9, at: 1h }',
      '  - { kind: littering, place: shed-1, at: 2h, dwell: 10m }',
      '  - { kind: thrown_object, camera: cam-garbage-1, object: piano, at: 5m }',
    ].join('\n');
    expect(() => parseScenario(text, 'refs.yaml', site)).toThrowError(
      /refs\.yaml:5:\d+ \/incidents\/0\/place refers to unknown place 'shed-9'[\s\S]*\/incidents\/1\/place 'shed-1' is a bike_shed, not a garbage_room[\s\S]*'cam-garbage-1' is not a calibrated façade camera[\s\S]*unknown object class 'piano'/,
    );
  });
});
