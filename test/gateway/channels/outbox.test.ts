/**
 * The one outbox across restarts, on an external Mosquitto (so a subscriber is there before the
 * gateway starts) and a robot on a real local HTTP server:
 * - a database an earlier version left with unsent rows in its two outboxes (the MQTT outbox and
 *   the delivery outbox) is carried over when the new code opens it, and each unsent message goes
 *   out exactly once — the sent ones not again, nothing again after a second restart;
 * - an MQTT row and a webhook row staged in one transaction both go out after a restart.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { OutboxStore } from '../../../gateway/src/channels/outbox-store.ts';
import { PublicationOutbox } from '../../../gateway/src/channels/outbox.ts';
import type { Notice } from '../../../gateway/src/channels/robot-formats.ts';
import type { Alert } from '../../../gateway/src/contracts/alerts.ts';
import { EventBus } from '../../../gateway/src/core/bus.ts';
import { createRootLogger } from '../../../gateway/src/core/logger.ts';
import { migrate, openDatabase, type Database } from '../../../gateway/src/store/database.ts';
import { testClock, testIso, testNow } from '../../helpers/clock.ts';
import { eventually, makeDataDir } from '../../helpers/gateway.ts';
import { startMosquitto, type MosquittoInstance } from '../../helpers/mosquitto.ts';
import { startAlertingGateway, writeSite, type AlertingTestGateway } from '../alerting/fixtures.ts';

const SITE = 'chunjiang';
const ROBOT = 'wecom';

let gw: AlertingTestGateway | null = null;
let broker: MosquittoInstance | null = null;
let subscriber: MqttClient | null = null;
const servers: Server[] = [];
afterEach(async () => {
  await gw?.stop();
  gw = null;
  await subscriber?.endAsync(true);
  subscriber = null;
  await broker?.stop();
  broker = null;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A WeCom robot that answers ok; `received` holds the markdown of each message. */
