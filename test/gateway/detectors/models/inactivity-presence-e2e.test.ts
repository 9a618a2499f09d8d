/**
 * elderly-inactivity with presence (issue 13), through a real gateway over MQTT: three weeks of a
 * resident's water, electricity (every 30 min) and entrance door, with a 5 h outing every other
 * morning, then one day that differs per household:
 * - a 5 h outing, with and without the electricity meter: nothing;
 * - a night away shown only by the door, or only by the electricity meter's standby load: nothing;
 * - a collapse with the TV left on: `elderly_inactivity` within the goal (≤ 6 h);
 * - the same collapse signature in a household whose absence was announced (外出报备) by its care
 *   worker: nothing, and the announcement is in the privacy access log.
 * The scenario day runs up to 36 h ahead of the test clock (the gateway accepts that skew here),
 * so that the announcement, made now, covers it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../../../../gateway/src/contracts/alerts.ts';
import { eventually, startTestGateway, type TestGateway } from '../../../helpers/gateway.ts';
import { testNow } from '../../../helpers/clock.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LOCAL = 8 * HOUR;
const USE_HOURS = [7, 8, 9, 11, 12, 14, 16, 17, 18, 19, 21];
const STANDBY_W = 40;

let gw: TestGateway;
const detections: Detection[] = [];
/** Local 09:00 after the test clock's now: the scenario day starts here. */
let dayStart: number;
/** Three weeks before `dayStart`, at a local midnight. */
let historyStart: number;

beforeAll(async () => {
  gw = await startTestGateway({ maxFutureSkewS: 2 * 86_400 });
  gw.gateway.ctx.bus.on('detectionRaised', (d) => {
    if (d.kind === 'elderly_inactivity') detections.push(d);
  });
  const now = testNow();
  dayStart = Math.ceil((now + LOCAL - 9 * HOUR) / DAY) * DAY - LOCAL + 9 * HOUR;
  historyStart = dayStart - 9 * HOUR - 21 * DAY;
});
afterAll(() => gw?.stop());

const localHour = (t: number): number => new Date(t + LOCAL).getUTCHours() + new Date(t).getUTCMinutes() / 60;

/** What the resident does at `t`: home and up, asleep, out, or nothing at all (collapsed). */
type Doing = 'home' | 'out' | 'collapsed';

interface Plan {
  /** What the resident does during the scenario day (history: the routine with outings). */
  doing: (t: number) => Doing;
  /** Load while collapsed, W (a TV left on); standby otherwise. */
  collapsedW?: number;
}

/** The routine: every other morning out 09:30–14:30 (no water 10–14 h, standby, the door twice). */
function routine(t: number): Doing {
  const day = Math.floor((t + LOCAL) / DAY);
  const h = localHour(t);
  return day % 2 === 0 && h >= 9.5 && h < 14.5 ? 'out' : 'home';
}

function doingAt(plan: Plan, t: number): Doing {
  return t < dayStart ? routine(t) : plan.doing(t);
}

function waterSeries(plan: Plan, end: number): Array<{ ts: number; total_m3: number }> {
  const out: Array<{ ts: number; total_m3: number }> = [];
  let litres = 40_000;
  for (let t = historyStart; t <= end; t += HOUR) {
    // Use during the hour before `t`.
    const mid = t - HOUR / 2;
    if (USE_HOURS.includes(Math.floor(localHour(mid))) && doingAt(plan, mid) === 'home') litres += 6;
    out.push({ ts: t, total_m3: litres / 1000 });
  }
  return out;
}

