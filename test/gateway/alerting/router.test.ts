import { describe, expect, it } from 'vitest';
import { SiteIndex } from '../../../gateway/src/site/site-index.ts';
import { loadSiteFile, EXAMPLE_SITE_FILE } from '../../../gateway/src/site/site-loader.ts';
import { buildChain } from '../../../gateway/src/alerting/router.ts';
import {
  DEFAULT_ESCALATION,
  DEFAULT_ROUTING,
  rolesFor,
  readAlertingConfig,
} from '../../../gateway/src/alerting/config.ts';
import type { Role } from '../../../gateway/src/contracts/site.ts';

const site = new SiteIndex(loadSiteFile(EXAMPLE_SITE_FILE));
const config = readAlertingConfig(site.site);
const chain = (gridNode: string, kind: string, emergency = false) =>
  buildChain(site, {
    gridNode,
    roles: rolesFor(config, kind),
    supervisorRoles: DEFAULT_ROUTING.supervisorRoles,
    ...(emergency ? { extraRoles: DEFAULT_ESCALATION.emergency.extraRoles, pageBothPosts: true } : {}),
  }).map((s) => [s.label, s.staff.map((m) => m.staffId).sort()]);

describe('routing: location → grid node → roles, A post first, then up the grid', () => {
  it.each<[string, string, Array<[string, string[]]>]>([
    [
      'bg-b12',
      'fire',
      [
        ['A', ['mg3-responder-a', 'property']],
        ['B', ['mg3-responder-b', 'property-b']],
        ['grid:mg-chunjiang-3', ['mg3-leader']],
        ['grid:longhua-block', ['block-duty']],
        ['grid:wuliqiao', ['street-duty']],
      ],
    ],
    [
      'bg-b3',
      'elderly_inactivity',
      [
        ['A', ['mg3-care-a']],
        ['B', ['mg3-care-b']],
        ['grid:mg-chunjiang-3', ['mg3-leader']],
        ['grid:longhua-block', ['block-duty']],
        ['grid:wuliqiao', ['street-duty']],
      ],
    ],
    [
      'bg-b1',
      'falling_object',
      [
        ['A', ['mg1-patrol-a', 'property']],
        ['B', ['mg1-patrol-b', 'property-b']],
        ['grid:mg-chunjiang-1', ['mg1-leader']],
        ['grid:longhua-block', ['block-duty']],
        ['grid:wuliqiao', ['street-duty']],
      ],
    ],
    [
      'bg-b6',
      'resident_report',
      [
        ['A', ['mg2-worker-a']],
        ['B', ['mg2-worker-b']],
        ['grid:mg-chunjiang-2', ['mg2-leader']],
        ['grid:longhua-block', ['block-duty']],
        ['grid:wuliqiao', ['street-duty']],
      ],
    ],
  ])('%s %s', (node, kind, expected) => {
    expect(chain(node, kind)).toEqual(expected);
  });

  it('pages A and B posts and the extra roles together in emergency mode', () => {
    expect(chain('bg-b12', 'fire', true)[0]).toEqual([
      'A+B',
      [
        'mg3-leader',
        'mg3-responder-a',
        'mg3-responder-b',
        'mg3-worker-a',
        'mg3-worker-b',
        'property',
        'property-b',
      ],
    ]);
  });

  it('falls back to the default roles for a kind it does not know', () => {
    expect(rolesFor(config, 'something_new')).toEqual<Role[]>(['grid_worker']);
  });
});
