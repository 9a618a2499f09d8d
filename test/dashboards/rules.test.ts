/**
 * The engineer's rule list and test bench in Chromium (issue 17 item 8): in Chinese by default —
 * each shipped rule's zh-CN description, the bench's detections with Chinese words for fired,
 * severity and kind and the rule's Chinese title — and in English once the header's language
 * switch says so, at desktop and phone size.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSuite, loginThroughForm, lowContrastText, screenshot } from '../helpers/browser.ts';

interface RuleInfo {
  id: string;
  description: { 'zh-CN': string; en: string } | null;
}

const suite = chromiumSuite();

/** Runs shed-heat-fixed over the page's sample fixture (shed 1 heating up); returns the output. */
async function runBench(page: Page): Promise<string> {
  await page.selectOption('#rule-select', 'shed-heat-fixed');
  await page.click('.rule-bench button[type=submit]');
  const detection = page.locator('#rule-output li.detection').first();
  await detection.waitFor();
  return (await page.locator('#rule-output').textContent()) ?? '';
}

describe('rules page in Chromium', { timeout: 120_000 }, () => {
  it('describes the rules and runs the bench in Chinese, and in English once switched', async () => {
    const api = await suite.gw.api<{ rules: RuleInfo[] }>('GET', '/api/rules', { user: 'engineer' });
    expect(api.status).toBe(200);
    const smoke = api.body.rules.find((r) => r.id === 'shed-smoke')!;
    expect(smoke.description!['zh-CN']).toMatch(/\p{Script=Han}/u);
    expect(smoke.description!.en).toMatch(/^Smoke in a bike shed/);

    for (const phone of [false, true]) {
      const o = await suite.open({ phone });
      await loginThroughForm(o.page, suite.gw.http, 'engineer', '/engineer.html');
      const item = o.page.locator('#rule-list li[data-rule="shed-smoke"] .rule-description');
      await expect.poll(() => item.textContent()).toBe(smoke.description!['zh-CN']);
      const output = await runBench(o.page);
      expect(output).toContain('触发 · ');
      expect(output).toContain('重要 · 火情');
      expect(output).toContain('1号非机动车棚温度过高');
      expect(output).not.toMatch(/FIRE|High temperature/);
      await o.page.locator('#rule-output').scrollIntoViewIfNeeded();
      await screenshot(o.page, `rules-${phone ? 'phone' : 'desktop'}`);
      expect(await lowContrastText(o.page)).toEqual([]);

      // The header's language switch: the page comes back in English.
      await Promise.all([o.page.waitForURL(/engineer\.html/), o.page.selectOption('#lang', 'en')]);
      await expect.poll(() => item.textContent()).toBe(smoke.description!.en);
      const english = await runBench(o.page);
      expect(english).toContain('Fired · ');
      expect(english).toContain('Major · Fire');
      expect(english).toContain('High temperature in Bike shed 1');
      expect(english).not.toMatch(/\p{Script=Han}/u);
      await o.page.locator('#rule-output').scrollIntoViewIfNeeded();
      await screenshot(o.page, `rules-${phone ? 'phone' : 'desktop'}-en`);
    }
    expect(suite.faults()).toEqual([]);
  });
});