function electricitySeries(plan: Plan, end: number): Array<{ ts: number; total_kwh: number }> {
  const out: Array<{ ts: number; total_kwh: number }> = [];
  let kwh = 3_000;
  const step = HOUR / 2;
  for (let t = historyStart; t <= end; t += step) {
    const mid = t - step / 2;
    const h = localHour(mid);
    const doing = doingAt(plan, mid);
    let w = STANDBY_W;
    if (doing === 'collapsed') w = plan.collapsedW ?? STANDBY_W;
    else if (doing === 'home' && h >= 6.5 && h < 22.5)
      // Lights, TV, cooking: a load that changes through the day.
      w = STANDBY_W + 60 + ((Math.floor(h * 2) * 37) % 120) + ([7, 12, 18].includes(Math.floor(h)) ? 400 : 0);
    kwh += (w * step) / HOUR / 1000;
    out.push({ ts: t, total_kwh: Number(kwh.toFixed(4)) });
  }
  return out;
}

/** Door openings: each change between home and out (leaving and coming back). */
function doorOpenings(plan: Plan, end: number): number[] {
  const out: number[] = [];
  let before = doingAt(plan, historyStart);
  for (let t = historyStart; t <= end; t += 5 * 60_000) {
    const now = doingAt(plan, t);
    if ((now === 'out') !== (before === 'out')) out.push(t);
    before = now;
  }
  return out;
}

/** Model decisions so far: one per water reading the detector has judged. */
async function decisionsSoFar(): Promise<number> {
  const decisions = gw.gateway.ctx.metrics.registry.getSingleMetric('weige_model_decisions_total');
  if (!decisions) return 0;
  return (await decisions.get()).values
    .filter((v) => v.labels.model === 'elderly-inactivity')
    .reduce((sum, v) => sum + v.value, 0);
}

/**
 * Publishes the household's presence signals, then its water (presence first, as it would be
 * known by the time the water meter's batch arrives), and waits until every water reading has
 * been judged.
 */
async function publishHousehold(
  household: string,
  plan: Plan,
  end: number,
  signals: { electricity: boolean; door: boolean },
): Promise<void> {
  if (signals.electricity) {
    const power = electricitySeries(plan, end);
    const em = await gw.connect(`em-${household}`);
    for (let i = 0; i < power.length; i += 48)
      await em.publishAsync(
        `weige/em-${household}/telemetry`,
        JSON.stringify({ readings: power.slice(i, i + 48) }),
        {
          qos: 1,
        },
      );
  }
  if (signals.door) {
    const door = await gw.connect(`dc-${household}`);
    for (const t of doorOpenings(plan, end)) {
      await door.publishAsync(`weige/dc-${household}/telemetry`, JSON.stringify({ ts: t, door_open: 1 }), {
        qos: 1,
      });
      await door.publishAsync(
        `weige/dc-${household}/telemetry`,
        JSON.stringify({ ts: t + 30_000, door_open: 0 }),
        {
          qos: 1,
        },
      );
    }
  }
  const before = await decisionsSoFar();
  const water = waterSeries(plan, end);
  const meter = await gw.connect(`wm-${household}`);
  for (let i = 0; i < water.length; i += 24)
    await meter.publishAsync(
      `weige/wm-${household}/telemetry`,
      JSON.stringify({ readings: water.slice(i, i + 24), battery_pct: 90 }),
      { qos: 1 },
    );
  await eventually(async () => (await decisionsSoFar()) >= before + water.length, 30_000);
}

const alertsFor = (household: string): Detection[] =>
  detections.filter((d) => d.location.household === household);

