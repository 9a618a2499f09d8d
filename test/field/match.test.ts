/** The scorer's matching of gateway alerts to truth, on hand-made scenes small enough to check by eye. */
import { describe, expect, it } from 'vitest';
import { matchAlerts, type GatewayAlert } from '../../field/match.ts';
import { computeMetrics } from '../../field/metrics.ts';
import { truncateTruth } from '../../field/score.ts';
import type { Truth } from '../../field/scene.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from '../../field/time.ts';
import { TEST_EPOCH } from '../helpers/clock.ts';
import { alert } from './alert-fixture.ts';

const T0 = TEST_EPOCH;

describe('field scorer matching', () => {
  it('throws: the alert naming the track matches, else the nearest floor; the rest are false with their cause', () => {
    const release = T0 + 2 * HOUR_MS;
    const th2 = release + HOUR_MS;
    const truth: Truth[] = [
      {
        danger: 'throws',
        kind: 'scene',
        id: 'scene',
        ts: T0,
        endTs: T0 + DAY_MS,
        seed: 1,
        places: ['cam-a'],
      },
      {
        danger: 'throws',
        kind: 'throw',
        id: 'th1',
        ts: release,
        endTs: release + 3 * SECOND_MS,
        camera: 'cam-a',
        building: 'B3',
        facade: 'east',
        floor: 9,
        column: 2,
        object: 'flower_pot',
        trackId: 'cam-a-t1',
        trackDelayS: 0.4,
        fps: 25,
      },
      {
        danger: 'throws',
        kind: 'throw',
        id: 'th2',
        ts: th2,
        endTs: th2 + 2 * SECOND_MS,
        camera: 'cam-a',
        building: 'B3',
        facade: 'east',
        floor: 4,
        column: 1,
        object: 'tissue_ball',
        trackId: 'cam-a-t2',
        trackDelayS: 0.8,
        fps: 25,
      },
      {
        danger: 'throws',
        kind: 'distractor',
        id: 'drip',
        ts: release + 30 * MINUTE_MS,
        endTs: release + 5 * HOUR_MS,
        camera: 'cam-a',
        cause: 'ac_drip',
        tracks: 600,
        floor: 11,
        spot: [500, 400],
      },
    ];
    const named = (a: GatewayAlert, track: string): GatewayAlert => ({
      ...a,
      dedupeKey: `falling_object:cam-a:${track}`,
    });
    const where = (floor: number): Partial<GatewayAlert['location']> => ({
      building: 'B3',
      facade: 'east',
      floor,
    });
    const alerts = [
      named(alert('a1', 'falling_object', release + 2 * SECOND_MS, where(10), 'cam-a'), 'cam-a-t1'),
      named(alert('a2', 'falling_object', release + 4 * SECOND_MS, where(9), 'cam-a'), 'cam-a-t1'),
      // Another track in th1's window, even on the right floor: not th1.
      named(alert('a7', 'falling_object', release + 3 * SECOND_MS, where(9), 'cam-a'), 'cam-a-t99'),
      // No track named: the alert nearest th2's floor matches it.
      alert('a8', 'falling_object', th2 + SECOND_MS, where(7), 'cam-a'),
      alert('a9', 'falling_object', th2 + 1.5 * SECOND_MS, where(5), 'cam-a'),
      // 2 min after th2's last frame: outside its 60 s window.
      alert('a3', 'falling_object', th2 + 2 * MINUTE_MS, where(4), 'cam-a'),
      alert('a4', 'falling_object', release + 4 * HOUR_MS, where(11), 'cam-a'),
      alert(
        'a5',
        'falling_object',
        release + 4 * HOUR_MS,
        { building: 'B12', facade: 'east', floor: 3 },
        'cam-b12-east',
      ),
      alert('a6', 'littering', release, { building: 'B3' }, 'cam-a'),
    ];
    const m = matchAlerts(truth, alerts);
    expect(m.throws.map((t) => [t.truth.id, t.alert?.id ?? null, t.repeats])).toEqual([
      ['th1', 'a1', 1],
      ['th2', 'a9', 0],
    ]);
    expect(m.throws[0]!.delayMs).toBe(2 * SECOND_MS);
    expect(m.falseAlerts.map((f) => [f.alert.id, f.cause])).toEqual([
      ['a7', 'unexplained'],
      ['a8', 'ac_drip'],
      ['a3', 'ac_drip'],
      ['a4', 'ac_drip'],
    ]);
    expect(m.elsewhere).toBe(1);
    const metrics = computeMetrics(m);
    expect(metrics).toMatchObject({
      recall: 1,
      'floor exact': 0,
      'floor ±1': 1,
      'false alerts per camera-day': 4,
      'camera-days': 1,
    });
  });

  it("throws: the camera's own event on a throw (a rule's alert at the track's start) is a repeat, not false", () => {
    const release = T0 + 2 * HOUR_MS;
    const truth: Truth[] = [
      {
        danger: 'throws',
        kind: 'scene',
        id: 'scene',
        ts: T0,
        endTs: T0 + DAY_MS,
        seed: 1,
        places: ['cam-a'],
      },
      {
        danger: 'throws',
        kind: 'throw',
        id: 'th1',
        ts: release,
        endTs: release + 3 * SECOND_MS,
        camera: 'cam-a',
        building: 'B3',
        facade: 'east',
        floor: 9,
        column: 2,
        object: 'full_bottle',
        trackId: 'cam-a-t1',
        trackDelayS: 0.5,
        fps: 25,
      },
    ];
    const where = { building: 'B3', facade: 'east' };
    const model: GatewayAlert = {
      ...alert('m1', 'falling_object', release, { ...where, floor: 9 }, 'cam-a'),
      source: { deviceId: 'cam-a', rule: null, model: 'falling-object@10' },
      dedupeKey: 'falling_object:cam-a:cam-a-t1',
    };
    const cameraEvent = (id: string, atMs: number): GatewayAlert => ({
      ...alert(id, 'falling_object', atMs, where, 'cam-a'),
      severity: 'info',
      source: { deviceId: 'cam-a', rule: 'falling-object', model: null },
    });
    // At the track's first frame (release + 0.5 s); another camera event 20 s later is not this throw's.
    const m = matchAlerts(truth, [
      model,
      cameraEvent('c1', release + 500),
      cameraEvent('c2', release + 20 * SECOND_MS),
    ]);
    expect(m.throws.map((t) => [t.alert?.id, t.repeats])).toEqual([['m1', 1]]);
    expect(m.falseAlerts.map((f) => f.alert.id)).toEqual(['c2']);
    // The model's alert keyed by façade (no track named): matched by floor, the camera event still a repeat.
    const byFacade = { ...model, dedupeKey: 'falling_object:B3:east' };
    const n = matchAlerts(truth, [byFacade, cameraEvent('c1', release + 500)]);
    expect(n.throws.map((t) => [t.alert?.id, t.repeats])).toEqual([['m1', 1]]);
    expect(n.falseAlerts).toEqual([]);
  });

  it('water: delay from the collapse, alerts before it or during an outing are false', () => {
    const collapse = T0 + 2 * DAY_MS + 10 * HOUR_MS;
    const truth: Truth[] = [
      {
        danger: 'water',
        kind: 'scene',
        id: 'scene',
        ts: T0,
        endTs: T0 + 4 * DAY_MS,
        seed: 1,
        places: ['H1', 'H2'],
      },
      {
        danger: 'water',
        kind: 'collapse',
        id: 'c1',
        ts: collapse,
        endTs: T0 + 4 * DAY_MS,
        household: 'H1',
        device: 'wm-H1',
        daytime: true,
      },
      {
        danger: 'water',
        kind: 'absence',
        id: 'o1',
        ts: T0 + 9 * HOUR_MS,
        endTs: T0 + 14 * HOUR_MS,
        household: 'H2',
        cause: 'outing',
        announced: false,
      },
    ];
    const alerts = [
      alert('w1', 'elderly_inactivity', collapse + 3 * HOUR_MS, { household: 'H1' }),
      alert('w2', 'elderly_inactivity', collapse - HOUR_MS, { household: 'H1' }),
      alert('w3', 'water_use_abnormal', T0 + 15 * HOUR_MS, { household: 'H2' }),
    ];
    const m = matchAlerts(truth, alerts);
    expect(m.collapses.map((c) => [c.alert?.id, c.delayMs])).toEqual([['w1', 3 * HOUR_MS]]);
    expect(m.falseAlerts.map((f) => [f.alert.id, f.cause]).sort()).toEqual([
      ['w2', 'at_home'],
      ['w3', 'outing'],
    ]);
    const metrics = computeMetrics(m);
    // H1 is at risk until its collapse (2 d 10 h), H2 for all 4 days.
    expect(metrics['household-days at risk']).toBeCloseTo(2 + 10 / 24 + 4, 9);
    expect(metrics).toMatchObject({ 'daytime delay median h': 3, 'detected within 12 h': '1/1' });
  });

  it('water: alerts while the resident still lies collapsed are repeats, even past the 48 h window', () => {
    const collapse = T0 + DAY_MS + 9 * HOUR_MS;
    const truth: Truth[] = [
      {
        danger: 'water',
        kind: 'scene',
        id: 'scene',
        ts: T0,
        endTs: T0 + 6 * DAY_MS,
        seed: 1,
        places: ['H1', 'H2'],
      },
      {
        danger: 'water',
        kind: 'collapse',
        id: 'c1',
        ts: collapse,
        endTs: T0 + 6 * DAY_MS,
        household: 'H1',
        device: 'wm-H1',
        daytime: true,
      },
      {
        danger: 'water',
        kind: 'collapse',
        id: 'c2',
        ts: collapse,
        endTs: T0 + 6 * DAY_MS,
        household: 'H2',
        device: 'wm-H2',
        daytime: true,
      },
    ];
    const alerts = [
      alert('h1-first', 'elderly_inactivity', collapse + 6 * HOUR_MS, { household: 'H1' }),
      alert('h1-day3', 'elderly_inactivity', collapse + 60 * HOUR_MS, { household: 'H1' }),
      alert('h1-day4', 'elderly_inactivity', collapse + 80 * HOUR_MS, { household: 'H1' }),
      // H2's first alert comes only after 48 h: a miss within 48 h, but not a false alert.
      alert('h2-late', 'elderly_inactivity', collapse + 50 * HOUR_MS, { household: 'H2' }),
    ];
    const m = matchAlerts(truth, alerts);
    expect(m.collapses.map((c) => [c.truth.household, c.alert?.id ?? null, c.repeats])).toEqual([
      ['H1', 'h1-first', 2],
      ['H2', null, 1],
    ]);
    expect(m.falseAlerts).toEqual([]);
    expect(computeMetrics(m)).toMatchObject({ 'detected within 48 h': '1/2', 'false alerts': 0 });
  });

  it('sheds: lead before smoke, the port from the cut-off command, nuisances by cause', () => {
    const smoke = T0 + 20 * HOUR_MS;
    const truth: Truth[] = [
      {
        danger: 'sheds',
        kind: 'scene',
        id: 'scene',
        ts: T0,
        endTs: T0 + DAY_MS,
        seed: 1,
        places: ['shed-1', 'shed-2'],
      },
      {
        danger: 'sheds',
        kind: 'runaway',
        id: 'r1',
        ts: smoke - 9 * MINUTE_MS,
        h2Ts: smoke - 8 * MINUTE_MS,
        coTs: smoke - 2 * MINUTE_MS,
        smokeTs: smoke,
        flameTs: smoke + 2 * MINUTE_MS,
        endTs: smoke + 17 * MINUTE_MS,
        shed: 'shed-1',
        charger: 'charger-shed-1',
        port: 7,
      },
      {
        danger: 'sheds',
        kind: 'nuisance',
        id: 'n1',
        ts: T0 + 5 * HOUR_MS,
        endTs: T0 + 5.5 * HOUR_MS,
        shed: 'shed-2',
        cause: 'lead_acid_h2',
        port: 3,
      },
    ];
    const alerts = [
      alert('s1', 'fire_risk', smoke - 6 * MINUTE_MS, { place: 'shed-1' }),
      alert('s2', 'fire', smoke + MINUTE_MS, { place: 'shed-1' }),
      alert('s3', 'fire_risk', T0 + 5.2 * HOUR_MS, { place: 'shed-2' }),
    ];
    const commands = [
      {
        sceneTs: smoke - 5 * MINUTE_MS,
        topic: 'weige/charger-shed-1/command',
        payload: JSON.stringify({ id: 'c1', name: 'charging_power', args: { port: 7, on: false } }),
      },
    ];
    const m = matchAlerts(truth, alerts, commands);
    expect(m.runaways.map((r) => [r.alert?.id, r.delayMs, r.repeats, r.portRight])).toEqual([
      ['s1', -6 * MINUTE_MS, 1, true],
    ]);
    expect(matchAlerts(truth, alerts, []).runaways[0]!.portRight).toBe(false);
    // A repeat alert whose evidence names the port locates it too; a cut of another port does not.
    const naming = [alerts[0]!, { ...alerts[1]!, port: 7 }, alerts[2]!];
    expect(matchAlerts(truth, naming, []).runaways[0]!.portRight).toBe(true);
    const otherPort = [{ ...commands[0]!, payload: commands[0]!.payload.replace('"port":7', '"port":8') }];
    expect(matchAlerts(truth, alerts, otherPort).runaways[0]!.portRight).toBe(false);
    expect(m.falseAlerts.map((f) => [f.alert.id, f.cause])).toEqual([['s3', 'lead_acid_h2']]);
    const metrics = computeMetrics(m);
    expect(metrics).toMatchObject({
      'alert before smoke': '1/1',
      'lead before smoke median min': 6,
      'port right': '1/1',
    });
    expect(metrics['nuisance alerts per shed-year']).toBeCloseTo(365 / 2, 9);
  });

  it('a scene cut at an event time keeps only the events before it and shortens its span', () => {
    const truth: Truth[] = [
      {
        danger: 'water',
        kind: 'scene',
        id: 'scene',
        ts: T0,
        endTs: T0 + 4 * DAY_MS,
        seed: 1,
        places: ['H1'],
      },
      {
        danger: 'water',
        kind: 'collapse',
        id: 'c1',
        ts: T0 + 3 * DAY_MS,
        endTs: T0 + 4 * DAY_MS,
        household: 'H1',
        device: 'wm-H1',
        daytime: true,
      },
    ];
    const cut = truncateTruth(truth, T0 + 2 * DAY_MS);
    expect(cut).toEqual([{ ...truth[0], endTs: T0 + 2 * DAY_MS }]);
    expect(computeMetrics(matchAlerts(cut, []))['household-days at risk']).toBe(2);
  });
});
