/**
 * The shipped fire-fusion decisions (real model, `FireDecider` on `shedWindow`s, windows taken per
 * burst as the gateway takes them) on hand-made shed readings of what the field shows (issue 13):
 * lead-acid end-of-charge gassing raises nothing; a shed whose sensors come back from a silence
 * still reading a past fire does not page again, while a port heating on its own there still
 * warns and names it; the suspect port is named from the charger's per-port fault, power and
 * temperature when it does not heat alone before smoke.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type Tf } from '../../../models/lib/backend.ts';
import { ModelRegistry, type LoadedModel } from '../../../gateway/src/detectors/models/registry.ts';
import { createRootLogger } from '../../../gateway/src/core/logger.ts';
import type { Reading } from '../../../gateway/src/contracts/readings.ts';
import {
  classify,
  FireDecider,
  lazyProbabilities,
  MODEL_NAME,
  ShedState,
  shedWindow,
  type FireDecision,
} from '../../../models/fire-fusion/predict.ts';
import { testNow } from '../../helpers/clock.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
let tf: Tf;
let loaded: LoadedModel;

beforeAll(async () => {
  tf = (await selectBackend(null)).tf;
  const registry = new ModelRegistry({ tf, log: createRootLogger('silent') });
  loaded = (await registry.reload(MODEL_NAME))!;
}, 120_000);

interface Air {
  smoke: number;
  temp: number;
  co: number;
  h2: number;
  voc?: number;
}
interface Port {
  port: number;
  state: string;
  power: number;
  temp: number;
}
/** The shed at minute m: its air, its ports, or null while its devices are silent. */
type Minute = (m: number) => { air: Air; ports: Port[] } | null;

