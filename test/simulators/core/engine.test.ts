import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../../gateway/src/site/site-loader.ts';
import { HOUR_MS } from '../../../simulators/core/time.ts';
import type { Scenario } from '../../../simulators/scenario/types.ts';
import { createSimulation } from '../../../simulators/simulation.ts';

const site = loadSiteFile('sites/chunjiang.yaml');
const NOW = Date.parse('2026-11-20T12:00:00Z');

const scenario = (overrides: Partial<Scenario> = {}): Scenario => ({
  version: 1,
  name: 'unit',
  seed: 17,
  duration: '6h',
  start: 'end-at-now',
  speed: 'fast',
  models: { households: 20 },
  noise: { malformedRate: 0.01 },
  faults: {
    random: { offlinePerDeviceMonth: 2, lowBatteryFraction: 0.1, tamperPerMonth: 30, clockSkewFraction: 0.1 },
  },
  incidents: [
    { kind: 'thermal_runaway', place: 'shed-3', port: 2, at: '2h' },
    { kind: 'thrown_object', camera: 'cam-b12-east', floor: 8, object: 'tissue', at: '3h' },
    { kind: 'elderly_inactivity', household: 'auto', at: '1h' },
    { kind: 'littering', place: 'garbage-2', at: '4h', dwell: '1h' },
  ],
  ...overrides,
});

function digest(s: Scenario): { hash: string; count: number } {
  const sim = createSimulation({ site, scenario: s, now: NOW });
  const h = createHash('sha256');
  let count = 0;
  for (const m of sim.engine.messages()) {
    h.update(`${m.at}|${m.topic}|${m.payload}|${m.retain}\n`);
    count++;
  }
  for (const t of sim.engine.truthRecords) h.update(JSON.stringify(t));
  return { hash: h.digest('hex'), count };
}

describe('simulation engine', () => {
  it('same seed and start → identical messages and truth; another seed → different', () => {
    const a = digest(scenario());
    const b = digest(scenario());
    expect(a.count).toBeGreaterThan(1000);
    expect(b).toEqual(a);
    expect(digest(scenario({ seed: 18 })).hash).not.toBe(a.hash);
  });

  it('emits messages in publish-time order within [start, end], ending at or before now', () => {
    const sim = createSimulation({ site, scenario: scenario(), now: NOW });
    let last = -Infinity;
    for (const m of sim.engine.messages()) {
      expect(m.at).toBeGreaterThanOrEqual(last);
      expect(m.at).toBeGreaterThanOrEqual(sim.startMs);
      expect(m.at).toBeLessThanOrEqual(NOW);
      last = m.at;
    }
    expect(sim.endMs).toBe(NOW);
    expect(sim.startMs).toBe(NOW - 6 * HOUR_MS);
  });

  it('marks every injected malformed message and writes it to the truth', () => {
    const sim = createSimulation({ site, scenario: scenario(), now: NOW });
    const bad = [...sim.engine.messages()].filter((m) => m.expectReject);
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.length).toBe(sim.engine.stats.malformed);
    for (const m of bad) expect(() => JSON.parse(m.payload)).toThrow();
    expect(sim.engine.truthRecords.filter((t) => t.kind === 'malformed').length).toBe(bad.length);
  });

  it('records every injected incident in the ground truth with where and when', () => {
    const sim = createSimulation({ site, scenario: scenario(), now: NOW });
    sim.engine.runToEnd();
    const incidents = sim.engine.truthRecords.filter(
      (t) => t.class === 'incident' && (t.details as { scripted?: boolean })?.scripted !== false,
    );
    const kinds = new Set(incidents.map((t) => t.kind));
    for (const k of ['thermal_runaway', 'falling_object', 'elderly_inactivity', 'littering'])
      expect(kinds).toContain(k);
    const fall = incidents.find((t) => t.kind === 'falling_object')!;
    expect(fall).toMatchObject({
      deviceId: 'cam-b12-east',
      building: 'B12',
      facade: 'east',
      floor: 8,
      ts: NOW - 3 * HOUR_MS,
    });
    const fire = incidents.find((t) => t.kind === 'thermal_runaway')!;
    expect(fire).toMatchObject({ place: 'shed-3', port: 2, deviceId: 'charger-shed-3' });
  });

  it('answers charging_power commands on command/result, and refuses unknown ones', () => {
    const sim = createSimulation({
      site,
      scenario: scenario({ models: { water: false, cameras: false, places: false } }),
      now: NOW,
    });
    const gen = sim.engine.messages();
    gen.next();
    expect(
      sim.engine.command('charger-shed-2', '{"id":"a","name":"charging_power","args":{"on":false}}'),
    ).toBe(true);
    expect(sim.engine.command('charger-shed-2', { id: 'b', name: 'reboot' })).toBe(true);
    expect(sim.engine.command('smoke-shed-2', { id: 'c', name: 'charging_power', args: { on: false } })).toBe(
      false,
    );
    const results: string[] = [];
    for (let r = gen.next(); !r.done && results.length < 2; r = gen.next())
      if (r.value.topic === 'weige/charger-shed-2/command/result') results.push(r.value.payload);
    expect(results).toEqual([
      '{"id":"a","ok":true}',
      '{"id":"b","ok":false,"error":"unknown command \'reboot\'"}',
    ]);
  });
});

describe('load mode', () => {
  it('drives N site devices at the target rate, never stamping one device twice at the same time', () => {
    const sim = createSimulation({
      site,
      scenario: {
        version: 1,
        name: 'load',
        seed: 1,
        duration: '5s',
        start: 'end-at-now',
        speed: 1,
        load: { devices: 300, rate: 4000 },
      },
      now: NOW,
    });
    const seen = new Set<string>();
    const devices = new Set<string>();
    let count = 0;
    sim.engine.runToEnd((m) => {
      const p = JSON.parse(m.payload) as Record<string, unknown>;
      const key = `${m.deviceId}|${String(p.ts ?? p.startTime ?? p.timestamp ?? p.t)}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      devices.add(m.deviceId);
      count++;
    });
    expect(count).toBeGreaterThanOrEqual(19_990);
    expect(count).toBeLessThanOrEqual(20_001);
    expect(devices.size).toBe(300);
  });

  it('refuses more site devices than the site has, unless synthetic', () => {
    const load = (synthetic: boolean): Scenario => ({
      version: 1,
      name: 'load',
      seed: 1,
      duration: '1s',
      start: 'end-at-now',
      speed: 1,
      load: { devices: 5000, rate: 100, synthetic },
    });
    expect(() => createSimulation({ site, scenario: load(false), now: NOW })).toThrow(/loadable devices/);
    const ids = new Set<string>();
    createSimulation({ site, scenario: load(true), now: NOW }).engine.runToEnd((m) => ids.add(m.deviceId));
    expect([...ids].every((id) => /^load-\d{5}$/.test(id))).toBe(true);
  });
});
