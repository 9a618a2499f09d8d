/** The named operators and window functions rule files are built from (table-driven). */
import { describe, expect, it } from 'vitest';
import { COMPARISON_OPERATORS, comparisonOperator } from '../../rules/operators/comparison.ts';
import { windowFunction, type Sample } from '../../rules/operators/windows.ts';

const M = 60_000;
const H = 3_600_000;
const series = (pairs: Array<[number, number | string]>): Sample[] => pairs.map(([ts, v]) => ({ ts, v }));
const run = (name: string, samples: Sample[], at: number, field: string, params: number[]) =>
  windowFunction(name)!.evaluate(samples, at, { field, params });

describe('comparison operators', () => {
  it.each([
    ['gt', 3, 2, true],
    ['gt', 2, 2, false],
    ['gte', 2, 2, true],
    ['lt', 1, 2, true],
    ['lte', 3, 2, false],
    ['eq', 'charging', 'charging', true],
    ['neq', 'fault', 'charging', true],
    ['in', 'b', ['a', 'b'], true],
    ['between', 5, [1, 5], true],
    ['outside', 5, [1, 5], false],
    ['outside', 6, [1, 5], true],
  ] as const)('%s(%j, %j) = %s', (op, fact, value, expected) => {
    const o = comparisonOperator(op)!;
    expect(o.validate(value)).toBeNull();
    expect(o.test(fact, value)).toBe(expected);
  });

  it.each([
    ['gte', 'high'],
    ['between', [5, 1]],
    ['in', []],
    ['eq', { a: 1 }],
  ] as const)('%s refuses value %j at load time', (op, value) => {
    expect(comparisonOperator(op)!.validate(value)).toMatch(new RegExp(op));
  });

  it('a numeric operator never matches a string fact', () => {
    expect(comparisonOperator('gt')!.test('60', 50)).toBe(false);
    expect(COMPARISON_OPERATORS.map((o) => o.name)).toContain('between');
  });
});

describe('window functions', () => {
  const temps = series([
    [0, 20],
    [M, 22],
    [2 * M, 30],
    [3 * M, 40],
  ]);

  it('latest honours max_age', () => {
    expect(run('latest', temps, 3 * M, 'temp_c', [0])).toBe(40);
    expect(run('latest', temps, 10 * M, 'temp_c', [5 * M])).toBeUndefined();
    expect(run('latest', temps, 90_000, 'temp_c', [0])).toBe(22);
  });

  it('min, max, avg, count and sum look only inside the window', () => {
    expect(run('max', temps, 3 * M, 'temp_c', [2 * M])).toBe(40);
    expect(run('min', temps, 3 * M, 'temp_c', [2 * M])).toBe(30);
    expect(run('avg', temps, 3 * M, 'temp_c', [2 * M])).toBe(35);
    expect(run('count', temps, 3 * M, 'temp_c', [10 * M])).toBe(4);
    expect(run('sum', temps, M, 'temp_c', [10 * M])).toBe(42);
    expect(run('max', temps, 3 * M, 'temp_c', [10_000])).toBe(40);
  });

  it('rate_per_min needs two samples 20 s apart', () => {
    expect(run('rate_per_min', temps, 3 * M, 'temp_c', [2 * M])).toBe(9);
    expect(run('rate_per_min', series([[0, 1]]), 0, 'x', [M])).toBeUndefined();
    expect(
      run(
        'rate_per_min',
        series([
          [0, 1],
          [10_000, 5],
        ]),
        10_000,
        'x',
        [M],
      ),
    ).toBeUndefined();
  });

  const register = series([
    [0, 100],
    [H, 100.004],
    [2 * H, 100.004],
    [3 * H, 100.01],
    [4 * H, 100.01],
  ]);

  it('consumption is a register difference, unknown until the window is covered', () => {
    expect(run('consumption', register, 4 * H, 'total_m3', [3 * H])).toBe(0.006);
    expect(run('consumption', register, 4 * H, 'total_m3', [5 * H])).toBeUndefined();
    // Float noise is rounded away: 10 L over the window is 0.01, not 0.00999…
    expect(run('consumption', register, 4 * H, 'total_m3', [4 * H])).toBe(0.01);
  });

  it('unchanged_for measures the last run of equal values, capped by the horizon', () => {
    expect(run('unchanged_for', register, 4 * H, 'total_m3', [24 * H])).toBe(3600);
    expect(
      run(
        'unchanged_for',
        series([
          [0, 5],
          [H, 5],
          [2 * H, 5],
        ]),
        2 * H,
        'x',
        [H],
      ),
    ).toBe(3600);
  });

  it('flow_every_slot judges hourly registers hour by hour, and a gap as unknown', () => {
    const leak = series(Array.from({ length: 25 }, (_, h) => [h * H, 10 + h * 0.002] as [number, number]));
    expect(run('flow_every_slot', leak, 24 * H, 'total_m3', [24 * H, 30 * M])).toBe(1);
    const night = leak.map((s, i) => (i >= 3 && i <= 5 ? { ...s, v: leak[2]!.v } : s));
    expect(run('flow_every_slot', night, 24 * H, 'total_m3', [24 * H, 30 * M])).toBeCloseTo(21 / 24);
    const gap = leak.filter((_, i) => i < 5 || i > 9);
    expect(run('flow_every_slot', gap, 24 * H, 'total_m3', [24 * H, 30 * M])).toBeUndefined();
    const oneLost = leak.filter((_, i) => i !== 7);
    expect(run('flow_every_slot', oneLost, 24 * H, 'total_m3', [24 * H, 30 * M])).toBe(1);
    // Yesterday's batch up to 23:00, then today's alarm uplinks every few hours before today's
    // batch: the hours in between have no data, whatever the register did across them.
    const batchThenAlarms = series([
      ...Array.from({ length: 9 }, (_, h) => [(15 + h) * H, 10 + h * 0.002] as [number, number]),
      [31 * H, 10.1],
      [35 * H, 10.2],
      [39 * H, 10.3],
      [43 * H, 10.4],
    ]);
    expect(run('flow_every_slot', batchThenAlarms, 43 * H, 'total_m3', [24 * H, 30 * M])).toBeUndefined();
  });

  it('age and span grow with the clock; span drops to 0 after max_gap', () => {
    const events = series([
      [0, 1],
      [5 * M, 1],
      [10 * M, 1],
    ]);
    expect(run('age', events, 12 * M, 'seen', [])).toBe(120);
    expect(run('span', events, 10 * M, 'seen', [6 * M, 6 * H])).toBe(600);
    expect(run('span', events, 10 * M, 'seen', [4 * M, 6 * H])).toBe(0);
    expect(run('span', events, 20 * M, 'seen', [6 * M, 6 * H])).toBe(0);
    expect(windowFunction('span')!.clockDriven).toBe(true);
  });
});
