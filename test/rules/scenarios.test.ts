/**
 * Issue 4 "Done when": the simulator's scenarios, run in-process through ingest and the rule
 * engine with the shipped packs. Every pack rule fires on some scenario (each at the right
 * place), and quiet-day raises nothing but its one real incident.
 *
 * The shipped scenarios have no sensor-reported fault events, no contaminated smoke chamber,
 * no scripted device faults and no day over 2 m³, so one extra scenario here (`rules-coverage`,
 * written in the simulator's own scenario format) scripts those with the simulator's models
 * and fault injection (`sensor_fault`, `contamination`).
 */
import { describe, expect, it } from 'vitest';
import type { Detection } from '../../gateway/src/contracts/alerts.ts';
import { PACKS_DIR } from '../../gateway/src/detectors/rules/module.ts';
import { loadRuleDirs } from '../../gateway/src/detectors/rules/rule-loader.ts';
import type { Scenario } from '../../simulators/scenario/types.ts';
import { runScenario, type ScenarioRun } from './scenario-harness.ts';

const SCENARIOS = 'simulators/scenarios';
const fired = new Map<string, Detection[]>();
const record = (run: ScenarioRun): ScenarioRun => {
  for (const d of run.detections)
    if (!d.cleared) fired.set(d.source.rule!, [...(fired.get(d.source.rule!) ?? []), d]);
  return run;
};
const firings = (run: ScenarioRun, rule: string): Detection[] =>
  run.detections.filter((d) => !d.cleared && d.source.rule === rule);

/** Scripted with the simulator's models: what the shipped scenarios do not contain. */
const COVERAGE: Scenario = {
  version: 1,
  name: 'rules-coverage',
  seed: 42,
  duration: '2d',
  start: 'end-at-now',
  speed: 'fast',
  models: { water: true, sheds: true, cameras: false, places: true, households: ['B1-2-202', 'B3-1-703'] },
  incidents: [
    {
      kind: 'tap_running',
      household: 'B1-2-202',
      at: '1d3h',
      for: '100m',
      litresPerMin: 25,
      reporting: 'hourly',
    },
    { kind: 'fire_lane_blocked', place: 'fire-lane-1', at: '20h', dwell: '45m' },
  ],
  faults: {
    scripted: [
      { kind: 'offline', device: 'wm-B3-1-703', at: '10h', for: '3h' },
      // Right after its start-up status: cameras that see nothing fall silent, and a silent
      // camera is already offline to the health monitor, which then reports no will.
      { kind: 'offline', device: 'cam-garbage-1', at: '5m', for: '1h' },
      { kind: 'low_battery', device: 'wm-B3-1-703', at: '12h', pct: 12 },
      { kind: 'tamper', device: 'cam-fire-lane-2', at: '5h' },
      { kind: 'sensor_fault', device: 'heat-shed-2', at: '7h' },
      { kind: 'contamination', device: 'smoke-shed-3', at: '18h', for: '9h', dbM: 0.09 },
    ],
  },
};

