/** Login, tokens, roles and grid scope — enforced by the API, through real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../gateway/src/core/clock.ts';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { testNow } from '../../helpers/clock.ts';

interface Device {
  id: string;
  grid: string | null;
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => gw.stop());

describe('auth', () => {
  it('logs in with a demo account and answers /api/auth/me', async () => {
    const me = await gw.api<{ id: string; roles: string[]; grid: string }>('GET', '/api/auth/me', {
      user: 'mg1-worker-a',
    });
    expect(me.body).toMatchObject({ id: 'mg1-worker-a', roles: ['grid_worker'], grid: 'mg-chunjiang-1' });
  });

  it('refuses a wrong password and a missing or bogus token, in the error envelope', async () => {
    const res = await fetch(`${gw.http}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'x' }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      status: 'error',
      error: { code: 'WEIGE_ERR_AUTH_BAD_CREDENTIALS' },
    });
    expect((await fetch(`${gw.http}/api/devices`)).status).toBe(401);
    expect(
      (await fetch(`${gw.http}/api/devices`, { headers: { authorization: 'Bearer forged' } })).status,
    ).toBe(401);
  });

  it('validates the login body precisely', async () => {
    const res = await fetch(`${gw.http}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/password/);
  });

  it('revokes a token on logout', async () => {
    const res = await fetch(`${gw.http}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'property', password: 'weige-demo' }),
    });
    const { token } = (await res.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}` };
    expect((await fetch(`${gw.http}/api/auth/me`, { headers })).status).toBe(200);
    expect((await fetch(`${gw.http}/api/auth/logout`, { method: 'POST', headers })).status).toBe(204);
    expect((await fetch(`${gw.http}/api/auth/me`, { headers })).status).toBe(401);
  });

  it('expires a token after WEIGE_TOKEN_TTL_H on the gateway clock, not the machine’s', async () => {
    const clock = new ManualClock(testNow());
    const own = await startTestGateway({ tokenTtlH: 12 }, { clock, modules: [] });
    try {
      const headers = await own.login('property');
      clock.advance(12 * 3600_000 - 1000);
      expect((await fetch(`${own.http}/api/auth/me`, { headers })).status).toBe(200);
      clock.advance(2000);
      expect((await fetch(`${own.http}/api/auth/me`, { headers })).status).toBe(401);
    } finally {
      await own.stop();
    }
  });

  it('scopes devices to the caller’s grid: a worker sees only their micro-grid', async () => {
    const all = (await gw.api<Device[]>('GET', '/api/devices', { user: 'engineer' })).body;
    const mine = (await gw.api<Device[]>('GET', '/api/devices', { user: 'mg1-worker-a' })).body;
    expect(all.length).toBe(gw.gateway.ctx.site.deviceCount);
    expect(mine.length).toBeGreaterThan(50);
    expect(mine.length).toBeLessThan(all.length);
    const mg1 = ['bg-b1', 'bg-b2', 'bg-b4', 'bg-b5'];
    expect(mine.every((d) => mg1.includes(d.grid!))).toBe(true);
    // Another grid's device is not found, not forbidden: its existence does not leak.
    expect((await gw.api('GET', '/api/devices/cam-b3-east', { user: 'mg1-worker-a' })).status).toBe(404);
    expect((await gw.api('GET', '/api/devices/cam-b3-east/readings', { user: 'mg1-worker-a' })).status).toBe(
      404,
    );
    expect((await gw.api('GET', '/api/devices/cam-b3-east', { user: 'mg3-worker-a' })).status).toBe(200);
  });

  it('scopes the site: households, buildings and staff of the caller’s grid; never password hashes', async () => {
    const site = (
      await gw.api<{
        households: unknown[];
        buildings: Array<{ id: string }>;
        staff: Array<Record<string, unknown>>;
      }>('GET', '/api/site', { user: 'mg3-care-a' })
    ).body;
    expect(site.buildings.map((b) => b.id).sort()).toEqual(['B10', 'B11', 'B12', 'B13', 'B3']);
    expect(site.households.length).toBeLessThan(383);
    expect(site.staff.length).toBeGreaterThan(0);
    expect(JSON.stringify(site)).not.toMatch(/scrypt|passwordHash/);
    const full = (await gw.api<{ households: unknown[] }>('GET', '/api/site', { user: 'admin' })).body;
    expect(full.households).toHaveLength(383);
  });

  it('lets only engineers and admins register devices', async () => {
    const body = { id: 'smoke-extra', kind: 'smoke_sensor', place: 'shed-1' };
    expect((await gw.api('POST', '/api/devices', { user: 'mg1-worker-a', body })).status).toBe(403);
    expect(
      (await gw.api('POST', '/api/devices', { user: 'engineer', body: { ...body, kind: 'toaster' } })).status,
    ).toBe(400);
    expect((await gw.api('POST', '/api/devices', { user: 'engineer', body })).status).toBe(201);
  });

  it('serves OpenAPI at /docs and health and metrics without a token', async () => {
    const spec = (await (await fetch(`${gw.http}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/devices',
        '/api/devices/{id}/readings',
        '/api/dead-letters',
        '/api/auth/login',
      ]),
    );
    expect(await (await fetch(`${gw.http}/healthz`)).json()).toMatchObject({
      status: 'ok',
      site: 'chunjiang',
    });
    expect(await (await fetch(`${gw.http}/metrics`)).text()).toMatch(/weige_messages_received_total/);
  });
});

describe('transfer', () => {
  it('compresses large API responses for slow phone networks', async () => {
    const headers = { ...(await gw.login('admin')), 'accept-encoding': 'br, gzip' };
    const res = await fetch(`${gw.http}/api/site`, { headers });
    expect(res.headers.get('content-encoding')).toMatch(/br|gzip/);
    const body = (await res.json()) as { households: unknown[] };
    expect(body.households).toHaveLength(383);
  });
});
