/** Shaping alerts and incidents into chart series: calendar days in the site's time zone. */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../gateway/src/contracts/alerts.ts';
import {
  alertsByKindPerDay,
  inactivityWatchlist,
  lastDays,
  median,
  responseTimes,
} from '../../dashboards/src/pages/console/chart-data.ts';
import { toIncident } from '../../dashboards/src/lib/model.ts';

const TZ = 'Asia/Shanghai';
const NOW = Date.parse('2026-11-25T10:00:00+08:00');
const alert = (kind: string, eventTs: string): Alert =>
  ({ id: `${kind}-${eventTs}`, kind, eventTs, detectedAt: eventTs }) as unknown as Alert;

describe('chart data', () => {
  it('lists the last days in the site time zone, oldest first', () => {
    expect(lastDays(NOW, 3, TZ)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
  });

  it('counts alerts by kind per local day (an alert at 23:30 UTC belongs to the next Shanghai day)', () => {
    const days = lastDays(NOW, 3, TZ);
    const series = alertsByKindPerDay(
      [
        alert('fire', '2026-11-24T23:30:00Z'),
        alert('fire', '2026-11-25T01:00:00+08:00'),
        alert('littering', '2026-11-23T12:00:00+08:00'),
        alert('littering', '2026-11-01T12:00:00+08:00'),
      ],
      days,
      TZ,
    );
    expect(series).toEqual([
      { kind: 'fire', counts: [0, 0, 2] },
      { kind: 'littering', counts: [1, 0, 0] },
    ]);
  });

  it('takes median minutes to accept and resolve per opening day from the incidents', () => {
    const days = lastDays(NOW, 2, TZ);
    const inc = (created: string, acceptedMin: number | null, resolvedMin: number | null) =>
      toIncident({
        id: created,
        state: 'resolved',
        createdAt: created,
        acceptedAt:
          acceptedMin === null ? null : new Date(Date.parse(created) + acceptedMin * 60_000).toISOString(),
        resolvedAt:
          resolvedMin === null ? null : new Date(Date.parse(created) + resolvedMin * 60_000).toISOString(),
      });
    const times = responseTimes(
      [
        inc('2026-11-25T08:00:00+08:00', 2, 30),
        inc('2026-11-25T09:00:00+08:00', 4, 50),
        inc('2026-11-24T09:00:00+08:00', null, null),
      ],
      days,
      TZ,
    );
    expect(times).toEqual({ acceptMin: [null, 3], resolveMin: [null, 40] });
    expect(median([5, 1, 3])).toBe(3);
    expect(median([])).toBeNull();
  });

  it('puts each household with an open inactivity incident on the watchlist once', () => {
    const inc = (id: string, household: string, state: string, kind = 'elderly_inactivity') =>
      toIncident({ id, kind, state, location: { household }, source: { deviceId: `wm-${household}` } });
    const list = inactivityWatchlist(
      [
        inc('a', 'B3-1-1201', 'dispatched'),
        inc('b', 'B3-1-1201', 'accepted'),
        inc('c', 'B1-1-201', 'resolved'),
        inc('d', 'B2-1-301', 'open', 'fire'),
      ],
      (s) => ['open', 'dispatched', 'accepted', 'on_site', 'escalated'].includes(s),
    );
    expect(list).toEqual([{ household: 'B3-1-1201', deviceId: 'wm-B3-1-1201', hours: null }]);
  });
});
