/**
 * The MQTT outbox in process: rows are staged in the transaction that stores the alert (a rolled
 * back change leaves none), and while the broker refuses publishes they wait and then go out in
 * the order they were stored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Transport } from '../../../gateway/src/transport/transport.ts';
import { eventually } from '../../helpers/gateway.ts';
import { offline, shedFire, startAlertingGateway, type AlertingTestGateway } from '../alerting/fixtures.ts';

let gw: AlertingTestGateway;
afterEach(async () => gw?.stop());

interface Row {
  seq: number;
  what: string;
  topic: string;
  payload: string;
  sent_at: number | null;
}
const rows = (): Row[] =>
  gw.gateway.ctx.stores.db.prepare("SELECT * FROM outbox WHERE kind = 'mqtt' ORDER BY seq").all() as Row[];

describe('MQTT outbox', () => {
  it('stages in the storing transaction: committed before it is announced, gone if rolled back', async () => {
    gw = await startAlertingGateway();
    const stagedAtAnnounce: boolean[] = [];
    gw.gateway.ctx.bus.on('alertRaised', (a) =>
      stagedAtAnnounce.push(rows().some((r) => r.what === 'alert' && r.payload.includes(`"id":"${a.id}"`))),
    );
    gw.raise(shedFire());
    await eventually(() => rows().length > 0 && rows().every((r) => r.sent_at !== null));
    expect(stagedAtAnnounce).toEqual([true]);

    const core = gw.alerting.running.core;
    const [stored] = core.store.listAlerts({ limit: 1 });
    const before = rows().length;
    expect(() =>
      core.work(() => {
        core.emitAlert({ ...stored!, id: 'alr_rolled_back' });
        throw new Error('the change fails after staging');
      }),
    ).toThrow(/fails after staging/);
    expect(rows()).toHaveLength(before);
    expect(rows().some((r) => r.payload.includes('alr_rolled_back'))).toBe(false);
  });

  it('holds messages while the broker refuses them and then publishes them in order, once each', async () => {
    gw = await startAlertingGateway();
    const sub = await gw.connect('dashboard');
    const got: Array<{ topic: string; id: string }> = [];
    await sub.subscribeAsync(['weige/alerts/#', 'weige/incidents/#'], { qos: 1 });
    sub.on('message', (topic, payload) =>
      got.push({ topic, id: String((JSON.parse(payload.toString()) as { id: string }).id) }),
    );

    const transport = gw.gateway.ctx.transport as { publish: Transport['publish'] };
    const publish = transport.publish.bind(transport);
    let refused = 0;
    transport.publish = (topic, payload, options) => {
      if (topic.startsWith('weige/alerts/') || topic.startsWith('weige/incidents/')) {
        refused++;
        return Promise.reject(new Error('broker unavailable'));
      }
      return publish(topic, payload, options);
    };
    gw.raise(shedFire());
    gw.raise(offline('smoke-shed-1', 'shed-1'));
    gw.raise(offline('charger-shed-2', 'shed-2'));
    await eventually(() => refused >= 2);
    const staged = rows();
    expect(staged.length).toBeGreaterThanOrEqual(5);
    expect(staged.every((r) => r.sent_at === null)).toBe(true);
    const metrics = await fetch(`${gw.http}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(new RegExp(`weige_channel_mqtt_outbox_pending ${staged.length}\\b`));
    expect(got).toEqual([]);

    transport.publish = publish;
    await eventually(() => got.length >= staged.length, 15_000);
    expect(got.map((m) => m.topic)).toEqual(staged.map((r) => r.topic));
    expect(got.map((m) => m.id)).toEqual(
      staged.map((r) => String((JSON.parse(r.payload) as { id: string }).id)),
    );
    await eventually(() => rows().every((r) => r.sent_at !== null));
    expect(rows()).toHaveLength(staged.length);
  });
});
