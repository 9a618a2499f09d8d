/**
 * The site's alerting policy names alert kinds (routing, inhibitions, emergency triggers,
 * playbooks); a kind nothing raises is reported with the nearest real one, at start and whenever
 * the rules reload.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { readAlertingConfig } from '../../../gateway/src/alerting/config.ts';
import { unraisedKinds } from '../../../gateway/src/alerting/kind-references.ts';
import { loadSiteFile } from '../../../gateway/src/site/site-loader.ts';
import { customRulesDir } from '../../helpers/custom-rule.ts';
import { eventually, makeDataDir, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { writeSite } from './fixtures.ts';

const TYPO_SECTIONS = {
  routing: {
    kinds: {
      fire_rsik: { roles: ['emergency_responder'] },
      gas_leak: { roles: ['emergency_responder'] },
    },
    inhibitions: [{ sourceKinds: ['fire'], targetKinds: ['device_ofline'], equal: ['place'] }],
  },
  escalation: { emergency: { autoOnKinds: ['fire', 'smoke_alarm'] } },
};

describe('alert kinds named by the alerting policy', () => {
  it('reports each kind nothing raises, with its site-file pointer and the nearest raisable kind', () => {
    const dir = makeDataDir();
    const site = loadSiteFile(writeSite(dir, TYPO_SECTIONS));
    const found = unraisedKinds(readAlertingConfig(site), ['gas_leak']);
    expect(found).toEqual([
      { pointer: '/routing/kinds/fire_rsik', kind: 'fire_rsik', suggestion: 'fire_risk' },
      {
        pointer: '/routing/inhibitions/0/targetKinds/0',
        kind: 'device_ofline',
        suggestion: 'device_offline',
      },
      { pointer: '/escalation/emergency/autoOnKinds/1', kind: 'smoke_alarm', suggestion: null },
    ]);
    // Without a rule raising it, gas_leak is reported too.
    expect(unraisedKinds(readAlertingConfig(site), []).map((u) => u.kind)).toContain('gas_leak');
  });

  it('the example site and the default policy name only kinds something raises', () => {
    const dir = makeDataDir();
    const site = loadSiteFile(writeSite(dir, {}));
    expect(unraisedKinds(readAlertingConfig(site), [])).toEqual([]);
  });

  describe('on a running gateway', () => {
    let gw: TestGateway | null = null;
    afterEach(async () => {
      await gw?.stop();
      gw = null;
    });

    it('logs a warning per misspelt kind once the rules have loaded, and not for kinds a rule raises', async () => {
      const dir = makeDataDir();
      const rulesDir = customRulesDir(dir);
      const lines: Array<{ msg: string; pointer?: string }> = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString().split('\n').filter(Boolean))
            lines.push(JSON.parse(line) as { msg: string; pointer?: string });
          done();
        },
      });
      gw = await startTestGateway(
        { dataDir: dir, siteFile: writeSite(dir, TYPO_SECTIONS), rulesDir },
        { logger: pino({ level: 'warn' }, sink) },
      );
      const warnings = await eventually(() => {
        const w = lines.filter((l) => l.pointer);
        return w.length >= 3 ? w : null;
      }, 5000);
      expect(warnings.map((w) => w.msg)).toEqual([
        "site file /routing/kinds/fire_rsik: no rule, model or built-in detector raises alert kind 'fire_rsik' (did you mean 'fire_risk'?)",
        "site file /routing/inhibitions/0/targetKinds/0: no rule, model or built-in detector raises alert kind 'device_ofline' (did you mean 'device_offline'?)",
        "site file /escalation/emergency/autoOnKinds/1: no rule, model or built-in detector raises alert kind 'smoke_alarm' (a Node-RED flow still may)",
      ]);
    });
  });
});