async function robot(): Promise<{ url: string; received: string[] }> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      received.push((JSON.parse(data) as { markdown: { content: string } }).markdown.content);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`, received };
}

/** Mosquitto with a subscriber on the alert topics; `ids` lists the alert ids received, in order. */
async function alertsSubscriber(): Promise<{ url: string; ids: string[] }> {
  broker = await startMosquitto();
  const ids: string[] = [];
  subscriber = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  subscriber.on('message', (_topic, payload) =>
    ids.push((JSON.parse(payload.toString()) as { id: string }).id),
  );
  await subscriber.subscribeAsync('weige/alerts/#', { qos: 1 });
  return { url: broker.url, ids };
}

function start(dir: string, robotUrl: string, mqttUrl: string): Promise<AlertingTestGateway> {
  const siteFile = writeSite(dir, {
    channels: { webhooks: [{ id: ROBOT, type: 'wecom', url: robotUrl, timeoutS: 2, backoffS: 0.1 }] },
  });
  return startAlertingGateway({ dataDir: dir, siteFile, mqttUrl }, [], testClock);
}

function notice(title: string): Notice {
  return { title, lines: ['line'], severity: 'critical', mentionPhones: [], mentionWecom: [], payload: {} };
}

function fireAlert(id: string): Alert {
  const at = testIso();
  return {
    ...{ id, kind: 'fire', severity: 'critical', siteId: SITE, title: '火警', message: '3号车棚' },
    location: {
      building: null,
      facade: null,
      floor: null,
      floorRange: null,
      unit: null,
      household: null,
      place: 'shed-3',
    },
    ...{
      grid: ['mg-chunjiang-3'],
      eventTs: at,
      detectedAt: at,
      raisedAt: at,
      evidence: {},
      incidentId: null,
    },
    source: { deviceId: 'smoke-shed-3', rule: null, model: null },
  };
}

const pendingRows = (g: AlertingTestGateway): number =>
  (
    g.gateway.ctx.stores.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL').get() as {
      n: number;
    }
  ).n;

/** The two outboxes as the previous version created them (its migrations, verbatim), with rows. */
function writeEarlierOutboxes(db: Database): void {
  migrate(db, 'channels_mqtt', [
    `CREATE TABLE channels_mqtt_outbox (
       seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE, what TEXT NOT NULL,
       topic TEXT NOT NULL, payload TEXT NOT NULL, staged_at INTEGER NOT NULL, sent_at INTEGER)`,
    'CREATE INDEX channels_mqtt_outbox_pending ON channels_mqtt_outbox (sent_at, seq)',
  ]);
  migrate(db, 'channels', [
    `CREATE TABLE channels_deliveries (
       seq INTEGER PRIMARY KEY AUTOINCREMENT, delivery_id TEXT NOT NULL, channel_id TEXT NOT NULL,
       incident_id TEXT, event TEXT NOT NULL, attempt INTEGER NOT NULL, started_at INTEGER NOT NULL,
       duration_ms INTEGER NOT NULL, outcome TEXT NOT NULL, status_code INTEGER, error TEXT,
       next_attempt_at INTEGER)`,
    'CREATE INDEX channels_deliveries_channel ON channels_deliveries (channel_id, started_at)',
    `CREATE TABLE channels_outbox (
       delivery_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, incident_id TEXT, event TEXT NOT NULL,
       notice TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL, done INTEGER NOT NULL)`,
    'ALTER TABLE channels_deliveries ADD COLUMN recipient TEXT',
    'ALTER TABLE channels_outbox ADD COLUMN recipient TEXT',
  ]);
  const at = testNow();
  const mqttRow = db.prepare(
    `INSERT INTO channels_mqtt_outbox (message_id, what, topic, payload, staged_at, sent_at) VALUES (?, 'alert', ?, ?, ?, ?)`,
  );
  const topic = `weige/alerts/${SITE}/resident_report`;
  for (const [id, sentAt] of [
    ['alr_sent_before', at - 1000],
    ['alr_unsent_1', null],
    ['alr_unsent_2', null],
  ] as const)
    mqttRow.run(
      `mid-${id}`,
      topic,
      JSON.stringify({ id, siteId: SITE, kind: 'resident_report' }),
      at,
      sentAt,
    );
  const deliveryRow = db.prepare(
    `INSERT INTO channels_outbox (delivery_id, channel_id, incident_id, event, notice, attempts, next_attempt_at,
       done, recipient) VALUES (?, ?, NULL, 'dispatched', ?, ?, ?, ?, NULL)`,
  );
  deliveryRow.run('dlv-done', ROBOT, JSON.stringify(notice('已送达的旧消息')), 1, 0, 1);
  deliveryRow.run('dlv-unsent', ROBOT, JSON.stringify(notice('未送达的旧消息')), 1, at, 0);
}

describe('the one outbox', () => {
  it('carries unsent rows of the earlier MQTT and delivery outboxes over and sends each exactly once', async () => {
    const dir = makeDataDir();
    const old = openDatabase(dir);
    writeEarlierOutboxes(old);
    old.close();
    const bot = await robot();
    const sub = await alertsSubscriber();

    gw = await start(dir, bot.url, sub.url);
    await eventually(() => sub.ids.length >= 2 && bot.received.length >= 1 && pendingRows(gw!) === 0, 15_000);
    const tables = gw.gateway.ctx.stores.db
      .prepare(`SELECT name FROM sqlite_master WHERE name IN ('channels_mqtt_outbox', 'channels_outbox')`)
      .all();
    expect(tables).toEqual([]);
    const records = await gw.api<Array<{ deliveryId: string; attempt: number; outcome: string }>>(
      'GET',
      `/api/channels/deliveries?channel=${ROBOT}`,
      { user: 'engineer' },
    );
    // Resumed at the attempt it had reached.
    expect(records.body.map((r) => [r.deliveryId, r.attempt, r.outcome])).toEqual([['dlv-unsent', 2, 'ok']]);
    await gw.stop({ keepData: true });

    // Opened again: nothing is left to send, and nothing goes out twice.
    gw = await start(dir, bot.url, sub.url);
    expect(pendingRows(gw)).toBe(0);
    expect(sub.ids).toEqual(['alr_unsent_1', 'alr_unsent_2']);
    expect(bot.received).toHaveLength(1);
    expect(bot.received[0]).toContain('未送达的旧消息');
  });

  it('sends an MQTT row and a webhook row staged in one transaction after a restart', async () => {
    const dir = makeDataDir();
    const db = openDatabase(dir);
    const store = new OutboxStore(db);
    const port = new PublicationOutbox(store, testClock, new EventBus(createRootLogger('silent')));
    const bot = await robot();
    db.transaction(() => {
      port.stage({ what: 'alert', body: fireAlert('alr_staged') });
      store.stageDelivery(
        {
          deliveryId: 'dlv-staged',
          channelId: ROBOT,
          incidentId: null,
          event: 'dispatched',
          recipient: null,
          notice: notice('同一事务中的消息'),
          nextAttemptAt: testNow(),
        },
        testNow(),
      );
    })();
    db.close(); // the process that staged them is gone before sending either

    const sub = await alertsSubscriber();
    gw = await start(dir, bot.url, sub.url);
    await eventually(() => sub.ids.length >= 1 && bot.received.length >= 1 && pendingRows(gw!) === 0, 15_000);
    expect(sub.ids).toEqual(['alr_staged']);
    expect(bot.received).toHaveLength(1);
    expect(bot.received[0]).toContain('同一事务中的消息');
  });
});