// Simulated days take seconds each; on a loaded 2-core machine, allow for it.
describe('simulator scenarios through ingest and the shipped rule packs', { timeout: 120_000 }, () => {
  it('quiet-day: one ordinary day raises only its one littering incident', () => {
    const run = record(runScenario(`${SCENARIOS}/quiet-day.yaml`));
    const incidents = run.truth.filter((t) => t.class === 'incident');
    expect(incidents.map((t) => t.kind)).toEqual(['littering']);
    expect(run.detections.map((d) => [d.source.rule, d.location.place])).toEqual([
      ['littering', incidents[0]!.place],
    ]);
    expect(run.messages).toBeGreaterThan(10_000);
  });

  it('shed-fire: the runaway is warned of before the smoke, then confirmed, at shed-2 only', () => {
    const run = record(runScenario(`${SCENARIOS}/shed-fire.yaml`));
    const runaway = run.truth.find((t) => t.kind === 'thermal_runaway')!;
    const { milestones } = runaway.details as { milestones: Record<'offGas' | 'smoke' | 'flame', number> };
    const raised = run.detections.filter((d) => !d.cleared);
    expect(new Set(raised.map((d) => d.location.place))).toEqual(new Set(['shed-2']));
    for (const rule of [
      'shed-co-while-charging',
      'shed-smoke',
      'shed-heat-rate-of-rise',
      'shed-heat-fixed',
      'shed-fire-confirmed',
      'charger-port-fault',
    ])
      expect(firings(run, rule).length, rule).toBeGreaterThan(0);
    const warning = firings(run, 'shed-co-while-charging')[0]!;
    const smoke = firings(run, 'shed-smoke')[0]!;
    const confirmed = firings(run, 'shed-fire-confirmed')[0]!;
    // Warned of after the pack began to vent and before smoke was visible, then confirmed.
    expect(warning.eventTs).toBeGreaterThanOrEqual(milestones.offGas);
    expect(warning.eventTs).toBeLessThan(milestones.smoke);
    expect(warning.eventTs).toBeLessThan(smoke.eventTs);
    expect(confirmed.eventTs).toBeGreaterThan(warning.eventTs);
    expect(confirmed).toMatchObject({ severity: 'critical', dedupeKey: 'fire:shed-2' });
  });

  it('elderly-inactivity-week: both residents who stop are flagged, the leak and the running tap too', () => {
    const run = record(runScenario(`${SCENARIOS}/elderly-inactivity-week.yaml`));
    const truth = run.truth.filter((t) => t.class === 'incident');
    for (const t of truth.filter((x) => x.kind === 'elderly_inactivity')) {
      const hits = run.detections.filter((d) => !d.cleared && d.location.household === t.household);
      expect(
        hits.map((d) => d.source.rule),
        t.household,
      ).toEqual(expect.arrayContaining(['water-12h-low', 'water-day-low']));
      // Judged on event time: the 12 h rule's evidence starts after the resident stopped.
      expect(Math.min(...hits.map((d) => d.eventTs))).toBeGreaterThan(t.ts);
    }
    const leak = truth.find((t) => (t.details as { cause?: string }).cause === 'leak')!;
    expect(firings(run, 'water-continuous-flow').map((d) => d.location.household)).toEqual([leak.household]);
    const tap = truth.find((t) => (t.details as { cause?: string }).cause === 'tap_running')!;
    expect(firings(run, 'water-hour-high').map((d) => d.location.household)).toEqual([tap.household]);
  });

  it('thrown-object: confident camera events raise falling-object alerts on the right façades', () => {
    const run = record(runScenario(`${SCENARIOS}/thrown-object.yaml`));
    const throws = run.truth.filter((t) => t.class === 'incident' && t.kind === 'falling_object');
    const alerts = firings(run, 'falling-object');
    expect(alerts.length).toBeGreaterThanOrEqual(throws.length - 2);
    for (const a of alerts)
      expect(
        throws.some((t) => t.deviceId === a.source.deviceId && Math.abs(t.ts - a.eventTs) < 60_000),
      ).toBe(true);
  });

  it('rules-coverage: device faults, a blocked fire lane and a running tap over a day of 2 m³', () => {
    const run = record(runScenario(COVERAGE));
    const by = (rule: string): Array<string | null | undefined> =>
      firings(run, rule).map((d) => d.source.deviceId);
    expect(by('device-offline')).toEqual(['wm-B3-1-703']);
    expect(by('camera-offline')).toEqual(['cam-garbage-1']);
    expect(by('low-battery')).toEqual(['wm-B3-1-703']);
    expect(by('tamper')).toEqual(['cam-fire-lane-2']);
    // The scripted blockage and the model's own long parkings: one alert each, nothing else.
    const blocked = run.truth.filter((t) => t.class === 'incident' && t.kind === 'fire_lane_blocked');
    expect(blocked.some((t) => t.place === 'fire-lane-1')).toBe(true);
    const lane = firings(run, 'fire-lane-blocked');
    expect(lane).toHaveLength(blocked.length);
    for (const t of blocked)
      expect(
        lane.some(
          (d) => d.location.place === t.place && d.eventTs >= t.ts && d.eventTs <= t.ts + 15 * 60_000,
        ),
        `${t.place} at ${new Date(t.ts).toISOString()}`,
      ).toBe(true);
    expect(by('water-day-high')).toEqual(['wm-B1-2-202']);
    expect(by('shed-sensor-fault')).toEqual(['heat-shed-2']);
    expect(by('shed-smoke-sensor-drift')).toEqual(['smoke-shed-3']);
  });

  it('every shipped rule fired on some scenario', () => {
    const ids = loadRuleDirs([PACKS_DIR]).rules.map((r) => r.id);
    expect(ids.filter((id) => !fired.has(id))).toEqual([]);
  });
});
