/**
 * The Weige Node-RED nodes under node-red-node-test-helper, wired to a real gateway's broker
 * through Node-RED's own mqtt-broker config node, logged in as the `node-red` service account.
 */
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../../gateway/src/contracts/alerts.ts';
import { DEMO_SERVICE_PASSWORD, eventually, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { RulesModule } from '../../gateway/src/detectors/rules/module.ts';
import { testNow } from '../helpers/clock.ts';

const require = createRequire(import.meta.url);
const helper = require('node-red-node-test-helper');
const mqttNode = require('@node-red/nodes/core/network/10-mqtt.js');
const weigeIn = require('../../node-red/node-red-contrib-weige/nodes/weige-in.js');
const weigeRaise = require('../../node-red/node-red-contrib-weige/nodes/weige-raise.js');

interface TestNode {
  connected?: boolean;
  receive(msg: unknown): void;
  on(event: string, fn: (arg: unknown) => void): void;
}

helper.init(require.resolve('node-red'));

describe('weige Node-RED nodes (test helper)', () => {
  let gw: TestGateway;
  const detections: Detection[] = [];

  beforeAll(async () => {
    // Only the rules stage, which owns the Node-RED bridge.
    gw = await startTestGateway({}, { modules: [() => new RulesModule()] });
    gw.gateway.ctx.bus.on('detectionRaised', (d) => detections.push(d));
    await new Promise<void>((resolve) => helper.startServer(resolve));
  });
  afterEach(async () => {
    await helper.unload();
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => helper.stopServer(resolve));
    await gw.stop();
  });

  const broker = () => ({
    id: 'b1',
    type: 'mqtt-broker',
    broker: '127.0.0.1',
    port: String(gw.gateway.mqttPort),
    protocolVersion: '4',
    autoConnect: true,
    cleansession: true,
    keepalive: '60',
  });
  const credentials = { b1: { user: 'node-red', password: DEMO_SERVICE_PASSWORD } };

  it('weige-raise turns a reading into a gateway detection with rule node-red:<flowId>', async () => {
    const flow = [
      broker(),
      {
        id: 'r1',
        type: 'weige-raise',
        broker: 'b1',
        flowId: 'shed-watch',
        kind: 'fire_risk',
        severity: 'major',
        titleZh: '充电口过热',
        titleEn: 'Port overheating',
        wires: [['out']],
      },
      { id: 'out', type: 'helper' },
    ];
    await helper.load([mqttNode, weigeRaise], flow, credentials);
    await eventually(() => helper.getNode('b1').connected, 10_000);
    const out = helper.getNode('out') as TestNode;
    const sent = new Promise<{ detection: { kind: string } }>((resolve) =>
      out.on('input', (m) => resolve(m as never)),
    );
    const ts = testNow() - 1000;
    (helper.getNode('r1') as TestNode).receive({
      payload: {
        deviceId: 'charger-shed-1',
        ts,
        port: 4,
        values: { temp_c: 61 },
        labels: { state: 'charging' },
      },
    });
    expect((await sent).detection.kind).toBe('fire_risk');
    const d = await eventually(() => detections.find((x) => x.source.rule === 'node-red:shed-watch'));
    expect(d).toMatchObject({
      kind: 'fire_risk',
      severity: 'major',
      eventTs: ts,
      source: { deviceId: 'charger-shed-1', rule: 'node-red:shed-watch', model: null },
      location: { place: 'shed-1' },
      title: { 'zh-CN': '充电口过热', en: 'Port overheating' },
    });
    expect(d.evidence).toMatchObject({ flowId: 'shed-watch', input: { port: 4 } });
  });

  it('weige-raise refuses a detection without a valid kind, with done(err)', async () => {
    const flow = [
      broker(),
      {
        id: 'r2',
        type: 'weige-raise',
        broker: 'b1',
        kind: 'Fire!',
        severity: 'minor',
        titleZh: 'x',
        wires: [],
      },
    ];
    await helper.load([mqttNode, weigeRaise], flow, credentials);
    await eventually(() => helper.getNode('b1').connected, 10_000);
    const node = helper.getNode('r2') as TestNode;
    const error = new Promise<unknown>((resolve) => node.on('call:error', resolve));
    node.receive({ payload: 'hello' });
    const call = (await error) as { args: unknown[] };
    // The helper loads no message catalogues, so the error shows its catalogue key.
    expect(String(call.args[0])).toContain('weige-raise.errors.bad-kind');
  });

  it('weige-in delivers canonical readings of a vendor device, and alerts', async () => {
    const flow = [
      broker(),
      {
        id: 'in1',
        type: 'weige-in',
        broker: 'b1',
        stream: 'readings',
        site: 'chunjiang',
        filter: 'smoke-shed-3',
        wires: [['o1']],
      },
      {
        id: 'in2',
        type: 'weige-in',
        broker: 'b1',
        stream: 'alerts',
        site: 'chunjiang',
        filter: '',
        wires: [['o2']],
      },
      { id: 'o1', type: 'helper' },
      { id: 'o2', type: 'helper' },
    ];
    await helper.load([mqttNode, weigeIn], flow, credentials);
    await eventually(() => helper.getNode('b1').connected, 10_000);
    const readings: Array<{
      payload: { deviceId: string; values: Record<string, number> };
      weige: { key: string };
    }> = [];
    const alerts: Array<{ payload: { kind: string }; weige: { key: string } }> = [];
    (helper.getNode('o1') as TestNode).on('input', (m) => readings.push(m as never));
    (helper.getNode('o2') as TestNode).on('input', (m) => alerts.push(m as never));
    const device = await gw.connect('smoke-shed-3');
    // smoke-shed-3 speaks CTWing (obscuration %/m); the flow sees canonical dB/m.
    await eventually(async () => {
      await device.publishAsync(
        'weige/smoke-shed-3/telemetry',
        JSON.stringify({
          timestamp: testNow(),
          messageType: 'dataReport',
          payload: { serviceData: { smoke_obscuration: 1, temperature: 21 } },
        }),
        { qos: 1 },
      );
      await gw.gateway.ctx.transport.publish(
        'weige/alerts/chunjiang/fire',
        JSON.stringify({ id: 'a1', kind: 'fire' }),
        { qos: 1 },
      );
      await new Promise((r) => setTimeout(r, 100));
      return readings.length > 0 && alerts.length > 0;
    }, 10_000);
    expect(readings[0]!.payload).toMatchObject({
      deviceId: 'smoke-shed-3',
      values: { temp_c: 21, smoke_db_m: 0.0436 },
    });
    expect(readings[0]!.weige.key).toBe('smoke-shed-3');
    expect(alerts[0]).toMatchObject({ payload: { kind: 'fire' }, weige: { key: 'fire' } });
  });

  it('ships an example flow that wires only known nodes to each other', () => {
    const flow = require('../../node-red/node-red-contrib-weige/examples/hot-charging-port.json') as Array<{
      id: string;
      type: string;
      z?: string;
      broker?: string;
      wires?: string[][];
    }>;
    const ids = new Set(flow.map((n) => n.id));
    expect(new Set(flow.map((n) => n.type))).toEqual(
      new Set(['tab', 'mqtt-broker', 'weige-in', 'switch', 'weige-raise', 'debug']),
    );
    for (const n of flow)
      for (const target of (n.wires ?? []).flat()) expect(ids.has(target), `${n.id} → ${target}`).toBe(true);
    const weigeNodes = flow.filter((n) => n.type.startsWith('weige-'));
    expect(weigeNodes.map((n) => ids.has(n.broker ?? ''))).toEqual(weigeNodes.map(() => true));
    const onTabs = flow.filter((n) => n.type !== 'tab' && n.type !== 'mqtt-broker');
    expect(onTabs.filter((n) => !n.z || !ids.has(n.z)).map((n) => n.id)).toEqual([]);
  });
});