/** Deterministic noise in [−1, 1). */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return (((x ^ (x >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  };
}

/** Readings a minute apart (sensor at +5 s, charger at +45 s), decided burst by burst. */
function decide(start: number, minutes: number, at: Minute): FireDecision[] {
  const state = new ShedState('shed-1');
  const decider = new FireDecider(loaded.meta.thresholds);
  const out: FireDecision[] = [];
  const burst = (t: number, readings: Reading[]) => {
    for (const r of readings) state.add(r);
    const w = shedWindow(state, t);
    out.push(
      ...decider.step(
        w,
        lazyProbabilities(() => classify(tf, loaded.model, loaded.meta, [w])[0]!),
      ),
    );
  };
  const base = { siteId: 'chunjiang', port: null, labels: {} };
  for (let m = 0; m < minutes; m++) {
    const now = at(m);
    if (!now) continue;
    const ts = start + m * MIN + 5_000;
    const { air } = now;
    const values: Record<string, number> = {
      smoke_db_m: air.smoke,
      temp_c: air.temp,
      co_ppm: air.co,
      h2_ppm: air.h2,
      humidity_pct: 60,
    };
    if (air.voc !== undefined) values.voc_ppm = air.voc;
    burst(ts, [{ ...base, deviceId: 'smoke-shed-1', kind: 'smoke_sensor', ts, values }]);
    const cts = start + m * MIN + 45_000;
    burst(
      cts,
      now.ports.map((p) => ({
        ...base,
        deviceId: 'charger-shed-1',
        kind: 'charging_controller',
        ts: cts,
        port: p.port,
        values: { power_w: p.power, temp_c: p.temp },
        labels: { state: p.state },
      })),
    );
  }
  return out;
}

const clean = (): Air => ({ smoke: 0.01, temp: 14, co: 1, h2: 1, voc: 0.3 });
const cut = (d: FireDecision) => ({ kind: d.kind, port: d.suspectPort });

/**
 * A lithium pack on port 2 vents: VOC from `m0`, H₂ from m0 + 2, smoke at `smokeAt`, flame 3 min
 * later; its port's own signature set by `port2` (temperature and state, power share).
 */
function runaway(
  m0: number,
  smokeAt: number,
  port2: (m: number) => { temp: number; state: string; powerShare: number },
): (m: number) => { air: Air; ports: Port[] } {
  return (m) => {
    const since = m - m0;
    const air = clean();
    if (since >= 0) air.voc = 0.3 + Math.min(150, 12 * (since + 1));
    if (since >= 2) air.h2 = 1 + Math.min(800, 45 * (since - 1));
    if (m >= smokeAt - 2) air.co = 1 + Math.min(300, 25 * (m - smokeAt + 3));
    if (m >= smokeAt) air.smoke = Math.min(2.5, 0.4 * (m - smokeAt + 1));
    if (m >= smokeAt + 3) Object.assign(air, { co: 1200, temp: 14 + 6 * (m - smokeAt - 2) });
    const p2 = port2(m);
    return {
      air,
      ports: [
        // Another lithium pack in its CV taper: its draw falls a little every minute.
        { port: 1, state: 'charging', power: Math.max(30, 160 - 2 * m), temp: 20 },
        { port: 2, state: p2.state, power: 200 * p2.powerShare, temp: p2.temp },
        { port: 3, state: 'idle', power: 0, temp: 14 },
      ],
    };
  };
}

describe('fire-fusion decisions on what the field shows', () => {
  it('raises nothing on lead-acid end-of-charge gassing, with or without a VOC channel', () => {
    const start = testNow() - 3 * HOUR;
    const raised: string[] = [];
    let runs = 0;
    for (const peak of [20, 80, 200])
      for (const gassingMin of [20, 40])
        for (const withVoc of [true, false]) {
          const rnd = noise(peak * 100 + gassingMin + (withVoc ? 1 : 0));
          const endOfCharge = 100;
          const gasFrom = endOfCharge - gassingMin;
          const crossCo = 0.1 + 0.3 * ((rnd() + 1) / 2);
          const decisions = decide(start, 130, (m) => {
            const gassing = m >= gasFrom && m < endOfCharge;
            const h2 = gassing ? 1 + peak * Math.min(1, (m - gasFrom + 1) / 5) + rnd() : 1 + 0.5 * rnd();
            const air: Air = {
              smoke: 0.01 + 0.003 * rnd(),
              temp: 14 + 0.1 * rnd(),
              co: 1 + crossCo * h2,
              h2,
            };
            if (withVoc) air.voc = 0.3 + 0.2 * rnd();
            // A lithium charge starts on port 3 just as the gassing begins: its port warms fast
            // towards 2.5 K per A above the air, then levels off.
            const p3 = m - gasFrom;
            return {
              air,
              ports: [
                {
                  port: 1,
                  state: m < endOfCharge ? 'charging' : 'full',
                  power: m < endOfCharge ? Math.max(40, 160 - (m - 60) * 3) : 5,
                  temp: 19 - Math.max(0, m - 60) * 0.05,
                },
                { port: 2, state: 'charging', power: 180, temp: 21 + 0.1 * rnd() },
                p3 < 0
                  ? { port: 3, state: 'idle', power: 0, temp: 14 }
                  : {
                      port: 3,
                      state: 'charging',
                      power: 220,
                      temp: 14 + 12.5 * (1 - Math.exp(-(p3 + 1) / 4.5)),
                    },
              ],
            };
          });
          runs++;
          raised.push(...decisions.map((d) => `${peak} ppm ${gassingMin} min voc=${withVoc}: ${d.kind}`));
        }
    expect(runs).toBe(12);
    expect(raised).toEqual([]);
  }, 120_000);

  it('pages a fire once: sensors back from a silence still reading it raise nothing more', () => {
    const start = testNow() - 60 * HOUR;
    const rnd = noise(7);
    const fire = runaway(60, 68, (m) =>
      m < 66
        ? { temp: 24, state: 'charging', powerShare: 1 }
        : {
            temp: 24 + 2 * (m - 65) + (m >= 68 ? 60 * (m - 67) : 0),
            state: 'fault',
            powerShare: m < 68 ? 1 : 0.8,
          },
    );
    const silentFrom = 71 + 15;
    const back = silentFrom + 6 * 60;
    // A second lithium pack on port 3 runs away in the burnt shed on the next day: charging for
    // two hours, its port then heats on its own at 3 K/min.
    const second = back + 24 * 60;
    const decisions = decide(start, back + 40 * 60, (m) => {
      if (m < silentFrom) return fire(m);
      if (m < back) return null;
      // The sensors come back reading the fire: heat, smoke, H₂ and CO in the thousands; lead-acid
      // packs gas on top of it on port 1 every evening.
      const gassing = (m - back) % (24 * 60) > 600 && (m - back) % (24 * 60) < 640;
      const air: Air = {
        smoke: 20 + 5 * rnd(),
        temp: 300 + 5 * rnd(),
        co: 1500 + 300 * rnd(),
        h2: 2000 + 300 * rnd() + (gassing ? 150 : 0),
        voc: 150 + 30 * rnd(),
      };
      const p3 = m - (second - 120);
      return {
        air,
        ports: [
          { port: 1, state: gassing ? 'charging' : 'idle', power: gassing ? 60 : 0, temp: 16 },
          { port: 2, state: 'fault', power: 0, temp: 280 + rnd() },
          p3 < 0
            ? { port: 3, state: 'idle', power: 0, temp: 15 }
            : { port: 3, state: 'charging', power: 200, temp: 22 + (m >= second ? 3 * (m - second) : 0) },
        ],
      };
    });
    const before = decisions.filter((d) => d.t < start + silentFrom * MIN);
    expect(before.map((d) => d.kind)).toContain('fire_risk');
    expect(before.filter((d) => d.kind === 'fire')).toHaveLength(1);
    const after = decisions.filter((d) => d.t >= start + back * MIN);
    // Only the second runaway, named by its own port; no second `fire` on the old smoke.
    expect(after.map(cut)).toEqual([{ kind: 'fire_risk', port: 3 }]);
    expect(after[0]!.t).toBeGreaterThan(start + second * MIN);
    expect(after[0]!.t).toBeLessThan(start + (second + 5) * MIN);
  }, 120_000);

  it('names the venting port from its fault, its collapsing draw or its leading rise', () => {
    const start = testNow() - 3 * HOUR;
    const cases = {
      // The port reports `fault` at smoke, before it heats.
      fault: (m: number) => ({ temp: 24, state: m >= 66 ? 'fault' : 'charging', powerShare: 1 }),
      // The pack's voltage falls at smoke: the charger draws 15 % less, still "charging".
      collapse: (m: number) => ({ temp: 24, state: 'charging', powerShare: m >= 66 ? 0.85 : 1 }),
      // The port warms 0.8 K/min from the first VOC: slower than "heating alone", but it leads.
      rise: (m: number) => ({ temp: 24 + 0.8 * Math.max(0, m - 60), state: 'charging', powerShare: 1 }),
    };
    const named: Record<string, Array<{ kind: string; port: number | null; beforeFlame: boolean }>> = {};
    for (const [name, port2] of Object.entries(cases)) {
      const decisions = decide(start, 80, runaway(60, 66, port2));
      named[name] = decisions.map((d) => ({ ...cut(d), beforeFlame: d.t < start + 69 * MIN }));
    }
    for (const [name, decisions] of Object.entries(named)) {
      // Gas warns first; the port is named (and so cut) before the flame; never another port.
      expect(decisions[0], name).toMatchObject({ kind: 'fire_risk', beforeFlame: true });
      expect(
        decisions.some((d) => d.port === 2 && d.beforeFlame),
        name,
      ).toBe(true);
      expect(
        decisions.filter((d) => d.port !== null && d.port !== 2),
        name,
      ).toEqual([]);
    }
  }, 120_000);

  /** Ports of a shed mid-evening: two lithium packs charging, one idle. */
  const eveningPorts = (): Port[] => [
    { port: 1, state: 'charging', power: 160, temp: 20 },
    { port: 2, state: 'charging', power: 200, temp: 24 },
    { port: 3, state: 'idle', power: 0, temp: 14 },
  ];

  it('warns of an early runaway from a low H₂ rise with CO and VOC on the second reading', () => {
    const start = testNow() - 3 * HOUR;
    const onset = 60;
    const rnd = noise(11);
    // Far below every level threshold: H₂ +4, CO +3, VOC +1.5 ppm a minute; smoke 12 min later.
    const decisions = decide(start, onset + 10, (m) => {
      const since = Math.max(0, m - onset + 1);
      return {
        air: {
          smoke: 0.01,
          temp: 14,
          co: 2 + 3 * since + 0.3 * rnd(),
          h2: 1 + 4 * since + 0.5 * rnd(),
          voc: 0.3 + 1.5 * since + 0.2 * rnd(),
        },
        ports: eveningPorts(),
      };
    });
    expect(decisions[0]?.kind).toBe('fire_risk');
    // The first sensor reading of the off-gas is at onset + 5 s; the warning comes with the
    // second (before the co-rise: 5.1 min after onset).
    expect(decisions[0]!.t).toBe(start + (onset + 1) * MIN + 5_000);
  }, 120_000);

  it('raises nothing on cigarette smoke or exhaust: CO (and VOC) with less H₂, with or without a VOC channel', () => {
    const start = testNow() - 3 * HOUR;
    const raised: string[] = [];
    let runs = 0;
    for (const coPeak of [15, 40, 120])
      for (const h2Share of [0, 0.4, 0.75])
        for (const vocPeak of [null, 0, 3, 10]) {
          const rnd = noise(coPeak * 1000 + h2Share * 100 + (vocPeak ?? 50));
          // A smoker or an idling motorbike for 10 min: CO, the exhaust's own H₂ (about a third
          // of its CO) and the H₂ cell's cross-reading of the CO, VOC, a trace of smoke.
          const decisions = decide(start, 100, (m) => {
            const level = m >= 60 && m < 70 ? Math.min(1, (m - 59) / 3) : 0;
            const co = 1 + coPeak * level + 0.3 * rnd();
            const air: Air = {
              smoke: 0.01 + 0.03 * level,
              temp: 14 + 0.1 * rnd(),
              co,
              h2: 1 + h2Share * (co - 1) + 0.5 * rnd(),
            };
            if (vocPeak !== null) air.voc = 0.3 + vocPeak * level + 0.2 * rnd();
            return { air, ports: eveningPorts() };
          });
          runs++;
          raised.push(...decisions.map((d) => `CO ${coPeak} H₂ ${h2Share} VOC ${vocPeak}: ${d.kind}`));
        }
    expect(runs).toBe(36);
    expect(raised).toEqual([]);
  }, 120_000);
});
