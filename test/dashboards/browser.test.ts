/**
 * The dashboards in a real Chromium against a real gateway (embedded aedes over TCP, real HTTP and
 * WebSocket push): a grid worker sees a new incident within 1 s of the camera's MQTT event and
 * accepts it, the property manager's console (second browser context) sees the state change, a
 * property manager switches the site to emergency mode and every console shows it, and a worker
 * cannot open an incident from another grid. Screenshots of every page at desktop and phone size
 * go to test-output/screenshots/.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  chromiumSuite,
  loginThroughForm,
  lowContrastText,
  screenshot,
  unlabelledControls,
} from '../helpers/browser.ts';
import { customRulesDir } from '../helpers/custom-rule.ts';
import { eventually, makeDataDir, startTestGateway } from '../helpers/gateway.ts';
import { testNow } from '../helpers/clock.ts';
import { generateFallTrack, trackPayload } from '../../simulators/camera/track.ts';

// A site rule with a kind of its own, next to the shipped packs.
const suite = chromiumSuite(() => startTestGateway({ rulesDir: customRulesDir(makeDataDir()) }));
const { open } = suite;

// Five logged-in pages at two sizes take about 8 s alone; allow for a loaded 2-core machine.
describe('dashboards in Chromium', { timeout: 120_000 }, () => {
  it('live incident loop: worker sees and accepts it, the console follows, emergency mode, other grids stay closed', async () => {
    const worker = await open({ phone: true });
    // Record vibration calls: a new critical incident must buzz the phone.
    await worker.context.addInitScript(() => {
      const calls: unknown[] = [];
      Object.assign(window, { vibrations: calls });
      navigator.vibrate = ((pattern: unknown) => calls.push(pattern) > 0) as Navigator['vibrate'];
    });
    await loginThroughForm(worker.page, suite.gw.http, 'mg3-patrol-a');
    expect(new URL(worker.page.url()).pathname).toBe('/worker.html');
    const manager = await open({});
    await loginThroughForm(manager.page, suite.gw.http, 'property');
    expect(new URL(manager.page.url()).pathname).toBe('/console.html');
    await Promise.all([
      worker.page.waitForSelector('.conn-live'),
      manager.page.waitForSelector('.conn-live'),
    ]);
    await manager.page.waitForSelector('#open-incidents tbody tr');

    // A façade camera on building 3 (micro-grid 3) tracks a bottle falling from the 10th floor; the
    // model decides it is a throw (the camera's own event alone is only a watch, issue 13).
    const camera = await suite.gw.connect('cam-b3-east');
    const card = worker.page.locator('article.incident[data-state]').first();
    const bottle = generateFallTrack({
      camera: suite.gw.gateway.ctx.site.device('cam-b3-east')!.calibration!,
      startTs: testNow(),
      rng: 'browser-bottle',
      floor: 10,
      column: 2,
      object: 'full_bottle',
      thrown: false,
      facade: { widthM: 24, windowColumns: 4 },
      ids: { siteId: 'chunjiang', deviceId: 'cam-b3-east', trackId: 't-77' },
    })!;
    const raised = new Promise<number>((resolve) =>
      suite.gw.gateway.ctx.bus.on(
        'alertRaised',
        (a) => a.kind === 'falling_object' && resolve(performance.now()),
      ),
    );
    await camera.publishAsync('weige/cam-b3-east/track', JSON.stringify(trackPayload(bottle.track)), {
      qos: 1,
    });
    const raisedAt = await raised;
    await card.waitFor({ timeout: 5000 });
    const seenAfterMs = performance.now() - raisedAt;
    expect(seenAfterMs).toBeLessThan(1000);
    const incidentId = await card.getAttribute('data-incident');
    expect(incidentId).toBeTruthy();
    expect(await card.getAttribute('class')).toContain('sev-critical');
    await expect.poll(() => card.locator('.location').textContent()).toContain('3号楼');
    expect(await card.locator('.location').textContent()).toContain('东侧');
    expect(
      await worker.page.evaluate(() => (window as unknown as { vibrations: unknown[] }).vibrations.length),
    ).toBe(1);

    // The console shows it too, pushed, on the plan and in the open-incident list.
    const row = manager.page.locator(`#open-incidents tr[data-incident="${incidentId}"]`);
    await row.waitFor({ timeout: 2000 });
    expect(await manager.page.locator('[data-area="B3"]').getAttribute('data-status')).toBe('critical');
    // Keyboard: the first Tab reaches the skip link; the plan's areas are Tab stops that Enter opens.
    await manager.page.keyboard.press('Tab');
    expect(await manager.page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
    await manager.page.focus('[data-area="B1"]');
    await manager.page.keyboard.press('Tab');
    await manager.page.keyboard.press('Tab');
    expect(await manager.page.evaluate(() => document.activeElement?.getAttribute('data-area'))).toBe('B3');
    await manager.page.keyboard.press('Enter');
    await expect.poll(() => manager.page.locator('#plan-details').textContent()).toContain('3号楼');
    expect(await manager.page.locator('#plan-details').textContent()).toContain('高空抛物');
    await screenshot(worker.page, 'worker-phone');
    // Installable: the manifest is linked and the service worker controls the page.
    const sw = await worker.page.evaluate(
      async () => (await navigator.serviceWorker.ready).active?.scriptURL,
    );
    expect(sw).toBe(`${suite.gw.http}/sw.js`);
    const manifest = await (await fetch(`${suite.gw.http}/manifest.webmanifest`)).json();
    expect(manifest).toMatchObject({ start_url: '/worker.html', display: 'standalone', lang: 'zh-CN' });

    // Accept on the phone; the manager's console sees the new state without a reload.
    await card.locator('button[data-step="accept"]').click();
    await worker.page
      .locator(`article[data-incident="${incidentId}"][data-state="accepted"]`)
      .waitFor({ timeout: 2000 });
    const acceptedAt = performance.now();
    await manager.page
      .locator(`#open-incidents tr[data-incident="${incidentId}"][data-state="accepted"]`)
      .waitFor({ timeout: 2000 });
    const consoleLagMs = performance.now() - acceptedAt;
    expect(consoleLagMs).toBeLessThan(1000);
    expect(await row.locator('td').nth(4).textContent()).toContain('马');
    await screenshot(manager.page, 'console-desktop');

    // The full record, opened from the keyboard: the 四单制 timeline shows who accepted it.
    await row.locator('button.link-button').focus();
    await manager.page.keyboard.press('Enter');
    const timeline = manager.page.locator('dialog[open] #detail-timeline');
    await expect.poll(() => timeline.textContent()).toContain('接单 · 马巡查员');
    expect(await timeline.locator('li[data-type="dispatched"]').count()).toBe(1);
    await screenshot(manager.page, 'console-incident-desktop');
    await manager.page.keyboard.press('Escape');
    await manager.page.locator('dialog[open]').waitFor({ state: 'detached' });

    // The property manager switches the site to emergency mode; a leader's console follows live,
    // and a grid worker may not switch it (the API refuses).
    expect(
      (await suite.gw.api('PUT', '/api/site/mode', { user: 'mg1-worker-a', body: { mode: 'emergency' } }))
        .status,
    ).toBe(403);
    const leader = await open({});
    await loginThroughForm(leader.page, suite.gw.http, 'mg3-leader', '/console.html');
    await leader.page.waitForSelector('.conn-live');
    expect(await manager.page.locator('#mode-switch').isDisabled()).toBe(false);
    manager.page.once('dialog', (d) => void d.accept());
    await manager.page.click('#mode-switch');
    await manager.page.waitForSelector('body.emergency');
    await leader.page.waitForSelector('body.emergency', { timeout: 2000 });
    const mode = await suite.gw.api<{ mode: string; by: string }>('GET', '/api/site/mode', { user: 'admin' });
    expect(mode.body.mode).toBe('emergency');
    await screenshot(manager.page, 'console-emergency-desktop');
    await manager.page.waitForSelector('#chart-alerts canvas');

    // A maintenance window for shed 2, set from the console.
    await manager.page.click('#silences-panel summary');
    // The kind list offers the site rules' own kinds too, not only the contract's.
    await expect.poll(() => manager.page.locator('#silence-kind option[value=gas_leak]').count()).toBe(1);
    await manager.page.selectOption('#silence-place', 'shed-2');
    await manager.page.fill('#silence-reason', '更换烟感');
    await manager.page.click('#silences-panel button[type=submit]');
    await expect.poll(() => manager.page.locator('#silence-list').textContent()).toContain('2号非机动车棚');
    const silences = await suite.gw.api<{ matchers: { place?: string }; reason: string }[]>(
      'GET',
      '/api/silences',
      { user: 'property' },
    );
    expect(silences.body).toMatchObject([{ matchers: { place: 'shed-2' }, reason: '更换烟感' }]);
    await screenshot(manager.page, 'console-full-desktop', true);

    // A fire in shed 1 (smoke on one sensor, heat on the second: confirmed) belongs to micro-grid 1:
    // the micro-grid 3 worker neither gets it nor can open it.
    const heat = await suite.gw.connect('heat-shed-1');
    await heat.publishAsync(
      'weige/heat-shed-1/telemetry',
      JSON.stringify({ ts: new Date(testNow()).toISOString(), smoke_db_m: 0.02, temp_c: 71.5, co_ppm: 3 }),
      { qos: 1 },
    );
    const smoke = await suite.gw.connect('smoke-shed-1');
    await smoke.publishAsync(
      'weige/smoke-shed-1/telemetry',
      JSON.stringify({ ts: new Date(testNow()).toISOString(), smoke_db_m: 0.4, temp_c: 30, co_ppm: 40 }),
      { qos: 1 },
    );
    const other = await eventually(async () => {
      const res = await suite.gw.api<{ id: string; location: { place: string | null } }[]>(
        'GET',
        '/api/incidents',
        { user: 'admin' },
      );
      return res.body.find((i) => i.location.place === 'shed-1');
    });
    await worker.page.goto(`${suite.gw.http}/worker.html#incident=${other.id}`);
    const denied = worker.page.locator('[data-denied]');
    await denied.waitFor();
    expect(['403', '404']).toContain(await denied.getAttribute('data-denied'));
    expect(await worker.page.locator(`article[data-incident="${other.id}"]`).count()).toBe(0);
    const direct = await worker.page.evaluate(async (id) => {
      const token = (JSON.parse(localStorage.getItem('weige.session') ?? '{}') as { token?: string }).token;
      return (await fetch(`/api/incidents/${id}`, { headers: { authorization: `Bearer ${token}` } })).status;
    }, other.id);
    expect([403, 404]).toContain(direct);
    await screenshot(worker.page, 'worker-denied-phone');

    expect(suite.faults()).toEqual([]);
    console.log(
      `incident on the phone ${Math.round(seenAfterMs)} ms after the alert was raised; console followed the accept in ${Math.round(consoleLagMs)} ms`,
    );
  });

  it('every page at desktop and phone size, in both languages, loads nothing from outside', async () => {
    /** What each page must have shown, beyond its live connection, before it is judged. */
    const engineerDevices = async (p: Page): Promise<void> => {
      // The rule list and bench have their own test (rules.test.ts).
      await p.waitForSelector('#device-table tbody tr');
      await p.fill('#dev-search', 'heat-shed-1');
      await p.click('#device-table button >> text=heat-shed-1');
      await p.locator('#device-detail h3', { hasText: 'heat-shed-1' }).waitFor();
    };
    const consoleCharts = async (p: Page): Promise<void> => {
      await p.waitForSelector('#chart-alerts canvas');
    };
    const workerList = async (p: Page): Promise<void> => {
      await p.waitForSelector('#panel-incidents h2');
    };
    const shots: [string, string, boolean, 'zh-CN' | 'en', (p: Page) => Promise<void>][] = [
      ['property', 'console', true, 'zh-CN', consoleCharts],
      ['mg3-patrol-a', 'worker', false, 'zh-CN', workerList],
      ['engineer', 'engineer', false, 'zh-CN', engineerDevices],
      ['engineer', 'engineer', true, 'en', engineerDevices],
      ['mg3-worker-a', 'worker', true, 'en', workerList],
    ];
    for (const [user, page, phone, locale, shown] of shots) {
      const o = await open({ phone, locale });
      await loginThroughForm(
        o.page,
        suite.gw.http,
        user,
        `/${page}.html${locale === 'en' ? '?lang=en' : ''}`,
      );
      await o.page.waitForSelector('.conn-live');
      await shown(o.page);
      await screenshot(
        o.page,
        `${page}-${phone ? 'phone' : 'desktop'}${locale === 'en' ? '-en' : ''}`,
        page === 'engineer' && !phone,
      );
      expect(await o.page.getAttribute('html', 'lang')).toBe(locale);
      expect(await unlabelledControls(o.page), page).toEqual([]);
      expect(await lowContrastText(o.page), page).toEqual([]);
      expect(o.external).toEqual([]);
      expect(o.errors).toEqual([]);
      await o.context.close();
    }
    for (const phone of [false, true]) {
      const o = await open({ phone });
      await o.page.goto(`${suite.gw.http}/`);
      await o.page.waitForSelector('#username');
      await screenshot(o.page, `login-${phone ? 'phone' : 'desktop'}`);
      expect(await unlabelledControls(o.page)).toEqual([]);
      expect(await lowContrastText(o.page)).toEqual([]);
      await o.context.close();
    }
  });

  it("a grid worker files a resident's report, gets the incident on the phone, and records a visit", async () => {
    const worker = await open({ phone: true });
    await loginThroughForm(worker.page, suite.gw.http, 'mg3-worker-a');
    await worker.page.waitForSelector('.conn-live');
    // On a slow phone connection ("slow 3G": 400 ms round trips, 400 kbit/s) with nothing cached,
    // the page is usable within a few seconds.
    const cdp = await worker.context.newCDPSession(worker.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 400,
      downloadThroughput: 50_000,
      uploadThroughput: 50_000,
    });
    await worker.context
      .serviceWorkers()[0]
      ?.evaluate(() => caches.keys().then((k) => Promise.all(k.map((c) => caches.delete(c)))));
    const loadStart = performance.now();
    await worker.page.reload();
    await worker.page.waitForSelector('#incident-list article, #incident-list .empty');
    const slowLoadMs = performance.now() - loadStart;
    expect(slowLoadMs).toBeLessThan(8000);
    console.log(`worker page usable after ${Math.round(slowLoadMs)} ms on slow 3G, nothing cached`);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    await worker.page.waitForSelector('.conn-live');
    await worker.page.click('#tab-reports');
    await worker.page.selectOption('#report-kind', 'water_leak');
    await worker.page.selectOption('#report-building', 'B3');
    await worker.page.fill('#report-unit', '1');
    await worker.page.fill('#report-floor', '12');
    await worker.page.fill('#report-text', '12楼楼道漏水，水流到电梯口');
    await worker.page.click('#panel-reports button[type=submit]');
    await worker.page.click('#tab-incidents');
    const card = worker.page.locator('article.incident', { hasText: '12楼楼道漏水' });
    await card.waitFor({ timeout: 3000 });
    expect(await card.locator('.location').textContent()).toBe('3号楼 1单元 12层');
    expect(await card.locator('h3').textContent()).toBe('居民点单：3号楼 漏水');
    await card.locator('button[data-step="accept"]').click();
    await worker.page
      .locator('article.incident[data-state="accepted"]', { hasText: '12楼楼道漏水' })
      .waitFor();
    await screenshot(worker.page, 'worker-report-phone');

    await worker.page.click('#tab-households');
    await worker.page.fill('#household-search', 'b3-1-1403');
    const household = worker.page.locator('.household').first();
    await household.waitFor();
    await household.locator('button', { hasText: '记录见面' }).click();
    await household.locator('button', { hasText: '今日已见' }).waitFor();
    const visits = await suite.gw.api<unknown[]>('GET', '/api/households/B3-1-1403/visits', {
      user: 'mg3-worker-a',
    });
    expect(visits.status).toBe(200);
    expect(visits.body).toHaveLength(1);
    // The resident goes into hospital for a week: recorded, so the inactivity rules hold off
    // (another household than the one the inactivity test below uses).
    await household.locator('button', { hasText: '登记外出' }).click();
    await household.locator('select').selectOption('hospital');
    await household.locator('button', { hasText: '保存' }).click();
    await household.locator('form').waitFor({ state: 'hidden' });
    const absences = await suite.gw.api<{ reason: string }[]>('GET', '/api/households/B3-1-1403/absences', {
      user: 'mg3-worker-a',
    });
    expect(absences.body).toMatchObject([{ reason: 'hospital' }]);
    await screenshot(worker.page, 'worker-visits-phone');
    expect(worker.errors).toEqual([]);
  });

  it('an elderly resident stops using water: the carer sees hours since last use against the usual day, the console lists them', async () => {
    // Four days of hourly meter readings: 5 L an hour from 07:00 to 21:00 (Shanghai), then nothing
    // for the last 14 hours. What the last use was depends on the hour the test runs at (a quiet
    // spell that began at night started at 21:00), so the expected figure comes from the data.
    const HOUR = 3_600_000;
    const end = Math.floor(testNow() / HOUR) * HOUR;
    const quietFrom = end - 14 * HOUR;
    const readings: { ts: string; total_m3: number }[] = [];
    let total = 200;
    let lastUse = 0;
    for (let t = end - 4 * 24 * HOUR; t <= end; t += HOUR) {
      const hour = new Date(t + 8 * HOUR).getUTCHours();
      if (t <= quietFrom && hour >= 7 && hour <= 21) {
        total += 0.005;
        lastUse = t;
      }
      readings.push({ ts: new Date(t).toISOString(), total_m3: Math.round(total * 1000) / 1000 });
    }
    const carer = await open({ phone: true });
    await loginThroughForm(carer.page, suite.gw.http, 'mg3-care-a');
    await carer.page.waitForSelector('.conn-live');
    const meter = await suite.gw.connect('wm-B3-1-1104');
    await meter.publishAsync('weige/wm-B3-1-1104/telemetry', JSON.stringify({ readings, battery_pct: 88 }), {
      qos: 1,
    });

    const card = carer.page.locator('article.incident', { hasText: '1104' });
    // The model first works through four days of readings: seconds on a machine busy with other
    // test files (this waits for the card; it measures nothing).
    await card.waitFor({ timeout: 20_000 });
    expect(await card.locator('.location').textContent()).toBe('3号楼 1单元 11层 1104室');
    const evidence = card.locator('dl.evidence');
    await expect.poll(() => evidence.textContent()).toContain('距上次用水');
    const text = (await evidence.textContent()) ?? '';
    const hours = Number(/距上次用水([\d.]+)小时/.exec(text)?.[1]);
    // Counted to the last reading at the earliest, to the moment the card was read at the latest.
    expect(hours).toBeGreaterThanOrEqual(Math.floor(((end - lastUse) / HOUR) * 10) / 10);
    expect(hours).toBeLessThanOrEqual(Math.ceil(((testNow() - lastUse) / HOUR) * 10) / 10);
    expect(hours).toBeGreaterThanOrEqual(14);
    expect(text).toContain('平时日用水75 L');
    expect(text).toContain('平时早上首次用水07:00');
    await screenshot(carer.page, 'worker-inactivity-phone');

    const manager = await open({});
    await loginThroughForm(manager.page, suite.gw.http, 'property');
    await expect
      .poll(() => manager.page.locator('#chart-watchlist').getAttribute('aria-label'), { timeout: 5000 })
      .toContain('3号楼 1单元 11层 1104室');
    await screenshot(manager.page, 'console-watchlist-desktop', true);
    expect(carer.errors).toEqual([]);
    expect(manager.errors).toEqual([]);
  });
});
