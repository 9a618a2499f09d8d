/**
 * The rules stage inside a real gateway: MQTT in (canonical and vendor payloads), detections on
 * the bus, /api/rules with load errors, hot reload keeping the last good rule, /api/rules/test,
 * backtesting over stored history, and state that survives a restart.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../../../../gateway/src/contracts/alerts.ts';
import { ManualClock } from '../../../../gateway/src/core/clock.ts';
import { eventually, makeDataDir, startTestGateway, type TestGateway } from '../../../helpers/gateway.ts';
import { RulesModule, type RulePlacement } from '../../../../gateway/src/detectors/rules/module.ts';
import type { ModuleFactory } from '../../../../gateway/src/module.ts';
import { testNow } from '../../../helpers/clock.ts';

const HOUR = 3_600_000;
/** Only the rules stage: these tests are about it, not about the stages built beside it. */
const ONLY_RULES = { modules: [() => new RulesModule()] };

/** yyyyMMddHHmmss in Asia/Shanghai, as the Sanchuan platform sends it. */
function sanchuanTime(ms: number): string {
  return new Date(ms + 8 * HOUR).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function collect(gw: TestGateway): Detection[] {
  const out: Detection[] = [];
  gw.gateway.ctx.bus.on('detectionRaised', (d) => out.push(d));
  return out;
}

const RULE = (threshold: number, op = 'gte'): string => `version: 1
id: extra-temp
kind: fire_risk
severity: minor
match: { source: reading, deviceKind: [smoke_sensor] }
when:
  fact: latest(temp_c)
  op: ${op}
  value: ${threshold}
  as: temp
texts:
  zh-CN: { title: "{place}温度 {temp}", message: "温度 {temp:1}" }
  en: { title: "{place} temperature {temp}", message: "temperature {temp:1}" }
`;

describe('rules module in a running gateway', () => {
  let gw: TestGateway;
  let rulesDir: string;
  let detections: Detection[];

  beforeAll(async () => {
    rulesDir = mkdtempSync(path.join(os.tmpdir(), 'weige-rules-'));
    writeFileSync(path.join(rulesDir, 'extra-temp.yaml'), RULE(40));
    gw = await startTestGateway({ rulesDir }, ONLY_RULES);
    detections = collect(gw);
  });
  afterAll(async () => {
    await gw.stop();
    rmSync(rulesDir, { recursive: true, force: true });
  });

  it('lists the shipped packs and the extra directory, with no problems', async () => {
    const res = await gw.api<{
      rules: Array<{ id: string; stale: boolean }>;
      problems: unknown[];
      dirs: string[];
    }>('GET', '/api/rules', { user: 'engineer' });
    expect(res.status).toBe(200);
    const ids = res.body.rules.map((r) => r.id);
    expect(ids).toEqual(
      expect.arrayContaining(['shed-smoke', 'water-12h-low', 'falling-object', 'device-offline']),
    );
    expect(ids).toContain('extra-temp');
    expect(res.body.problems).toEqual([]);
    expect(res.body.dirs).toContain(rulesDir);
    expect((await gw.api('GET', '/api/rules')).status).toBe(401);
  });

  it('raises a detection from smoke published over MQTT, with zh-CN and en texts and the place', async () => {
    const client = await gw.connect('smoke-shed-1');
    const now = testNow();
    await client.publishAsync(
      'weige/smoke-shed-1/telemetry',
      JSON.stringify({ ts: now - 60_000, smoke_db_m: 0.3, temp_c: 20, co_ppm: 18 }),
      { qos: 1 },
    );
    await client.publishAsync(
      'weige/smoke-shed-1/telemetry',
      JSON.stringify({ ts: now, smoke_db_m: 0.4, temp_c: 22, co_ppm: 25 }),
      { qos: 1 },
    );
    // Smoke with CO, held past the rule's 30 s: it fires at the second reading.
    const d = await eventually(() => detections.find((x) => x.source.rule === 'shed-smoke'));
    expect(d).toMatchObject({
      kind: 'fire',
      severity: 'critical',
      siteId: 'chunjiang',
      eventTs: now,
      dedupeKey: 'fire:shed-1',
      location: { place: 'shed-1', building: 'B2' },
      source: { deviceId: 'smoke-shed-1', rule: 'shed-smoke', model: null },
    });
    expect(d.title['zh-CN']).toBe('1号非机动车棚烟雾报警');
    expect(d.title.en).toBe('Smoke in Bike shed 1');
    expect(d.message['zh-CN']).toContain('0.40 dB/m');
    const list = await gw.api<{ rules: Array<{ id: string; firing: number }> }>('GET', '/api/rules', {
      user: 'engineer',
    });
    expect(list.body.rules.find((r) => r.id === 'shed-smoke')?.firing).toBe(1);
    const metrics = await (await fetch(`${gw.http}/metrics`)).text();
    expect(metrics).toContain('weige_rule_detections_total{rule="shed-smoke",type="fire"} 1');
    expect(metrics).toMatch(/weige_rules_loaded \d+/);
  });

  it('judges a day-late NB-IoT vendor batch on event time (12 h without water)', async () => {
    const client = await gw.connect('wm-B1-2-202');
    // Yesterday 00:00 in Shanghai: some use until 03:00, then the register stands still.
    const start = Math.floor((testNow() + 8 * HOUR) / (24 * HOUR)) * 24 * HOUR - 8 * HOUR - 24 * HOUR;
    const litres = Array.from({ length: 20 }, (_, h) => 100_000 + Math.min(h, 3) * 4);
    await client.publishAsync(
      'vendor/sanchuan/wm-B1-2-202/up',
      JSON.stringify({
        meterNo: 'wm-B1-2-202',
        startTime: sanchuanTime(start),
        intervalMin: 60,
        cumulativeL: litres,
        batteryV: 3.5,
      }),
      { qos: 1 },
    );
    const d = await eventually(() => detections.find((x) => x.source.rule === 'water-12h-low'));
    // The first 12-hour window with less than 10 L (hours 1..13: 8 L) ends at 13:00, inside the
    // rule's 09:00–23:00 schedule; the alert carries that event time, not the upload time.
    expect(d.eventTs).toBe(start + 13 * HOUR);
    expect(d).toMatchObject({
      kind: 'elderly_inactivity',
      location: { household: 'B1-2-202', building: 'B1', floor: 2 },
    });
  });

  it('hot-reloads a changed rule, and keeps the last good version when the file breaks', async () => {
    const file = path.join(rulesDir, 'extra-temp.yaml');
    writeFileSync(file, RULE(30));
    await eventually(async () => {
      const res = await gw.api<{ rules: Array<{ id: string; definition: { when: { value: number } } }> }>(
        'GET',
        '/api/rules',
        { user: 'engineer' },
      );
      return res.body.rules.find((r) => r.id === 'extra-temp')?.definition.when.value === 30;
    });
    writeFileSync(file, RULE(30, 'greater_than'));
    const res = await eventually(async () => {
      const r = await gw.api<{
        rules: Array<{ id: string; stale: boolean }>;
        problems: Array<{ text: string; line: number; col: number }>;
      }>('GET', '/api/rules', { user: 'engineer' });
      return r.body.problems.length ? r : null;
    });
    expect(res.body.problems[0]).toMatchObject({ line: 8, col: 7 });
    expect(res.body.problems[0]!.text).toBe(`${file}:8:7 /when/op unknown operator 'greater_than'`);
    expect(res.body.rules.find((r) => r.id === 'extra-temp')).toMatchObject({ stale: true });
    // The kept version (threshold 30) still runs.
    const client = await gw.connect('heat-shed-2');
    await client.publishAsync('weige/heat-shed-2/telemetry', JSON.stringify({ ts: testNow(), temp_c: 35 }), {
      qos: 1,
    });
    const d = await eventually(() => detections.find((x) => x.source.rule === 'extra-temp'));
    expect(d.title.en).toBe('Bike shed 2 temperature 35');
  });

  it('POST /api/rules/test runs YAML against a JSONL fixture and says why', async () => {
    const fixture = [
      { ts: '2026-11-20T10:00:00+08:00', device: 'heat-shed-1', values: { temp_c: 20 } },
      { ts: '2026-11-20T10:01:00+08:00', device: 'heat-shed-1', values: { temp_c: 41 } },
      { ts: '2026-11-20T10:02:00+08:00', device: 'heat-shed-1', values: { temp_c: 25 } },
    ]
      .map((x) => JSON.stringify(x))
      .join('\n');
    const res = await gw.api<{ detections: Array<{ line: string; cleared?: boolean; eventTs: string }> }>(
      'POST',
      '/api/rules/test',
      {
        user: 'engineer',
        body: { rule: RULE(40), fixture },
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.detections.map((d) => [d.eventTs, Boolean(d.cleared)])).toEqual([
      ['2026-11-20T02:01:00.000Z', false],
      ['2026-11-20T02:02:00.000Z', true],
    ]);
    expect(res.body.detections[0]!.line).toContain('temp=41');
    const bad = await gw.api<{ error: string }>('POST', '/api/rules/test', {
      user: 'engineer',
      body: { rule: RULE(40).replace('latest(temp_c)', 'latest(temp_c, 5 minutes)'), fixture },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("<request>:7:9 /when/fact '5 minutes' is not a duration");
    expect(
      (
        await gw.api('POST', '/api/rules/test', {
          user: 'mg1-worker-a',
          body: { ruleId: 'shed-smoke', fixture },
        })
      ).status,
    ).toBe(403);
  });

  it('backtests a rule over the stored history of chosen devices', async () => {
    const res = await gw.api<{
      items: number;
      detections: Array<{ source: { rule: string }; eventTs: string }>;
    }>('POST', '/api/rules/backtest', {
      user: 'engineer',
      body: {
        rule: RULE(21).replace('id: extra-temp', 'id: candidate-temp'),
        deviceIds: ['smoke-shed-1'],
        from: new Date(testNow() - 2 * HOUR).toISOString(),
        to: new Date(testNow() + 60_000).toISOString(),
      },
    });
    expect(res.status).toBe(200);
    // smoke-shed-1 stored 20 °C then 22 °C; heat-shed-1 (same shed) nothing yet.
    expect(res.body.items).toBe(2);
    expect(res.body.detections.map((d) => d.source.rule)).toEqual(['candidate-temp']);
    // A backtest raises nothing on the bus.
    expect(detections.some((d) => d.source.rule === 'candidate-temp')).toBe(false);
  });

  it('takes detections from Node-RED flows, validated, and republishes canonical readings', async () => {
    const nr = await gw.connect('node-red');
    const seen: string[] = [];
    await nr.subscribeAsync('weige/sites/chunjiang/readings/#');
    nr.on('message', (topic) => seen.push(topic));
    await nr.publishAsync(
      'weige/flows/flow-7/detection',
      JSON.stringify({
        kind: 'littering',
        severity: 'minor',
        title: { 'zh-CN': '垃圾', en: 'Litter' },
        place: 'garbage-1',
      }),
      { qos: 1 },
    );
    const d = await eventually(() => detections.find((x) => x.source.rule === 'node-red:flow-7'));
    expect(d).toMatchObject({
      kind: 'littering',
      location: { place: 'garbage-1', building: expect.any(String) },
      title: { en: 'Litter' },
    });
    await nr.publishAsync('weige/flows/flow-7/detection', JSON.stringify({ kind: 'x', severity: 'huge' }), {
      qos: 1,
    });
    const dead = await eventually(async () => {
      const r = await gw.api<{ items: Array<{ reason: string; detail: string }> }>(
        'GET',
        '/api/dead-letters?reason=flow_detection_invalid',
        { user: 'engineer' },
      );
      return r.body.items[0];
    });
    expect(dead.detail).toContain('/severity');
    const dev = await gw.connect('smoke-shed-2');
    await dev.publishAsync(
      'weige/smoke-shed-2/telemetry',
      JSON.stringify({ ts: testNow(), smoke_db_m: 0.01 }),
      { qos: 1 },
    );
    await eventually(() => seen.includes('weige/sites/chunjiang/readings/smoke-shed-2'));
  });
});

/** A ManualClock puts the rules in the gateway's thread by default; these run both ways. */
const PLACEMENTS: RulePlacement[] = ['worker', 'in-process'];

describe.each(PLACEMENTS)('rule state across a restart (rules %s)', (placement) => {
  const ONLY_RULES = { modules: [() => new RulesModule({ placement })] };
  it('keeps a firing alert (so it can clear) and a 12-hour window that began before the restart', async () => {
    const dataDir = makeDataDir();
    // Midnight in Shanghai a day or two back, so the 12-hour window ends at noon, inside the
    // rule's 09:00–23:00 schedule, whatever hour the test runs at.
    const t0 = Math.floor((testNow() - 20 * HOUR + 8 * HOUR) / (24 * HOUR)) * 24 * HOUR - 8 * HOUR;
    const clock = new ManualClock(t0);
    const gw1 = await startTestGateway({ dataDir, maxFutureSkewS: 86400 * 2 }, { clock, ...ONLY_RULES });
    const first = collect(gw1);
    const meter = await gw1.connect('wm-B3-1-203');
    // Hours 0..10 with no use: not yet 12 hours of evidence.
    await meter.publishAsync(
      'vendor/sanchuan/wm-B3-1-203/up',
      JSON.stringify({
        meterNo: 'wm-B3-1-203',
        startTime: sanchuanTime(t0),
        intervalMin: 60,
        cumulativeL: Array(11).fill(5000),
      }),
      { qos: 1 },
    );
    const sensor = await gw1.connect('smoke-shed-3');
    // smoke-shed-3 speaks the CTWing format; battery below 20 % fires low-battery.
    await sensor.publishAsync(
      'weige/smoke-shed-3/telemetry',
      JSON.stringify({
        timestamp: t0,
        messageType: 'dataReport',
        payload: { serviceData: { battery_value: 12, smoke_obscuration: 0.1 } },
      }),
      { qos: 1 },
    );
    await eventually(() => first.find((d) => d.source.rule === 'low-battery'));
    expect(first.some((d) => d.source.rule === 'water-12h-low')).toBe(false);
    await gw1.stop({ keepData: true });

    const gw2 = await startTestGateway({ dataDir, maxFutureSkewS: 86400 * 2 }, { clock, ...ONLY_RULES });
    const second = collect(gw2);
    const meter2 = await gw2.connect('wm-B3-1-203');
    await meter2.publishAsync(
      'vendor/sanchuan/wm-B3-1-203/up',
      JSON.stringify({
        meterNo: 'wm-B3-1-203',
        startTime: sanchuanTime(t0 + 11 * HOUR),
        intervalMin: 60,
        cumulativeL: [5000, 5000],
      }),
      { qos: 1 },
    );
    const inactivity = await eventually(() => second.find((d) => d.source.rule === 'water-12h-low'));
    expect(inactivity.eventTs).toBe(t0 + 12 * HOUR);
    const sensor2 = await gw2.connect('smoke-shed-3');
    await sensor2.publishAsync(
      'weige/smoke-shed-3/telemetry',
      JSON.stringify({
        timestamp: t0 + HOUR,
        messageType: 'dataReport',
        payload: { serviceData: { battery_value: 95 } },
      }),
      { qos: 1 },
    );
    const clear = await eventually(() => second.find((d) => d.source.rule === 'low-battery'));
    expect(clear).toMatchObject({ cleared: true, dedupeKey: 'low_battery:smoke-shed-3', autoResolve: true });
    await gw2.stop();
  });
});

describe.each(PLACEMENTS)('a reading stored but not evaluated (rules %s)', (placement) => {
  const ONLY_RULES = { modules: [() => new RulesModule({ placement })] };
  /** Subscribes before the rules start, so what they evaluate at start is seen too. */
  const probe =
    (seen: Detection[]): ModuleFactory =>
    ({ bus }) => {
      bus.on('detectionRaised', (d) => seen.push(d));
      return { name: 'probe', start: () => undefined, stop: () => undefined };
    };

  it('is evaluated at the next start, from where the rules left off', async () => {
    const dataDir = makeDataDir();
    const clock = new ManualClock(testNow());
    // The rules record how far they have evaluated.
    const first = await startTestGateway({ dataDir }, { clock, ...ONLY_RULES });
    await first.stop({ keepData: true });
    // A run whose rules never get to the reading: acknowledged, so stored, and not evaluated.
    const unevaluated = await startTestGateway({ dataDir }, { clock, modules: [] });
    const sensor = await unevaluated.connect('smoke-shed-3');
    const at = testNow();
    await sensor.publishAsync(
      'weige/smoke-shed-3/telemetry',
      JSON.stringify({
        timestamp: at,
        messageType: 'dataReport',
        payload: { serviceData: { battery_value: 12, smoke_obscuration: 0.1 } },
      }),
      { qos: 1 },
    );
    await unevaluated.stop({ keepData: true });

    const seen: Detection[] = [];
    const next = await startTestGateway(
      { dataDir },
      { clock, modules: [probe(seen), () => new RulesModule({ placement })] },
    );
    await next.gateway.settle();
    expect(seen.filter((d) => d.source.rule === 'low-battery')).toMatchObject([
      { dedupeKey: 'low_battery:smoke-shed-3', eventTs: at },
    ]);
    await next.stop();
  });
});