describe('elderly-inactivity with presence over MQTT', () => {
  it('raises nothing for a 5 h outing, with or without the electricity meter', async () => {
    const outing: Plan = {
      doing: (t) => (t >= dayStart + 0.5 * HOUR && t < dayStart + 5.5 * HOUR ? 'out' : 'home'),
    };
    const end = dayStart + 14 * HOUR;
    await publishHousehold('B3-1-503', outing, end, { electricity: true, door: false });
    await publishHousehold('B3-1-602', outing, end, { electricity: false, door: false });
    expect(alertsFor('B3-1-503')).toEqual([]);
    expect(alertsFor('B3-1-602')).toEqual([]);
  });

  it('raises nothing for a night away shown only by the door, or only by the electricity meter', async () => {
    // Out from 17:00 until past 09:00 the next morning, announced to nobody.
    const nightAway: Plan = { doing: (t) => (t >= dayStart + 8 * HOUR ? 'out' : 'home') };
    const end = dayStart + 25 * HOUR;
    await publishHousehold('B3-1-203', nightAway, end, { electricity: false, door: true });
    await publishHousehold('B3-1-303', nightAway, end, { electricity: true, door: false });
    expect(alertsFor('B3-1-203')).toEqual([]);
    expect(alertsFor('B3-1-303')).toEqual([]);
  });

  it('alerts within the goal when the resident collapses with the TV left on', async () => {
    const collapseAt = dayStart + 1.6 * HOUR;
    const collapse: Plan = {
      doing: (t) => (t >= collapseAt ? 'collapsed' : 'home'),
      collapsedW: STANDBY_W + 120,
    };
    await publishHousehold('B3-1-401', collapse, dayStart + 12 * HOUR, { electricity: true, door: true });
    const d = await eventually(() => alertsFor('B3-1-401')[0], 20_000);
    expect(d.source.model).toMatch(/^elderly-inactivity@/);
    expect(d.eventTs).toBeGreaterThan(collapseAt);
    expect(d.eventTs - collapseAt).toBeLessThanOrEqual(6 * HOUR);
  });

  it('raises nothing while an announced absence (外出报备) holds, and logs the announcement', async () => {
    const household = gw.gateway.ctx.site.household('B3-1-504')!;
    const careWorker = household.resident!.careWorker!;
    const until = new Date(dayStart + 30 * HOUR).toISOString();
    const res = await gw.api('POST', '/api/households/B3-1-504/away', {
      user: careWorker,
      body: { until, note: '去女儿家' },
    });
    expect(res.status).toBe(201);
    // The same signature as the collapse above: a load left on, no water.
    const quiet: Plan = {
      doing: (t) => (t >= dayStart + 1.6 * HOUR ? 'collapsed' : 'home'),
      collapsedW: STANDBY_W + 120,
    };
    await publishHousehold('B3-1-504', quiet, dayStart + 12 * HOUR, { electricity: true, door: false });
    expect(alertsFor('B3-1-504')).toEqual([]);
    const audit = await gw.api(
      'GET',
      '/api/privacy/audit?subject=household:B3-1-504&action=absence_recorded',
      {
        user: 'dpo',
      },
    );
    expect(audit.status).toBe(200);
    const entries = (audit.body as { entries: Array<{ actor: string; fields: string[] }> }).entries;
    expect(entries).toEqual([expect.objectContaining({ actor: careWorker, fields: ['absences'] })]);
  });

  it("records an absence from the family's link, without a login, and refuses a guessed link", async () => {
    const household = gw.gateway.ctx.site.household('B3-1-504')!;
    const link = await gw.api('POST', '/api/households/B3-1-504/away-links', {
      user: household.resident!.careWorker!,
      body: { days: 30 },
    });
    expect(link.status).toBe(201);
    const { path } = link.body as { path: string };
    const until = new Date(testNow() + 2 * DAY).toISOString();
    const family = await gw.api('POST', path, { body: { until } });
    expect(family.status).toBe(201);
    expect(family.body).toMatchObject({ householdId: 'B3-1-504', to: until });
    const guessed = await gw.api('POST', `/api/away/${'x'.repeat(32)}`, { body: { until } });
    expect(guessed.status).toBe(404);
  });

  it('lets only the grid worker or the care worker of the household announce its absence', async () => {
    // Another care worker of the same micro-grid sees the household but does not care for it.
    const careWorker = gw.gateway.ctx.site.household('B3-1-504')!.resident!.careWorker!;
    const colleague = careWorker.replace(/-a$/, '-b');
    expect(gw.gateway.ctx.site.staffMember(colleague)?.roles).toContain('special_care');
    const res = await gw.api('POST', '/api/households/B3-1-504/away', {
      user: colleague,
      body: { until: new Date(testNow() + DAY).toISOString() },
    });
    expect(res.status).toBe(403);
  });
});
