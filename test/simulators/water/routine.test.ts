import { describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../../gateway/src/site/site-loader.ts';
import { sanchuanNbiotCodec } from '../../../gateway/src/codecs/vendors/sanchuan-nbiot.ts';
import { SimulationEngine } from '../../../simulators/core/engine.ts';
import { Rng } from '../../../simulators/core/rng.ts';
import { DAY_MS, HOUR_MS, localMidnight } from '../../../simulators/core/time.ts';
import { DEFAULT_NOISE } from '../../../simulators/simulation.ts';
import { dayEvents, householdProfile } from '../../../simulators/water/routine.ts';
import { WaterMeterActor, type WaterIncident } from '../../../simulators/water/meter.ts';
import { readingsOf } from '../../helpers/decoded.ts';

const site = loadSiteFile('sites/chunjiang.yaml');
const DAY0 = localMidnight(Date.parse('2026-03-02T12:00:00+08:00'));

function quantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('household water routine (FIELD-NOTES §2.4)', () => {
  it('an elderly person living alone uses 40–150 L on most days, median about 80 L', () => {
    const totals: number[] = [];
    for (const h of site.households.filter((x) => x.livesAlone)) {
      const profile = householdProfile(h, new Rng(h.id));
      for (let d = 0; d < 60; d++)
        totals.push(
          dayEvents(profile, { dayStartMs: DAY0 + d * DAY_MS }, new Rng(`${h.id}/${d}`)).reduce(
            (s, e) => s + e.litres,
            0,
          ),
        );
    }
    totals.sort((a, b) => a - b);
    expect(quantile(totals, 0.5)).toBeGreaterThan(65);
    expect(quantile(totals, 0.5)).toBeLessThan(100);
    expect(quantile(totals, 0.05)).toBeGreaterThan(35);
    expect(quantile(totals, 0.95)).toBeLessThan(165);
  });

  it('has a long night gap: between 00:00 and 05:00 only the odd flush (0–3 a night), flushes of 4–9 L', () => {
    const h = site.households.find((x) => x.livesAlone)!;
    const profile = householdProfile(h, new Rng(1));
    const nightCounts: number[] = [];
    for (let d = 0; d < 60; d++) {
      const day = DAY0 + d * DAY_MS;
      const events = dayEvents(profile, { dayStartMs: day }, new Rng(`n/${d}`));
      // The night after this day: 24:00–29:00 on this day's clock.
      const night = events.filter((e) => e.start >= day + 24 * HOUR_MS && e.start < day + 29 * HOUR_MS);
      for (const e of night) expect(e.kind).toBe('flush');
      nightCounts.push(night.length);
      for (const e of events.filter((x) => x.kind === 'flush')) {
        expect(e.litres).toBeGreaterThanOrEqual(4);
        expect(e.litres).toBeLessThanOrEqual(9);
      }
      // Sleep: from the evening's last wash to the next morning's first non-flush use, at least 6 h.
      const next = dayEvents(profile, { dayStartMs: day + DAY_MS }, new Rng(`n/${d + 1}`));
      const lastEvening = Math.max(...events.filter((e) => e.kind !== 'flush').map((e) => e.start));
      const firstMorning = Math.min(...next.filter((e) => e.kind !== 'flush').map((e) => e.start));
      expect(firstMorning - lastEvening).toBeGreaterThanOrEqual(6 * HOUR_MS);
    }
    nightCounts.sort((a, b) => a - b);
    expect(quantile(nightCounts, 0.95)).toBeLessThanOrEqual(3);
  });
  it('voids quasi-periodically while awake: daytime dry spells at home stay short, outings are bracketed by use', () => {
    const gaps: number[] = [];
    let flushes = 0;
    let days = 0;
    for (const h of site.households.filter((x) => x.livesAlone)) {
      const profile = householdProfile(h, new Rng(h.id));
      for (let d = 0; d < 30; d++) {
        const day = DAY0 + d * DAY_MS;
        const events = dayEvents(profile, { dayStartMs: day }, new Rng(`${h.id}/${d}`));
        const daytime = events.filter((e) => e.start >= day + 8 * HOUR_MS && e.start < day + 20 * HOUR_MS);
        for (let i = 1; i < daytime.length; i++)
          gaps.push((daytime[i]!.start - daytime[i - 1]!.start) / HOUR_MS);
        flushes += events.filter((e) => e.kind === 'flush').length;
        days++;
      }
    }
    gaps.sort((a, b) => a - b);
    // Outings (≤ 4 h) plus the walk to and from the toilet bound the longest daytime dry spells.
    expect(quantile(gaps, 0.999)).toBeLessThan(6);
    expect(quantile(gaps, 0.9)).toBeLessThan(3.5);
    // 4–8 voids a day plus the odd night one (FIELD-NOTES §2.4).
    expect(flushes / days).toBeGreaterThan(5);
    expect(flushes / days).toBeLessThan(8.5);
  });
});

function runMeter(
  householdId: string,
  incidents: WaterIncident[],
  days: number,
): { at: number; payload: string; topic: string }[] {
  const h = site.households.find((x) => x.id === householdId)!;
  const meter = site.devices.find((d) => d.household === h.id)!;
  const startMs = DAY0;
  const engine = new SimulationEngine({
    site,
    seed: 5,
    startMs,
    endMs: startMs + days * DAY_MS,
    noise: { ...DEFAULT_NOISE, lostRate: 0, lateRate: 0 },
  });
  engine.addActor(new WaterMeterActor(engine, meter, h, incidents, []));
  return [...engine.messages()];
}

describe('water meter actor', () => {
  const hourlyAlone = site.households.find(
    (h) => h.livesAlone && site.devices.find((d) => d.household === h.id)!.codec === 'canonical',
  )!;
  const batchAlone = site.households.find(
    (h) => h.livesAlone && site.devices.find((d) => d.household === h.id)!.codec === 'sanchuan-nbiot',
  )!;

  it('reports an hourly register that stops moving when the resident stops using water', () => {
    const stop = DAY0 + 2 * DAY_MS + 10 * HOUR_MS;
    const msgs = runMeter(hourlyAlone.id, [{ kind: 'elderly_inactivity', at: stop }], 4);
    const readings = msgs.map((m) => JSON.parse(m.payload) as { ts: string; total_m3: number });
    expect(readings.length).toBeGreaterThan(90);
    const before = readings.filter((r) => Date.parse(r.ts) <= stop);
    const after = readings.filter((r) => Date.parse(r.ts) >= stop + HOUR_MS);
    expect(before.at(-1)!.total_m3 - before[0]!.total_m3).toBeGreaterThan(0.08);
    // Anything still running at T (a shower, a cistern refill) finishes; then nothing.
    expect(after.at(-1)!.total_m3 - after[0]!.total_m3).toBe(0);
    for (let i = 1; i < readings.length; i++)
      expect(readings[i]!.total_m3).toBeGreaterThanOrEqual(readings[i - 1]!.total_m3);
  });

  it('a tap left running adds its flow, a leak adds a steady trickle', () => {
    const tapAt = DAY0 + DAY_MS + 3 * HOUR_MS;
    const msgs = runMeter(
      hourlyAlone.id,
      [
        { kind: 'tap_running', at: tapAt, endAt: tapAt + HOUR_MS, litresPerMin: 6 },
        { kind: 'leak', at: DAY0 + 2 * DAY_MS, litresPerHour: 10 },
      ],
      3,
    );
    const reg = (t: number): number => {
      const r = msgs
        .map((m) => JSON.parse(m.payload) as { ts: string; total_m3: number })
        .find((x) => Date.parse(x.ts) === t);
      return r!.total_m3 * 1000;
    };
    expect(reg(tapAt + HOUR_MS) - reg(tapAt)).toBeGreaterThanOrEqual(360);
    // 02:00–04:00 on the leak day: nobody up, the leak's 10 L/h alone (± a night flush).
    const night = DAY0 + 2 * DAY_MS + 2 * HOUR_MS;
    expect(reg(night + 2 * HOUR_MS) - reg(night)).toBeGreaterThanOrEqual(19);
  });

  it('an hourly meter raises continuous-flow alarm uplinks every 10 min of unbroken flow, none for ordinary draws', () => {
    const tapAt = DAY0 + 2 * DAY_MS + 3 * HOUR_MS + 7 * 60_000;
    const msgs = runMeter(
      hourlyAlone.id,
      [{ kind: 'tap_running', at: tapAt, endAt: tapAt + 45 * 60_000, litresPerMin: 6 }],
      3,
    );
    interface Uplink {
      at: number;
      ts: string;
      total_m3: number;
      flow_lph?: number;
      continuous_flow_min?: number;
    }
    const alarms = msgs
      .map((m): Uplink => ({ at: m.at, ...(JSON.parse(m.payload) as Omit<Uplink, 'at'>) }))
      .filter((p) => p.continuous_flow_min !== undefined);
    const tap = alarms.filter((a) => Date.parse(a.ts) >= tapAt && Date.parse(a.ts) < tapAt + HOUR_MS);
    expect(tap.map((a) => a.continuous_flow_min)).toEqual([10, 20, 30, 40]);
    for (const a of tap) {
      expect(a.flow_lph).toBeGreaterThanOrEqual(360);
      // Sent at once, not at the next scheduled report.
      expect(a.at - Date.parse(a.ts)).toBeLessThan(60_000);
    }
    // The register in the alarm is the register at that moment: 10 min of tap = 60 L on top.
    const hourly = msgs.map((m) => JSON.parse(m.payload) as { ts: string; total_m3: number });
    const before = hourly.find((r) => Date.parse(r.ts) === tapAt - 7 * 60_000)!;
    expect((tap[0]!.total_m3 - before.total_m3) * 1000).toBeGreaterThanOrEqual(59);
    // Three days of ordinary use (showers of 5–15 min) never reach 20 minutes without a break.
    const others = alarms.filter((a) => !tap.includes(a));
    for (const a of others) expect(a.continuous_flow_min).toBeLessThan(20);
  });

  it('a Sanchuan NB-IoT meter uploads a day of hourly registers after midnight, in its vendor format', () => {
    const msgs = runMeter(batchAlone.id, [], 3);
    expect(msgs.length).toBeGreaterThanOrEqual(2);
    for (const m of msgs) {
      expect(m.topic).toBe(`vendor/sanchuan/wm-${batchAlone.id}/up`);
      const decoded = sanchuanNbiotCodec.decode({
        topic: m.topic,
        stream: 'telemetry',
        payload: Buffer.from(m.payload),
        device: site.devices.find((d) => d.household === batchAlone.id)!,
      });
      const readings = readingsOf(decoded);
      expect(readings.length).toBe(24);
      const last = readings.at(-1)!.ts as number;
      // Uploaded in the small hours after the day it covers.
      expect(m.at - last).toBeGreaterThan(0);
      expect(m.at - last).toBeLessThan(6 * HOUR_MS);
    }
  });

  it('a Sanchuan meter sends its continuous-flow alarm at once, between daily uploads, in its vendor format', () => {
    const tapAt = DAY0 + 1 * DAY_MS + 10 * HOUR_MS + 3 * 60_000;
    const msgs = runMeter(
      batchAlone.id,
      [{ kind: 'tap_running', at: tapAt, endAt: tapAt + 25 * 60_000, litresPerMin: 6 }],
      3,
    );
    const device = site.devices.find((d) => d.household === batchAlone.id)!;
    const alarms = msgs.flatMap((m) => {
      const decoded = sanchuanNbiotCodec.decode({
        topic: m.topic,
        stream: 'telemetry',
        payload: Buffer.from(m.payload),
        device,
      });
      return readingsOf(decoded)
        .filter((r) => r.values.continuous_flow_min !== undefined)
        .map((r) => ({
          at: m.at,
          ts: r.ts as number,
          continuous_flow_min: r.values.continuous_flow_min,
          flow_lph: r.values.flow_lph ?? 0,
        }));
    });
    const tap = alarms.filter((a) => a.ts >= tapAt && a.ts < tapAt + HOUR_MS);
    expect(tap.map((a) => a.continuous_flow_min)).toEqual([10, 20]);
    for (const a of tap) {
      expect(a.flow_lph).toBeGreaterThanOrEqual(360);
      expect(a.at - a.ts).toBeLessThan(60_000); // not held for the next daily upload
    }
  });
});
