/**
 * Login throttling over real HTTP (issue 14): lockout with backoff per account, answered 429 with
 * Retry-After and recorded in /metrics; throttling per address that spares other addresses; and
 * no account enumeration by timing (an unknown user fails as slowly as a known one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../gateway/src/core/clock.ts';
import { testNow } from '../../helpers/clock.ts';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { rawRequest } from '../../helpers/raw-http.ts';
import { compareFailureTimes } from '../../helpers/failure-timing.ts';

const LOCKOUT_AFTER = 3;
const PER_ADDRESS_PER_MIN = 8;

let gw: TestGateway;
beforeAll(async () => {
  // A clock that stands still: the buckets and lockouts must not refill while a slow machine
  // works through the logins (8 a minute is one token every 7.5 s).
  gw = await startTestGateway(
    {
      lockoutAfterFailures: LOCKOUT_AFTER,
      lockoutBaseS: 30,
      loginFailuresPerIpPerMin: PER_ADDRESS_PER_MIN,
    },
    { clock: new ManualClock(testNow()) },
  );
});
afterAll(async () => gw.stop());

const login = (username: string, password: string, localAddress = '127.0.0.1') =>
  rawRequest(gw.http, {
    method: 'POST',
    path: '/api/auth/login',
    body: { username, password },
    localAddress,
  });

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${gw.http}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describe('login lockout', () => {
  it('locks an account after repeated wrong passwords, with Retry-After, even for the right one', async () => {
    const from = '127.0.0.11';
    for (let i = 0; i < LOCKOUT_AFTER; i++)
      expect((await login('mg2-worker-a', 'wrong', from)).status).toBe(401);
    const locked = await login('mg2-worker-a', 'weige-demo', from);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(29);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(30);
    expect(JSON.parse(locked.body)).toMatchObject({ error: { code: 'WEIGE_ERR_AUTH_TOO_MANY_ATTEMPTS' } });
    // Another account from the same address is not affected.
    expect((await login('mg2-worker-b', 'weige-demo', from)).status).toBe(200);
    expect(await metric('weige_account_lockouts_total')).toBeGreaterThanOrEqual(1);
    expect(
      await metric('weige_logins_refused_total{channel="http",reason="account_locked"}'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('locks unknown usernames the same way, so a lockout does not reveal an account', async () => {
    const from = '127.0.0.12';
    for (let i = 0; i < LOCKOUT_AFTER; i++)
      expect((await login('nobody-here', 'wrong', from)).status).toBe(401);
    const res = await login('nobody-here', 'wrong', from);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
  });
});

describe('login throttling per address', () => {
  it('makes a guessing address wait, and leaves other addresses alone', async () => {
    const attacker = '127.0.0.13';
    const statuses: number[] = [];
    for (let i = 0; i < PER_ADDRESS_PER_MIN + 2; i++)
      statuses.push((await login(`guess-${i}`, 'wrong', attacker)).status);
    expect(statuses.slice(0, PER_ADDRESS_PER_MIN)).toEqual(Array(PER_ADDRESS_PER_MIN).fill(401));
    expect(statuses.slice(PER_ADDRESS_PER_MIN)).toEqual([429, 429]);
    const throttled = await login('admin', 'weige-demo', attacker);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await login('admin', 'weige-demo', '127.0.0.14')).status).toBe(200);
  });

  it('does not count successful logins (many staff behind one office address)', async () => {
    const office = '127.0.0.15';
    for (let i = 0; i < PER_ADDRESS_PER_MIN * 2; i++)
      expect((await login('property', 'weige-demo', office)).status).toBe(200);
  });
});

describe('no account enumeration by timing', { timeout: 90_000 }, () => {
  it('fails an unknown user about as slowly as a known one', async () => {
    const timing = await startTestGateway({
      loginFailuresPerIpPerMin: 100_000,
      lockoutAfterFailures: 1000,
    });
    try {
      const { knownMs, unknownMs, ratio } = await compareFailureTimes(async (username) => {
        const res = await rawRequest(timing.http, {
          method: 'POST',
          path: '/api/auth/login',
          body: { username, password: `wrong-${Math.random()}` },
        });
        expect(res.status).toBe(401);
      }, 'admin');
      console.log(
        `login failure median: known ${knownMs.toFixed(1)} ms, unknown ${unknownMs.toFixed(1)} ms, ratio ${ratio.toFixed(2)}`,
      );
      // Issue 14 measured 15–20× (3 vs 55 ms); checks run at low priority, so load adds noise.
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    } finally {
      await timing.stop();
    }
  });
});
