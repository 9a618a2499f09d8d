/** The scorer's figures for water scenes with presence signals, split by signal set. */
import { describe, expect, it } from 'vitest';
import { matchAlerts } from '../../field/match.ts';
import { computeMetrics } from '../../field/metrics.ts';
import type { SceneTruth, Truth } from '../../field/scene.ts';
import { DAY_MS, HOUR_MS } from '../../field/time.ts';
import { TEST_EPOCH } from '../helpers/clock.ts';
import { alert } from './alert-fixture.ts';

const T0 = TEST_EPOCH;

describe('field scorer figures', () => {
  it('water: with presence signals in the scene, the figures are split by signal set', () => {
    const collapse = T0 + 2 * DAY_MS + 10 * HOUR_MS;
    const endTs = T0 + 4 * DAY_MS;
    const presence: SceneTruth['presence'] = { H1: ['electricity', 'door'], H2: [], H3: ['electricity'] };
    const truth: Truth[] = [
      {
        danger: 'water',
        kind: 'scene',
        id: 'scene',
        ts: T0,
        endTs,
        seed: 1,
        places: ['H1', 'H2', 'H3'],
        presence,
      },
      {
        danger: 'water',
        kind: 'collapse',
        id: 'c1',
        ts: collapse,
        endTs,
        household: 'H1',
        device: 'wm-H1',
        daytime: true,
        leftOn: 'tv',
      },
    ];
    const alerts = [
      alert('w1', 'elderly_inactivity', collapse + 2 * HOUR_MS, { household: 'H1' }),
      alert('w2', 'elderly_inactivity', T0 + 30 * HOUR_MS, { household: 'H2' }),
      alert('w3', 'elderly_inactivity', T0 + 40 * HOUR_MS, { household: 'H2' }),
    ];
    const metrics = computeMetrics(matchAlerts(truth, alerts));
    expect(metrics).toMatchObject({
      'collapses leaving lights or TV on, detected within 12 h': '1/1',
      'with a presence signal (2): detected within 12 h': '1/1',
      'with a presence signal (2): daytime delay median h': 2,
      'with a presence signal (2): false alerts per household-day': 0,
      'water only (1): collapses': 0,
      'water only (1): false alerts per household-day': 2 / 4,
      'water + electricity (1): household-days at risk': 4,
      'water + electricity + door (1): detected within 12 h': '1/1',
    });
    // H1 is at risk until its collapse (2 d 10 h), H3 for all 4 days.
    expect(metrics['with a presence signal (2): household-days at risk']).toBeCloseTo(2 + 10 / 24 + 4, 9);
    expect(Object.keys(metrics).some((k) => k.startsWith('water + door'))).toBe(false);
  });

  it('water: a scene without presence rows gives the figures over all households only', () => {
    const truth: Truth[] = [
      { danger: 'water', kind: 'scene', id: 'scene', ts: T0, endTs: T0 + DAY_MS, seed: 1, places: ['H1'] },
    ];
    const metrics = computeMetrics(
      matchAlerts(truth, [alert('w1', 'elderly_inactivity', T0 + HOUR_MS, { household: 'H1' })]),
    );
    expect(metrics).toMatchObject({ 'false alerts per household-day': 1, 'household-days at risk': 1 });
    expect(Object.keys(metrics).filter((k) => k.includes('(') && k.includes('):'))).toEqual([]);
  });
});
