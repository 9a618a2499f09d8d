/**
 * What leaves the community for the street hub about a household (PIPL Art. 23): in full only
 * with the household's `shareWithStreet` consent. A real gateway with a street link whose hub is
 * not reachable keeps every uplink record in its outbox, where this test reads them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Detection } from '../../../gateway/src/contracts/alerts.ts';
import { freePort } from '../../helpers/ports.ts';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { testNow } from '../../helpers/clock.ts';

let gw: TestGateway | null = null;
afterEach(async () => {
  await gw?.stop();
  gw = null;
});

/** A water-model inactivity alert about a household of the example site. */
function inactivity(household: string): Detection {
  return {
    kind: 'elderly_inactivity',
    severity: 'major',
    siteId: 'chunjiang',
    eventTs: testNow(),
    source: { deviceId: `wm-${household}`, rule: null, model: 'elderly-inactivity@8' },
    dedupeKey: `elderly_inactivity:${household}`,
    location: { household },
    title: { 'zh-CN': `${household}室超过6小时无用水`, en: `No water use in ${household} for 6 h` },
    message: { 'zh-CN': '请先电话联系老人', en: 'Call the resident first' },
    evidence: { silentH: 6.2 },
  };
}

type Row = { kind: string; payload: string };
interface Uplinked {
  title: string;
  message: string;
  location: { building: string | null; household: string | null; unit: string | null; floor: number | null };
  source: { deviceId: string | null };
}

describe('the street uplink and household consent', () => {
  it('sends a household’s incident in full only when it agreed to share with the street', async () => {
    gw = await startTestGateway({
      hubUrls: [`http://127.0.0.1:${await freePort()}`],
      hubKey: 'street-test-key',
    });
    const db = gw.gateway.ctx.stores.db;
    // B1-2-202 shares with the street; B3-1-203 consented to monitoring only.
    gw.gateway.ctx.bus.emit('detectionRaised', inactivity('B1-2-202'));
    gw.gateway.ctx.bus.emit('detectionRaised', inactivity('B3-1-203'));
    const rows = await eventually(() => {
      const r = db
        .prepare("SELECT kind, payload FROM street_uplink_outbox WHERE kind IN ('alert', 'incident')")
        .all() as Row[];
      return r.length >= 4 ? r : null;
    });
    const bodies = rows.map((r) => JSON.parse(r.payload) as Uplinked);
    const shared = bodies.filter((b) => b.location.building === 'B1');
    const withheld = bodies.filter((b) => b.location.building === 'B3');
    // An alert and an incident for each.
    expect(shared.length).toBeGreaterThanOrEqual(2);
    expect(withheld.length).toBeGreaterThanOrEqual(2);
    for (const b of shared) {
      expect(b.location.household).toBe('B1-2-202');
      expect(b.source.deviceId).toBe('wm-B1-2-202');
    }
    for (const b of withheld) {
      expect(JSON.stringify(b)).not.toMatch(/B3-1-203|1单元|203室/);
      expect(b.location).toMatchObject({ building: 'B3', household: null, unit: null, floor: null });
      expect(b.source.deviceId).toBeNull();
      expect(b.title).toBe('3号楼独居老人用水异常');
      expect(b.message).toContain('该户未同意向街道共享');
    }
  });
});
