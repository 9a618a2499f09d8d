/**
 * Issue 17 in a real Chromium against a real gateway, at phone and desktop size: a shed fire
 * detected from MQTT readings reaches the responder's phone as a card in plain words (where, since
 * when, what to do first, a 119 button, a chart of the readings that agree with what was
 * published, the detector's facts folded away); a care worker gets one-tap calls to the resident
 * and the emergency contact; the property manager, paged for the fire, accepts it on the phone
 * page a notification link opens; the console's 操作 column works, devices that never reported
 * are counted apart, and closed incidents are listed for the month with a CSV export.
 */
import { describe, expect, it } from 'vitest';
import type { IncidentView } from '../../gateway/src/contracts/incidents.ts';
import { chromiumSuite, loginThroughForm, lowContrastText, screenshot } from '../helpers/browser.ts';
import { eventually } from '../helpers/gateway.ts';
import { testNow } from '../helpers/clock.ts';

type Incident = Pick<
  IncidentView,
  'id' | 'kind' | 'state' | 'severity' | 'dedupeKey' | 'location' | 'source' | 'paged'
>;

const suite = chromiumSuite();
const { open } = suite;

/** Smoke and heat in shed 1, as the e2e test publishes them: the fire rules fire on these. */
const LATEST_TEMP: Record<string, number> = { 'smoke-shed-1': 31, 'heat-shed-1': 68 };

async function shedFire(): Promise<Incident> {
  const t = testNow();
  for (const [device, before, now] of [
    [
      'smoke-shed-1',
      { smoke_db_m: 0.01, temp_c: 24, co_ppm: 2 },
      { smoke_db_m: 0.42, temp_c: 31, co_ppm: 40 },
    ],
    ['heat-shed-1', { smoke_db_m: 0, temp_c: 25, co_ppm: 1 }, { smoke_db_m: 0.2, temp_c: 68, co_ppm: 30 }],
  ] as const) {
    const c = await suite.gw.connect(device);
    await c.publishAsync(`weige/${device}/telemetry`, JSON.stringify({ ts: t - 60_000, ...before }), {
      qos: 1,
    });
    await c.publishAsync(`weige/${device}/telemetry`, JSON.stringify({ ts: t, ...now }), { qos: 1 });
    await c.endAsync();
  }
  return eventually(async () => {
    const list = await suite.gw.api<Incident[]>('GET', '/api/incidents?kind=fire', { user: 'admin' });
    return list.body.find((i) => i.state === 'dispatched') ?? null;
  });
}

