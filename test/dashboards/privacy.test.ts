/**
 * The care page in Chromium shows each reader what the gateway lets them see (issue 18): a patrol
 * inspector's phone shows the watched resident as 李** / 138****xxxx, the household's care worker
 * sees the name, a callable number and the health note. Both page loads are in the access log.
 */
import { describe, expect, it } from 'vitest';
import { chromiumSuite, loginThroughForm, screenshot } from '../helpers/browser.ts';

const HOUSEHOLD = 'B3-1-203';
const suite = chromiumSuite();

async function residentLine(
  username: string,
): Promise<{ name: string; phone: string; text: string; tel: number }> {
  const o = await suite.open({ phone: true });
  await loginThroughForm(o.page, suite.gw.http, username);
  await o.page.click('#tab-households');
  await o.page.fill('#household-search', HOUSEHOLD.toLowerCase());
  const line = o.page.locator('.household').first().locator('.resident');
  await line.waitFor();
  await screenshot(o.page, `care-list-${username}`);
  expect(o.errors).toEqual([]);
  return {
    name: (await line.locator('.resident-name').textContent()) ?? '',
    phone: (await line.locator('.resident-phone').textContent()) ?? '',
    text: (await line.textContent()) ?? '',
    tel: await line.locator('a[href^="tel:"]').count(),
  };
}

describe('care page masking in Chromium', { timeout: 120_000 }, () => {
  it('shows the patrol inspector masked fields and the care worker full ones', async () => {
    const resident = suite.gw.gateway.ctx.site.household(HOUSEHOLD)!.resident!;
    const patrol = await residentLine('mg3-patrol-a');
    expect(patrol.name).toBe(`${resident.name[0]}**`);
    expect(patrol.phone).toBe(`${resident.phone!.slice(0, 3)}****${resident.phone!.slice(-4)}`);
    expect(patrol.tel).toBe(0);
    expect(patrol.text).not.toContain(resident.name);

    const care = await residentLine('mg3-care-a');
    expect(care.name).toBe(resident.name);
    expect(care.phone).toBe(resident.phone);
    expect(care.tel).toBe(1);
    expect(care.text).toContain(resident.healthNote ?? care.phone);

    const readers = suite.gw.gateway.ctx.privacy.audit
      .entries({ subject: `household:${HOUSEHOLD}`, action: 'read' })
      .map((e) => [e.actor, e.fields.includes('name:masked')]);
    expect(readers).toEqual([
      ['mg3-patrol-a', true],
      ['mg3-care-a', false],
    ]);
  });

  it("gives the data-protection officer the access log with its chain's state", async () => {
    const o = await suite.open({});
    await loginThroughForm(o.page, suite.gw.http, 'dpo');
    expect(new URL(o.page.url()).pathname).toBe('/privacy.html');
    await o.page.locator('#chain-status', { hasText: '哈希链完整' }).waitFor();
    await o.page.fill('#audit-filter', `household:${HOUSEHOLD}`);
    await o.page.press('#audit-filter', 'Enter');
    const rows = o.page.locator('#audit-table tbody tr');
    // The unfiltered log lists every household the patrol's care list read; filtered, two rows remain.
    await o.page.waitForFunction(() => document.querySelectorAll('#audit-table tbody tr').length === 2);
    expect(await rows.nth(0).textContent()).toContain('mg3-care-a');
    expect(await rows.nth(1).textContent()).toContain('mg3-patrol-a');
    await screenshot(o.page, 'privacy-dpo-desktop');
    expect(o.errors).toEqual([]);
    expect(o.external).toEqual([]);
  });
});
