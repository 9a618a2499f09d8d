import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  loadSiteFile,
  parseSite,
  type SiteProblem,
  EXAMPLE_SITE_FILE,
} from '../../../gateway/src/site/site-loader.ts';
import { SiteIndex } from '../../../gateway/src/site/site-index.ts';
import { WeigeError } from '../../../gateway/src/core/errors.ts';

const example = readFileSync(EXAMPLE_SITE_FILE, 'utf8');

function problemsOf(text: string): SiteProblem[] {
  try {
    parseSite(text, 'bad.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(WeigeError);
    expect((err as WeigeError).code).toBe('WEIGE_ERR_SITE_INVALID');
    return (err as WeigeError).details as SiteProblem[];
  }
  throw new Error('expected the site to be refused');
}

/** 1-based line number of the first line containing `needle` in `text`. */
const lineOf = (text: string, needle: string): number =>
  text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('site file loading', () => {
  it('loads the example community: 13 buildings, 383 households, five grid levels', () => {
    const site = loadSiteFile(EXAMPLE_SITE_FILE);
    expect(site.buildings).toHaveLength(13);
    expect(site.households).toHaveLength(383);
    const index = new SiteIndex(site);
    expect(index.gridPath('bg-b3')).toEqual([
      'wuliqiao',
      'longhua-block',
      'longhua',
      'mg-chunjiang-3',
      'bg-b3',
    ]);
    const cam = index.device('cam-b3-east')!;
    expect(index.deviceLocation(cam)).toMatchObject({ building: 'B3', facade: 'east' });
    expect(index.isWithin(index.deviceGrid(cam), 'mg-chunjiang-3')).toBe(true);
    expect(index.isWithin(index.deviceGrid(cam), 'mg-chunjiang-1')).toBe(false);
  });

  it('reports a schema error with file, line, column and path', () => {
    const bad = example.replace('floors: 14', 'floors: fourteen');
    const [p] = problemsOf(bad);
    expect(p).toMatchObject({ file: 'bad.yaml', path: '/buildings/2/floors', message: 'must be integer' });
    expect(p!.line).toBe(lineOf(bad, 'floors: fourteen'));
    expect(p!.col).toBeGreaterThan(1);
  });

  it('reports every problem at once, including unknown properties and bad enums', () => {
    const bad = example
      .replace('kind: bike_shed', 'kind: bicycle_shed')
      .replace('timezone: Asia/Shanghai', 'timezone: Asia/Shanghai\ncolour: red');
    const problems = problemsOf(bad);
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/unknown property 'colour'/),
        expect.stringMatching(/must be one of "bike_shed"/),
      ]),
    );
  });

  it('checks references the schema cannot: unknown grid node, duplicate ids, wrong level order', () => {
    const bad = example.replace('grid: bg-b5\n', 'grid: bg-b99\n').replace('id: B2\n', 'id: B1\n');
    const messages = problemsOf(bad).map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/unknown grid node 'bg-b99'/),
        expect.stringMatching(/duplicate id 'B1'/),
      ]),
    );
    const wrongLevel = example.replace('level: block', 'level: neighbourhood');
    expect(problemsOf(wrongLevel).map((p) => p.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/depth 1 must be 'block'/)]),
    );
  });

  it('reports YAML syntax errors with their position', () => {
    const [p] = problemsOf('version: 1\nid: [unclosed\n');
    expect(p!.line).toBeGreaterThanOrEqual(2);
  });
});
