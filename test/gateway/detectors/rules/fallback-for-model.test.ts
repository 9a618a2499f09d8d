/**
 * One alert stream per danger (issue 13): the elderly-alone pack's 12 h rule declares
 * `fallbackFor: elderly-inactivity`, so in a gateway whose models stage runs that model it holds
 * its firings (counted as fallback_silent), and it pages again once the model is not running. The
 * start log names the rules that stand down, and nothing is logged when none does.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../../../../gateway/src/contracts/alerts.ts';
import { eventually, startTestGateway, type TestGateway } from '../../../helpers/gateway.ts';
import { testNow } from '../../../helpers/clock.ts';

const HOUR = 3_600_000;
const LOCAL = 8 * HOUR;
let gw: TestGateway;
const fromRule: Detection[] = [];
/** What the rules stage logged about standing down. */
const standDowns: Array<{ rules: string[]; models: string[] }> = [];
const STAND_DOWN = 'fallback rules stand down while their models run';

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { msg: string; rules: string[]; models: string[] };
        if (entry.msg === STAND_DOWN) standDowns.push(entry);
      }
      done();
    },
  });
  gw = await startTestGateway({}, { logger: pino({ level: 'info' }, sink) });
  gw.gateway.ctx.bus.on('detectionRaised', (d) => {
    if (d.source.rule === 'water-12h-low' && !d.cleared) fromRule.push(d);
  });
});
afterAll(() => gw?.stop());

async function heldForModel(): Promise<number> {
  const metric = gw.gateway.ctx.metrics.registry.getSingleMetric('weige_rule_detections_total')!;
  return (await metric.get()).values
    .filter((v) => v.labels.rule === 'water-12h-low' && v.labels.type === 'fallback_silent')
    .reduce((s, v) => s + v.value, 0);
}

/** 14 hourly registers without use, ending at the latest local 13:00 before now (inside 09–23 h). */
async function publishDryDay(household: string): Promise<void> {
  const end = Math.floor((testNow() + LOCAL - 13 * HOUR) / (24 * HOUR)) * 24 * HOUR - LOCAL + 13 * HOUR;
  const readings = Array.from({ length: 15 }, (_, i) => ({ ts: end - (14 - i) * HOUR, total_m3: 80.5 }));
  const client = await gw.connect(`wm-${household}`);
  await client.publishAsync(`weige/wm-${household}/telemetry`, JSON.stringify({ readings }), { qos: 1 });
}

describe('rules standing in for a model', () => {
  it('holds the 12 h rule while elderly-inactivity runs, and lets it fire when the model is gone', async () => {
    // Logged once at start, naming the rules that stand down and their models.
    expect(standDowns).toHaveLength(1);
    expect(standDowns[0]!.rules).toContain('water-12h-low');
    expect(standDowns[0]!.models).toContain('elderly-inactivity');
    expect(standDowns[0]!.models).toContain('fire-fusion');
    expect(gw.gateway.ctx.site.household('B3-1-203')?.livesAlone).toBe(true);
    await publishDryDay('B3-1-203');
    await eventually(async () => (await heldForModel()) >= 1, 15_000);
    expect(fromRule).toEqual([]);

    // What the models stage announces when it stops: no model runs, the baseline pages.
    gw.gateway.ctx.bus.emit('modelsLoaded', { names: [] });
    // Nothing stands down any more: nothing logged (no empty list).
    expect(standDowns).toHaveLength(1);
    await publishDryDay('B3-1-303');
    const d = await eventually(() => fromRule.find((x) => x.location.household === 'B3-1-303'), 15_000);
    expect(d.kind).toBe('elderly_inactivity');
    expect(fromRule.filter((x) => x.location.household === 'B3-1-203')).toEqual([]);
  });
});
