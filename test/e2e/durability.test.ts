/**
 * SIGKILL in the middle of a burst of detections, then a restart on the same data: no
 * acknowledged detection is lost, none is duplicated when the sender resends everything, and
 * the pending escalation fires on its original schedule, not one reset by the restart.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { DEMO_SERVICE_PASSWORD, DEMO_STAFF_PASSWORD, eventually, makeDataDir } from '../helpers/gateway.ts';
import { writeSite } from '../gateway/alerting/fixtures.ts';
import { testNow } from '../helpers/clock.ts';

const BURST = 300;
const GROUPS = 50;
const ACCEPT_S = 10;

let procs: GatewayProcess[] = [];
afterEach(async () => {
  for (const p of procs) await p.kill();
  procs = [];
});

async function token(http: string, username: string): Promise<string> {
  const res = await fetch(`${http}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_STAFF_PASSWORD }),
  });
  return ((await res.json()) as { token: string }).token;
}

async function get<T>(http: string, tok: string, path: string): Promise<T> {
  const res = await fetch(`${http}${path}`, { headers: { authorization: `Bearer ${tok}` } });
  return (await res.json()) as T;
}

const detection = (i: number, t0: number) => ({
  kind: 'littering',
  severity: 'minor',
  title: { 'zh-CN': `垃圾落地 ${i}`, en: `Litter ${i}` },
  place: 'garbage-1',
  eventTs: t0 + i,
  dedupeKey: `burst:${i % GROUPS}`,
  evidence: { n: i },
});

describe('durability across SIGKILL', () => {
  it('loses and duplicates nothing, and resumes the escalation with the time already elapsed', async () => {
    const dir = makeDataDir();
    const siteFile = writeSite(dir, {
      escalation: {
        timeouts: { critical: { acceptS: ACCEPT_S, arriveS: 600, resolveS: 3600, reminderS: 3 } },
      },
    });
    const env = { WEIGE_DATA_DIR: dir, WEIGE_SITE: siteFile };
    const first = await spawnGateway(env);
    procs.push(first);
    const flow = await mqtt.connectAsync(first.mqttUrl, {
      username: 'node-red',
      password: DEMO_SERVICE_PASSWORD,
      reconnectPeriod: 0,
    });
    const t0 = testNow() - 60_000;
    const falling = {
      kind: 'falling_object',
      severity: 'critical',
      title: { 'zh-CN': '3号楼东侧疑似高空抛物', en: 'Suspected thrown object, building 3 east' },
      building: 'B3',
      floor: 12,
      eventTs: t0,
      dedupeKey: 'falling:cam-b3-east:durability',
    };
    await flow.publishAsync('weige/flows/durability/detection', JSON.stringify(falling), { qos: 1 });
    const dispatchedBy = testNow();

    // The burst: SIGKILL once about 40 % are acknowledged, with more in flight.
    const acked = new Set<number>();
    let killed: Promise<void> | null = null;
    for (let i = 0; i < BURST; i++)
      flow
        .publishAsync('weige/flows/durability/detection', JSON.stringify(detection(i, t0)), { qos: 1 })
        .then(
          () => {
            acked.add(i);
            if (acked.size === Math.floor(BURST * 0.4)) killed = first.kill();
          },
          () => undefined, // in flight when the gateway died: not acknowledged, so not promised
        );
    await eventually(() => killed !== null, 30_000, 5);
    await killed;
    const ackedAtKill = new Set(acked);
    flow.end(true);
    expect(ackedAtKill.size).toBeGreaterThanOrEqual(Math.floor(BURST * 0.4));
    expect(ackedAtKill.size).toBeLessThan(BURST);

    const restartBegan = testNow();
    const second = await spawnGateway(env);
    procs.push(second);
    const restartedAt = testNow();
    const admin = await token(second.http, 'admin');
    // The list carries no evidence (its reads are logged elsewhere): the burst number is in the title.
    type AlertRow = { id: string; title: string; kind: string; incidentId: string };
    const burstNo = (a: AlertRow): number => Number(/(\d+)$/.exec(a.title)?.[1]);
    const before = await get<AlertRow[]>(second.http, admin, '/api/alerts?kind=littering&limit=5000');
    const stored = new Set(before.map(burstNo));
    expect([...ackedAtKill].filter((i) => !stored.has(i))).toEqual([]);

    // The flow resends the whole burst (at-least-once): every detection is there exactly once.
    const again = await mqtt.connectAsync(second.mqttUrl, {
      username: 'node-red',
      password: DEMO_SERVICE_PASSWORD,
      reconnectPeriod: 0,
    });
    for (let i = 0; i < BURST; i++)
      await again.publishAsync('weige/flows/durability/detection', JSON.stringify(detection(i, t0)), {
        qos: 1,
      });
    await again.publishAsync('weige/flows/durability/detection', JSON.stringify(falling), { qos: 1 });
    again.end(true);
    const after = await get<AlertRow[]>(second.http, admin, '/api/alerts?kind=littering&limit=5000');
    expect(after).toHaveLength(BURST);
    expect(new Set(after.map((a) => a.id)).size).toBe(BURST);
    expect(new Set(after.map(burstNo)).size).toBe(BURST);
    const incidents = await get<Array<{ kind: string; occurrences: number }>>(
      second.http,
      admin,
      '/api/incidents?kind=littering&limit=1000',
    );
    expect(incidents).toHaveLength(GROUPS);
    expect(incidents.reduce((n, i) => n + i.occurrences, 0)).toBe(BURST);
    expect(await get<unknown[]>(second.http, admin, '/api/alerts?kind=falling_object')).toHaveLength(1);

    // The escalation was due ACCEPT_S after the dispatch, before the kill; it fires on that schedule.
    const [fallingIncident] = await get<Array<{ id: string }>>(
      second.http,
      admin,
      '/api/incidents?kind=falling_object',
    );
    const escalated = await eventually(
      async () => {
        const inc = await get<{ createdAt: string; history: Array<{ type: string; at: string }> }>(
          second.http,
          admin,
          `/api/incidents/${fallingIncident!.id}`,
        );
        const e = inc.history.find((h) => h.type === 'escalated');
        return e
          ? { at: Date.parse(e.at), createdAt: Date.parse(inc.createdAt), history: inc.history }
          : null;
      },
      (ACCEPT_S + 5) * 1000,
      200,
    );
    expect(escalated.at - escalated.createdAt).toBeGreaterThanOrEqual(ACCEPT_S * 1000);
    // Due before the restart finished (a slow machine): it fires at once on start; otherwise on time.
    const dueAt = escalated.createdAt + ACCEPT_S * 1000;
    expect(escalated.at).toBeLessThanOrEqual(Math.max(dueAt, restartedAt) + 1500);
    expect(escalated.at).toBeLessThan(restartedAt + ACCEPT_S * 1000);
    expect(escalated.createdAt).toBeLessThanOrEqual(dispatchedBy);
    // Reminders (every 3 s until someone accepts) carry on after the restart too.
    await eventually(async () => {
      const inc = await get<{ history: Array<{ type: string; at: string }> }>(
        second.http,
        admin,
        `/api/incidents/${fallingIncident!.id}`,
      );
      return inc.history.some((h) => h.type === 'reminded' && Date.parse(h.at) > restartBegan);
    }, 10_000);
  }, 90_000);
});
