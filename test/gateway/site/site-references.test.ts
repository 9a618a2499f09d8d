/**
 * References inside the stage sections (channels, playbooks) are checked at load time and reported
 * with file, line and column like the core sections' references.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSite, type SiteProblem, EXAMPLE_SITE_FILE } from '../../../gateway/src/site/site-loader.ts';
import { WeigeError } from '../../../gateway/src/core/errors.ts';

const example = readFileSync(EXAMPLE_SITE_FILE, 'utf8');

const WEBHOOKS = `  webhooks:
    - id: duty-room
      type: wecom
      url: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x
      grids: [mg-chunjiang-3, mg-chunjiang-9]
    - id: duty-room
      type: generic
      url: https://example.cn/hook
`;

function problemsOf(text: string): SiteProblem[] {
  try {
    parseSite(text, 'bad.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(WeigeError);
    return (err as WeigeError).details as SiteProblem[];
  }
  throw new Error('expected the site to be refused');
}

const lineOf = (text: string, needle: string): number =>
  text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('site file references in routing/playbooks/channels', () => {
  it('accepts the example site with webhooks that name real grid nodes', () => {
    const good = example.replace(
      '  webhooks: []\n',
      WEBHOOKS.replace('mg-chunjiang-9', 'mg-chunjiang-1').replace(
        /id: duty-room\n(\s+)type: generic/,
        'id: ops\n$1type: generic',
      ),
    );
    expect(() => parseSite(good, 'good.yaml')).not.toThrow();
  });

  it('refuses an unknown webhook grid node, a duplicate webhook id and an unknown playbook device kind, with positions', () => {
    expect(example).toContain('  webhooks: []\n');
    const bad = example
      .replace('  webhooks: []\n', WEBHOOKS)
      .replace('deviceKind: charging_controller', 'deviceKind: charging_contoller');
    const problems = problemsOf(bad);
    const byPath = new Map(problems.map((p) => [p.path, p]));

    const grid = byPath.get('/channels/webhooks/0/grids/1');
    expect(grid?.message).toMatch(/unknown grid node 'mg-chunjiang-9'/);
    expect(grid?.file).toBe('bad.yaml');
    expect(grid?.line).toBe(lineOf(bad, 'grids: [mg-chunjiang-3, mg-chunjiang-9]'));
    // The column of the offending item inside the flow sequence.
    expect(grid?.col).toBe(bad.split('\n')[grid!.line - 1]!.indexOf('mg-chunjiang-9') + 1);

    const dup = byPath.get('/channels/webhooks/1/id');
    expect(dup?.message).toMatch(/duplicate webhook id 'duty-room'/);
    expect(dup?.line).toBeGreaterThan(grid!.line);

    const device = byPath.get('/playbooks/fire/commands/0/deviceKind');
    expect(device?.message).toMatch(/unknown device kind 'charging_contoller'/);
    expect(device?.line).toBe(lineOf(bad, 'deviceKind: charging_contoller'));
    expect(problems).toHaveLength(3);
  });
});
