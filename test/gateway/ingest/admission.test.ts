/**
 * What ingest refuses or counts before it decodes (issue 14): publishes outside the contract
 * (counted and dead-lettered, the connection closed), a device over its daily quota, and a device
 * so far over its rate that holding it back would take longer than a minute.
 */
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { testNow } from '../../helpers/clock.ts';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { scrapeMetrics } from '../../helpers/metrics.ts';

type DeadLetters = {
  items: Array<{ topic: string; deviceId: string | null; reason: string; detail: string }>;
};

/** 'stopped' when `p` settles within `ms`; a hold of a minute cannot. */
function settlesWithin(p: Promise<void>, ms: number): Promise<'stopped' | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still waiting'>((r) => (timer = setTimeout(() => r('still waiting'), ms)));
  return Promise.race([p.then(() => 'stopped' as const), late]).finally(() => clearTimeout(timer));
}

function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

describe('ingest admission', () => {
  let gw: TestGateway | null = null;
  afterEach(async () => {
    await gw?.stop();
    gw = null;
  });

  it('counts and dead-letters publishes outside the contract', async () => {
    gw = await startTestGateway();
    const offContract = await gw.connect('wm-B3-1-102');
    const gone = closed(offContract);
    offContract.publish('foo/bar', '{"x":1}', { qos: 1 });
    await gone;
    const foreign = await gw.connect('wm-B3-1-102');
    const goneToo = closed(foreign);
    foreign.publish('weige/wm-B3-1-103/telemetry', '{"ts":1,"total_m3":1}', { qos: 1 });
    await goneToo;

    const metrics = await scrapeMetrics(gw.http);
    expect(metrics.sum('weige_messages_rejected_total', { reason: 'unknown_topic' })).toBe(1);
    expect(metrics.sum('weige_messages_rejected_total', { reason: 'topic_not_allowed' })).toBe(1);
    const letters = await eventually(async () => {
      const res = await gw!.api<DeadLetters>('GET', '/api/dead-letters', { user: 'engineer' });
      return res.body.items.length === 2 ? res.body.items : null;
    });
    expect(letters.map(({ topic, deviceId, reason }) => ({ topic, deviceId, reason }))).toEqual([
      { topic: 'weige/wm-B3-1-103/telemetry', deviceId: 'wm-B3-1-102', reason: 'topic_not_allowed' },
      { topic: 'foo/bar', deviceId: 'wm-B3-1-102', reason: 'unknown_topic' },
    ]);
  });

  it('refuses a device over its daily quota, without acknowledgement', async () => {
    gw = await startTestGateway({ deviceDailyQuotaMb: 1 });
    const meter = 'wm-B3-1-201';
    const client = await gw.connect(meter);
    const t0 = testNow() - 3600_000;
    // Valid readings padded with JSON whitespace to 240 kB: four fit in 1 MiB, the fifth does not.
    const reading = (i: number): string =>
      `{"ts":${t0 + i * 60_000},${' '.repeat(240_000)}"total_m3":${1 + i / 1000}}`;
    for (let i = 0; i < 4; i++) await client.publishAsync(`weige/${meter}/telemetry`, reading(i), { qos: 1 });
    const gone = closed(client);
    let acked = false;
    client.publish(`weige/${meter}/telemetry`, reading(4), { qos: 1 }, () => (acked = true));
    await gone;
    expect(acked).toBe(false);

    const stored = await gw.api<unknown[]>('GET', `/api/devices/${meter}/readings`, { user: 'engineer' });
    expect(stored.body).toHaveLength(4);
    expect(
      (await scrapeMetrics(gw.http)).sum('weige_messages_refused_total', { reason: 'quota_exceeded' }),
    ).toBe(1);
    const letters = await eventually(async () => {
      const res = await gw!.api<DeadLetters>('GET', '/api/dead-letters?reason=quota_exceeded', {
        user: 'engineer',
      });
      return res.body.items.length ? res.body.items : null;
    });
    expect(letters[0]).toMatchObject({ deviceId: meter, reason: 'quota_exceeded' });
    expect(letters[0]!.detail).toMatch(/daily quota of 1 MiB/);
  });

  it('holds a device to its rate, and refuses what could not go within a minute', async () => {
    gw = await startTestGateway({ deviceMaxMsgsPerS: 1 });
    const meter = 'wm-B3-1-202';
    const client = await gw.connect(meter);
    const t0 = testNow() - 3 * 86400_000;
    const gone = closed(client);
    // 30 go at once (the burst), 60 are held for up to a minute, the rest are refused.
    for (let i = 0; i < 200; i++)
      client.publish(
        `weige/${meter}/telemetry`,
        JSON.stringify({ ts: t0 + i * 60_000, total_m3: 1 + i / 1000 }),
      );
    await gone;
    const metrics = await scrapeMetrics(gw.http);
    expect(metrics.sum('weige_messages_held_total', { reason: 'rate_limited' })).toBeGreaterThanOrEqual(59);
    expect(metrics.sum('weige_messages_refused_total', { reason: 'rate_limited' })).toBeGreaterThanOrEqual(1);
    const letters = await gw.api<DeadLetters>('GET', '/api/dead-letters?reason=rate_limited', {
      user: 'engineer',
    });
    expect(letters.body.items.map((l) => l.detail)).toEqual([
      expect.stringMatching(/over 1 messages\/s.*refused without acknowledgement/),
      expect.stringMatching(/over 1 messages\/s.*held back to that rate/),
    ]);
    const stored = await gw.api<unknown[]>('GET', `/api/devices/${meter}/readings`, { user: 'engineer' });
    expect(stored.body.length).toBeGreaterThanOrEqual(30);
    expect(stored.body.length).toBeLessThan(90);

    // Stopping does not wait out the held messages' turns (up to a minute): it commits them now.
    const refused = metrics.sum('weige_messages_refused_total', { reason: 'rate_limited' });
    const { dataDir } = gw;
    const stopping = gw.stop({ keepData: true });
    gw = null;
    await expect(settlesWithin(stopping, 20_000)).resolves.toBe('stopped');
    gw = await startTestGateway({ dataDir });
    const kept = await gw.api<unknown[]>('GET', `/api/devices/${meter}/readings`, {
      user: 'engineer',
    });
    expect(kept.body).toHaveLength(200 - refused);
  });
});
