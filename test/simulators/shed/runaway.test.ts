import { describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../../gateway/src/site/site-loader.ts';
import { SimulationEngine } from '../../../simulators/core/engine.ts';
import { Rng } from '../../../simulators/core/rng.ts';
import { HOUR_MS } from '../../../simulators/core/time.ts';
import { DEFAULT_NOISE } from '../../../simulators/simulation.ts';
import { H2_TO_SMOKE_S, ThermalRunaway } from '../../../simulators/shed/runaway.ts';
import { ShedActor, type RunawayIncident } from '../../../simulators/shed/shed.ts';

describe('lithium thermal runaway timeline (FIELD-NOTES §3.2)', () => {
  it('heats, then off-gasses H₂ before CO, minutes before smoke, then flame ~130 s later', () => {
    const leads: number[] = [];
    for (let i = 0; i < 200; i++) {
      const r = new ThermalRunaway(0, new Rng(i));
      const tl = r.timeline;
      expect(tl.onsetMs).toBeLessThan(tl.offGasMs);
      expect(tl.offGasMs).toBeLessThan(tl.coMs);
      expect(tl.coMs).toBeLessThan(tl.smokeMs);
      expect(tl.smokeMs).toBeLessThan(tl.flameMs);
      const leadS = (tl.smokeMs - tl.offGasMs) / 1000;
      // rorosafe: H₂ 2–8 min before visible smoke; Jin 2020: 639 s.
      expect(leadS).toBeGreaterThanOrEqual(300);
      expect(leadS).toBeLessThanOrEqual(800);
      leads.push(leadS);
      expect((tl.flameMs - tl.smokeMs) / 1000).toBeGreaterThan(100);
      expect((tl.flameMs - tl.smokeMs) / 1000).toBeLessThan(160);
      // The signals follow the timeline: gas before smoke, no smoke before venting.
      const beforeSmoke = r.at(tl.smokeMs - 30_000);
      expect(beforeSmoke.h2Ppm).toBeGreaterThan(20);
      expect(beforeSmoke.smokeDbM).toBe(0);
      expect(r.at(tl.offGasMs - 1000).h2Ppm).toBe(0);
      // Venting: ≥ 1 °C/s at the pack.
      expect(
        r.at(tl.smokeMs + 20_000).portRiseK - r.at(tl.smokeMs + 10_000).portRiseK,
      ).toBeGreaterThanOrEqual(10);
      expect(r.at(tl.flameMs + 60_000).smokeDbM).toBeGreaterThan(2);
    }
    leads.sort((a, b) => a - b);
    expect(Math.abs(leads[100]! - H2_TO_SMOKE_S)).toBeLessThan(60);
  });

  it('cutting the power before venting stops it: no smoke, no flame, gases and heat decay', () => {
    const r = new ThermalRunaway(0, new Rng('cut'));
    const tl = r.timeline;
    const cutAt = tl.offGasMs + 60_000;
    expect(r.cutPower(cutAt)).toBe(true);
    for (let t = cutAt; t < tl.flameMs + HOUR_MS; t += 10_000) {
      const o = r.at(t);
      expect(o.phase).toBe('stopped');
      expect(o.smokeDbM).toBe(0);
    }
    expect(r.at(cutAt + HOUR_MS).h2Ppm).toBeLessThan(r.at(cutAt).h2Ppm * 0.01);
    expect(r.at(cutAt + HOUR_MS).portRiseK).toBeLessThan(r.at(cutAt).portRiseK * 0.1);
  });

  it('cutting the power after venting has begun changes nothing', () => {
    const r = new ThermalRunaway(0, new Rng('late'));
    const tl = r.timeline;
    expect(r.cutPower(tl.smokeMs + 5000)).toBe(false);
    expect(r.phaseAt(tl.flameMs + 1000)).toBe('flame');
  });
});

describe('shed actor with a runaway', () => {
  const site = loadSiteFile('sites/chunjiang.yaml');
  const start = Date.parse('2026-11-20T18:00:00+08:00');

  function run(
    cutOnH2: boolean,
    runaway: RunawayIncident = { at: start + 20 * 60_000, port: 3 },
  ): { maxSmoke: number; results: string[]; port3States: string[] } {
    const engine = new SimulationEngine({
      site,
      seed: 9,
      startMs: start,
      endMs: start + 2 * HOUR_MS,
      noise: { ...DEFAULT_NOISE, nuisancePerShedDay: 0 },
    });
    const place = site.places.find((p) => p.id === 'shed-1')!;
    const devices = site.devices.filter((d) => d.place === 'shed-1');
    engine.addActor(
      new ShedActor(
        engine,
        place,
        devices.filter((d) => d.kind === 'smoke_sensor'),
        devices.find((d) => d.kind === 'charging_controller')!,
        [runaway],
      ),
    );
    let maxSmoke = 0;
    let cut = false;
    const results: string[] = [];
    const port3States: string[] = [];
    for (const m of engine.messages()) {
      if (m.topic.endsWith('/command/result')) results.push(m.payload);
      if (m.topic === 'weige/charger-shed-1/telemetry') {
        const p = JSON.parse(m.payload) as { ports: Array<{ port: number; state: string }> };
        port3States.push(p.ports.find((x) => x.port === 3)!.state);
        continue;
      }
      if (!m.topic.endsWith('/telemetry')) continue;
      const v = JSON.parse(m.payload) as { smoke_db_m: number; h2_ppm: number };
      maxSmoke = Math.max(maxSmoke, v.smoke_db_m);
      // A gateway rule: pre-alarm on H₂ > 20 ppm → cut the port.
      if (cutOnH2 && !cut && v.h2_ppm > 20) {
        cut = true;
        engine.command(
          'charger-shed-1',
          JSON.stringify({ id: 'cmd-1', name: 'charging_power', args: { port: 3, on: false } }),
          m.at,
        );
      }
    }
    return { maxSmoke, results, port3States };
  }

  it('runs to dense smoke when nobody intervenes, and stops when the port is cut on the H₂ pre-alarm', () => {
    const free = run(false);
    expect(free.maxSmoke).toBeGreaterThan(2);
    expect(free.port3States).toContain('fault');
    const cut = run(true);
    expect(cut.results).toEqual([JSON.stringify({ id: 'cmd-1', ok: true })]);
    expect(cut.maxSmoke).toBeLessThan(0.1);
    expect(cut.port3States.at(-1)).toBe('off');
  });

  it('a pack on a private lead (飞线充电) runs to smoke whatever is cut, and no port shows it', () => {
    const lead = run(true, { at: start + 20 * 60_000, privateLead: true });
    expect(lead.results).toEqual([JSON.stringify({ id: 'cmd-1', ok: true })]);
    expect(lead.maxSmoke).toBeGreaterThan(2);
    expect(lead.port3States).not.toContain('fault');
  });
});
