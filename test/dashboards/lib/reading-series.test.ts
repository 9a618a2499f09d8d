/** The incident chart's series: one port of a charging controller, never all ports as one line. */
import { describe, expect, it } from 'vitest';
import { hottestSeries } from '../../../dashboards/src/lib/reading-series.ts';
import type { ReadingView } from '../../../dashboards/src/lib/model.ts';

const T0 = Date.parse('2026-11-20T01:00:00+08:00');
const reading = (minute: number, port: number | null, temp_c: number): ReadingView => ({
  deviceId: 'charger-shed-1',
  ts: new Date(T0 + minute * 60_000).toISOString(),
  port,
  values: { temp_c },
  labels: {},
});

describe('incident chart series', () => {
  it("draws the charger port that got hottest, in time order, not a zigzag through every port's readings", () => {
    // Newest first, as the readings API answers; port 4 runs away, ports 1 and 2 stay at air temperature.
    const readings = [5, 4, 3, 2, 1, 0].flatMap((m) => [
      reading(m, 1, 10),
      reading(m, 4, 20 + m * 4),
      reading(m, 2, 11),
    ]);
    const series = hottestSeries(readings, 'temp_c');
    expect(series.port).toBe(4);
    expect(series.points.map((p) => p.v)).toEqual([20, 24, 28, 32, 36, 40]);
    expect(series.points.map((p) => p.ts)).toEqual([0, 1, 2, 3, 4, 5].map((m) => T0 + m * 60_000));
  });

  it('keeps a sensor without ports as its one series', () => {
    const series = hottestSeries([reading(1, null, 31), reading(0, null, 24)], 'temp_c');
    expect(series).toEqual({
      port: null,
      points: [
        { ts: T0, v: 24 },
        { ts: T0 + 60_000, v: 31 },
      ],
    });
  });
});
