/**
 * Retention deletes old readings from SQLite, except those InfluxDB has not confirmed yet: the
 * readings table is the InfluxDB spool, and an outage longer than the retention must not lose
 * what was accepted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../gateway/src/core/clock.ts';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { freePort } from '../../helpers/ports.ts';
import { testNow } from '../../helpers/clock.ts';

const DAY = 86400_000;
let gw: TestGateway | null = null;
afterEach(async () => {
  await gw?.stop();
  gw = null;
});

async function storeOldReadingThenAge(influxUrl: string | null): Promise<number> {
  const clock = new ManualClock(testNow());
  gw = await startTestGateway({ retentionDays: 1, influxUrl }, { clock, modules: [] });
  const sensor = await gw.connect('heat-shed-1');
  await sensor.publishAsync(
    'weige/heat-shed-1/telemetry',
    JSON.stringify({ ts: clock.now() - 60_000, temp_c: 21 }),
    { qos: 1 },
  );
  const stored = (): Promise<number> =>
    gw!
      .api<unknown[]>('GET', '/api/devices/heat-shed-1/readings', { user: 'engineer' })
      .then((r) => r.body.length);
  expect(await stored()).toBe(1);
  clock.advance(2 * DAY); // the hourly retention check runs on the clock
  gw.forgetLogins(); // the engineer's token has expired on that clock too
  // Without InfluxDB the reading goes once the check has run; with it, it must stay.
  const after = await eventually(async () => {
    const n = await stored();
    return influxUrl === null && n > 0 ? null : { n };
  });
  return after.n;
}

describe('retention', () => {
  it('deletes readings older than the retention', async () => {
    expect(await storeOldReadingThenAge(null)).toBe(0);
  });

  it('keeps old readings that InfluxDB has not confirmed (an outage longer than the retention)', async () => {
    const unreachable = `http://127.0.0.1:${await freePort()}/weige`;
    expect(await storeOldReadingThenAge(unreachable)).toBe(1);
    expect(gw!.gateway.influxWriter!.spoolDepth()).toBe(1);
  });
});
