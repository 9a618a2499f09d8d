/**
 * The durable MQTT outbox across a SIGKILL: alerts and incident changes stored while the
 * (external Mosquitto) broker is down are not lost when the gateway dies before publishing them;
 * the restarted gateway publishes every one, in order, and marks each row sent exactly once.
 */
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { DEMO_STAFF_PASSWORD, eventually, makeDataDir } from '../helpers/gateway.ts';
import { startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.ts';

const REPORTS = 6;

let procs: GatewayProcess[] = [];
let brokers: MosquittoInstance[] = [];
afterEach(async () => {
  for (const p of procs) await p.kill();
  for (const b of brokers) await b.stop().catch(() => undefined);
  procs = [];
  brokers = [];
});

async function token(http: string): Promise<string> {
  const res = await fetch(`${http}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: DEMO_STAFF_PASSWORD }),
  });
  return ((await res.json()) as { token: string }).token;
}

describe('MQTT outbox across SIGKILL', () => {
  it('publishes every alert and incident change stored while the broker was down, after a restart', async () => {
    const dir = makeDataDir();
    const down = await startMosquitto();
    brokers.push(down);
    const first = await spawnGateway({ WEIGE_DATA_DIR: dir, WEIGE_MQTT_URL: down.url });
    procs.push(first);
    const tok = await token(first.http);

    // The broker goes away; residents' reports still become alerts and incidents (stored).
    await down.stop();
    brokers = [];
    const alertIds: string[] = [];
    for (let i = 0; i < REPORTS; i++) {
      const res = await fetch(`${first.http}/api/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` },
        body: JSON.stringify({
          category: 'water_leak',
          description: `漏水 ${i}`,
          location: { building: 'B3' },
          clientRef: `outbox-${i}`,
        }),
      });
      expect(res.status).toBe(201);
      alertIds.push(((await res.json()) as { alertId: string }).alertId);
    }
    // Died between store and publish: no shutdown code, the broker never saw these.
    await first.kill();

    const broker = await startMosquitto();
    brokers.push(broker);
    const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const received: Array<{ topic: string; body: Record<string, unknown> }> = [];
    sub.on('message', (topic, payload) =>
      received.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }),
    );
    await sub.subscribeAsync(['weige/alerts/#', 'weige/incidents/#'], { qos: 1 });

    const second = await spawnGateway({ WEIGE_DATA_DIR: dir, WEIGE_MQTT_URL: broker.url });
    procs.push(second);
    const alertMsgs = () => received.filter((m) => m.topic.startsWith('weige/alerts/'));
    const incidentMsgs = () => received.filter((m) => m.topic.startsWith('weige/incidents/'));
    // Each report stored an alert and then its incident: the last incident message comes last.
    await eventually(
      () => new Set(incidentMsgs().map((m) => m.body.id)).size >= REPORTS && alertMsgs().length >= REPORTS,
      20_000,
    );
    // Every alert arrived, on its kind's topic, once; and in the order they were stored.
    expect(alertMsgs().map((m) => m.body.id)).toEqual(alertIds);
    expect(new Set(alertMsgs().map((m) => m.topic))).toEqual(
      new Set([`weige/alerts/${String(alertMsgs()[0]!.body.siteId)}/resident_report`]),
    );
    expect(new Set(incidentMsgs().map((m) => m.body.id)).size).toBe(REPORTS);

    // Stopped before the subscriber leaves: the last incident change may still be on its way when
    // the first message of each incident has arrived.
    await second.stop();
    procs = [];
    const db = new Database(path.join(dir, 'weige.db'), { readonly: true });
    try {
      const rows = db
        .prepare("SELECT what, topic, payload, sent_at FROM outbox WHERE kind = 'mqtt' ORDER BY seq")
        .all() as Array<{ what: string; topic: string; payload: string; sent_at: number | null }>;
      expect(rows.filter((r) => r.sent_at === null)).toEqual([]);
      // One row per alert (none staged twice) and one per incident change the subscriber got.
      const alertRows = rows.filter((r) => r.what === 'alert');
      expect(alertRows.map((r) => (JSON.parse(r.payload) as { id: string }).id)).toEqual(alertIds);
      const incidentRows = rows.filter((r) => r.what === 'incident');
      await eventually(() => incidentMsgs().length >= incidentRows.length, 5000);
      expect(incidentRows).toHaveLength(incidentMsgs().length);
    } finally {
      db.close();
      sub.end(true);
    }
  }, 90_000);
});