describe('the people at the end of the loop', { timeout: 180_000 }, () => {
  it('phone cards in plain words, calls, the manager accepts from a link, the console acts and reports', async () => {
    const fire = await shedFire();
    const responder = fire.paged.find((p) => p.staffId.includes('responder'))!.staffId;
    expect(fire.paged.map((p) => p.staffId)).toContain('property');

    // The responder's phone: one card, in plain words.
    const phone = await open({ phone: true });
    await loginThroughForm(phone.page, suite.gw.http, responder);
    const card = phone.page.locator(`article.incident[data-incident="${fire.id}"]`).first();
    await card.waitFor();
    await expect(card.locator('[data-role=where]').textContent()).resolves.toContain('车棚');
    await expect(card.locator('[data-role=since]').textContent()).resolves.toMatch(/^开始于/);
    // The fire playbook's responder task: its first checklist item.
    await expect(card.locator('[data-role=first-step]').textContent()).resolves.toBe('先做：确认充电已断电');
    await expect(card.locator('a[data-call=fire_brigade]').getAttribute('href')).resolves.toBe('tel:119');
    // A drawn chart: the card is re-rendered when the incident changes, and a new card's chart
    // fills in once its readings have loaded.
    const chart = card.locator('figure.readings-chart[data-field]');
    await chart.waitFor();
    const device = fire.source.deviceId!;
    await expect(chart.getAttribute('data-field')).resolves.toBe('temp_c');
    await expect(chart.getAttribute('data-last')).resolves.toBe(String(LATEST_TEMP[device]));
    await expect(chart.locator('figcaption').textContent()).resolves.toContain(`最新 ${LATEST_TEMP[device]}`);
    // Engineers' facts only behind the fold: the device id is not on the card until it is opened.
    const fold = card.locator('details.details-fold');
    await expect(fold.evaluate((d) => (d as HTMLDetailsElement).open)).resolves.toBe(false);
    expect((await card.innerText()).includes(device)).toBe(false);
    await fold.locator('summary').click();
    await expect(fold.innerText()).resolves.toContain(device);
    // A push that rebuilds the card (another reading of the same fire) leaves the fold open.
    const shownBefore = await card.getAttribute('data-updated');
    suite.gw.gateway.ctx.bus.emit('detectionRaised', {
      kind: 'fire',
      severity: fire.severity,
      siteId: 'chunjiang',
      eventTs: testNow(),
      source: { deviceId: device, rule: 'test-repeat', model: null },
      dedupeKey: fire.dedupeKey,
      location: fire.location,
      title: { 'zh-CN': '车棚火情', en: 'Shed fire' },
      message: { 'zh-CN': '再次检测', en: 'seen again' },
      evidence: {},
    });
    await eventually(async () => (await card.getAttribute('data-updated')) !== shownBefore);
    await expect(fold.evaluate((d) => (d as HTMLDetailsElement).open)).resolves.toBe(true);
    await screenshot(phone.page, 'people-responder-phone', true);
    expect(await lowContrastText(phone.page)).toEqual([]);

    // A resident alone who stopped using water: the care worker can call them and their contact.
    suite.gw.gateway.ctx.bus.emit('detectionRaised', {
      kind: 'elderly_inactivity',
      severity: 'major',
      siteId: 'chunjiang',
      eventTs: testNow(),
      source: { deviceId: 'wm-B3-1-203', rule: 'water-12h-low', model: null },
      dedupeKey: 'inactivity:B3-1-203',
      location: { household: 'B3-1-203' },
      title: { 'zh-CN': '独居老人12小时用水不足', en: 'Resident alone: little water in 12 h' },
      message: { 'zh-CN': '12小时用水 2 L', en: '2 L in 12 h' },
      evidence: {},
    });
    const care = await open({ phone: true });
    await loginThroughForm(care.page, suite.gw.http, 'mg3-care-a');
    const careCard = care.page.locator('article.incident[data-state]', { hasText: '独居老人' }).first();
    await careCard.waitFor();
    const resident = careCard.locator('a[data-call=resident]');
    await resident.waitFor();
    await expect(resident.getAttribute('href')).resolves.toMatch(/^tel:1\d{10}$/);
    await expect(
      careCard.locator('a[data-call=emergency_contact]').first().getAttribute('href'),
    ).resolves.toMatch(/^tel:1\d{10}$/);
    await screenshot(care.page, 'people-care-phone');
    // Call first: the resident does not answer, the emergency contact does — all fine, closed.
    await careCard.locator('[data-call-outcome="resident:no_answer"]').click();
    const inactive = async () =>
      (
        await suite.gw.api<
          Array<{ id: string; state: string; disposition: string | null; location: { household: string } }>
        >('GET', '/api/incidents?kind=elderly_inactivity', { user: 'admin' })
      ).body.find((i) => i.location.household === 'B3-1-203')!;
    await eventually(async () => (await inactive()).state === 'accepted');
    await screenshot(care.page, 'people-care-call-first');
    await care.page
      .locator('article.incident', { hasText: '独居老人' })
      .first()
      .locator('[data-call-outcome="emergency_contact:answered_fine"]')
      .click();
    await eventually(async () => (await inactive()).disposition === 'answered_fine');

    // The patrol inspector of the same grid sees masked numbers: no call buttons for them.
    const patrolView = await suite.gw.api<{ resident: { phone: string } }>(
      'GET',
      '/api/households/B3-1-203',
      {
        user: 'mg3-patrol-a',
      },
    );
    expect(patrolView.body.resident.phone).toContain('*');

    // The console: the fire on top with 接单 in 操作, never-reported devices counted apart.
    const desk = await open({});
    await loginThroughForm(desk.page, suite.gw.http, 'property');
    const row = desk.page.locator(`#open-incidents tr[data-incident="${fire.id}"]`);
    await row.waitFor();
    await expect(row.locator('button[data-step=accept]').count()).resolves.toBe(1);
    // Places are named on the plan, beside their shapes: shed 1 with its temperature, covering no building's name.
    const shedLabel = desk.page.locator('text.plan-place-text[data-place="shed-1"]');
    await expect.poll(() => shedLabel.textContent(), { timeout: 10_000 }).toBe('1号非机动车棚 68°C');
    await expect(shedLabel.getAttribute('data-status')).resolves.toBe('critical');
    const overlapping = await desk.page.evaluate(() => {
      const boxes = [...document.querySelectorAll<SVGGraphicsElement>('.plan-svg text')].map((el) => ({
        text: el.textContent,
        r: el.getBoundingClientRect(),
      }));
      const hits: string[] = [];
      for (const [i, a] of boxes.entries())
        for (const b of boxes.slice(i + 1))
          if (a.r.left < b.r.right && b.r.left < a.r.right && a.r.top < b.r.bottom && b.r.top < a.r.bottom)
            hits.push(`${a.text} × ${b.text}`);
      return hits;
    });
    expect(overlapping).toEqual([]);
    const never = Number(await desk.page.locator('[data-counter=never-reported] .counter-n').textContent());
    expect(never).toBeGreaterThan(0);
    await screenshot(desk.page, 'people-console-desktop', true);

    // The detail dialog: the detector's message, the readings, a call button.
    await row.locator('button', { hasText: '详情' }).click();
    const dialog = desk.page.locator('dialog.incident-dialog[open]');
    await dialog.waitFor();
    await expect(dialog.locator('[data-role=message]').textContent()).resolves.toContain('烟感');
    await dialog.locator('figure.readings-chart:not([hidden])').waitFor();
    await expect(dialog.locator('a[data-call=fire_brigade]').getAttribute('href')).resolves.toBe('tel:119');
    await screenshot(desk.page, 'people-console-detail');
    await desk.page.keyboard.press('Escape');

    // A thrown object seen by a camera that sends a snapshot: the dialog links to it.
    const snapshot = 'http://127.0.0.1:9/snapshots/t-91.jpg';
    const camera = await suite.gw.connect('cam-b3-east');
    await camera.publishAsync(
      'weige/cam-b3-east/event',
      JSON.stringify({
        ts: new Date(testNow()).toISOString(),
        type: 'falling_object',
        confidence: 0.93,
        bbox: [812, 120, 24, 30],
        track_id: 't-91',
        snapshot_url: snapshot,
      }),
      { qos: 1 },
    );
    await camera.endAsync();
    const throwRow = desk.page.locator('#open-incidents tr', { hasText: '抛' }).first();
    await throwRow.waitFor();
    await throwRow.locator('button', { hasText: '详情' }).click();
    await expect
      .poll(() => dialog.locator('[data-role=media] a').getAttribute('href'), { timeout: 10_000 })
      .toBe(snapshot);
    await desk.page.keyboard.press('Escape');

    // The manager's phone, opened from a notification link: 接单 works there.
    const managerPhone = await open({ phone: true });
    await loginThroughForm(managerPhone.page, suite.gw.http, 'property', `/worker.html#incident=${fire.id}`);
    const detail = managerPhone.page.locator('.incident-detail article.incident');
    await detail.waitFor();
    await screenshot(managerPhone.page, 'people-manager-phone');
    await detail.locator('button[data-step=accept]').click();
    await eventually(async () => {
      const i = await suite.gw.api<Incident>('GET', `/api/incidents/${fire.id}`, { user: 'admin' });
      return i.body.state === 'accepted';
    });
    await desk.page.locator(`#open-incidents tr[data-incident="${fire.id}"][data-state=accepted]`).waitFor();

    // Resolved and reviewed: it moves to the month's closed list, which exports as CSV.
    const step = (s: string, body: unknown = {}) =>
      suite.gw.api('POST', `/api/incidents/${fire.id}/${s}`, { user: 'property', body });
    expect((await step('resolve', { disposition: 'real', note: '已扑灭' })).status).toBe(200);
    expect((await step('review', { rating: 5 })).status).toBe(200);
    await desk.page.reload();
    const closedRow = desk.page.locator(`#closed-incidents tr[data-incident="${fire.id}"]`);
    await closedRow.waitFor();
    const href = await desk.page.locator('#closed-export').getAttribute('href');
    const csv = decodeURIComponent(href!.replace(/^data:text\/csv;charset=utf-8,/, ''));
    expect(csv.startsWith('\uFEFF"发生时间"')).toBe(true);
    // The fire and the resident who answered: a header and two rows.
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(3);
    expect(csv).toContain('"电话接通，平安"');
    expect(csv).toContain('"属实，已处置"');
    await screenshot(desk.page, 'people-console-closed', true);

    expect(suite.faults()).toEqual([]);
  });
});
