/**
 * A real Node-RED runtime (child process, free port, temp user dir) loads the Weige package
 * from the repo and runs a flow — weige in (readings of smoke-shed-1) → weige raise — against
 * a real gateway's broker: a reading published by the device comes back as a detection on the
 * gateway's bus, raised by the flow.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../../gateway/src/contracts/alerts.ts';
import { REPO_ROOT } from '../../gateway/src/config/settings.ts';
import { DEMO_SERVICE_PASSWORD, eventually, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { freePort, waitForPort } from '../helpers/ports.ts';
import { RulesModule } from '../../gateway/src/detectors/rules/module.ts';
import { testNow } from '../helpers/clock.ts';

const require = createRequire(import.meta.url);
const PACKAGE_DIR = path.join(REPO_ROOT, 'node-red/node-red-contrib-weige');

describe('weige nodes in a real Node-RED runtime', () => {
  let gw: TestGateway;
  let userDir: string;
  let child: ChildProcess;
  let uiPort: number;
  let output = '';
  const detections: Detection[] = [];

  beforeAll(async () => {
    // Only the rules stage, which owns the Node-RED bridge.
    gw = await startTestGateway({}, { modules: [() => new RulesModule()] });
    gw.gateway.ctx.bus.on('detectionRaised', (d) => detections.push(d));
    userDir = mkdtempSync(path.join(os.tmpdir(), 'weige-node-red-'));
    uiPort = await freePort();
    writeFileSync(
      path.join(userDir, 'settings.js'),
      `module.exports = ${JSON.stringify({
        uiHost: '127.0.0.1',
        uiPort,
        userDir,
        flowFile: 'flows.json',
        credentialSecret: false,
        nodesDir: [PACKAGE_DIR],
        logging: { console: { level: 'info' } },
        editorTheme: { tours: false },
      })};\n`,
    );
    const flows = [
      { id: 'tab1', type: 'tab', label: 'weige e2e' },
      {
        id: 'b1',
        type: 'mqtt-broker',
        name: 'Weige gateway',
        broker: '127.0.0.1',
        port: String(gw.gateway.mqttPort),
        protocolVersion: '4',
        autoConnect: true,
        cleansession: true,
        keepalive: '60',
      },
      {
        id: 'in1',
        type: 'weige-in',
        z: 'tab1',
        broker: 'b1',
        stream: 'readings',
        site: 'chunjiang',
        filter: 'smoke-shed-1',
        wires: [['raise1']],
      },
      {
        id: 'raise1',
        type: 'weige-raise',
        z: 'tab1',
        broker: 'b1',
        flowId: 'e2e',
        kind: 'fire_risk',
        severity: 'minor',
        titleZh: '流程告警',
        titleEn: 'Flow alert',
        wires: [],
      },
    ];
    writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows));
    writeFileSync(
      path.join(userDir, 'flows_cred.json'),
      JSON.stringify({ b1: { user: 'node-red', password: DEMO_SERVICE_PASSWORD } }),
    );
    child = spawn(
      process.execPath,
      [
        require.resolve('node-red/red.js'),
        '--settings',
        path.join(userDir, 'settings.js'),
        '--userDir',
        userDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    await waitForPort(uiPort, 30_000);
    await eventually(() => output.includes('Started flows'), 30_000);
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await gw?.stop();
    rmSync(userDir, { recursive: true, force: true });
  });

  it('loads the package with its zh-CN and en-US catalogues', async () => {
    expect(output).not.toMatch(/\[weige-(in|raise)\].*error/i);
    const nodes = await (
      await fetch(`http://127.0.0.1:${uiPort}/nodes`, { headers: { accept: 'application/json' } })
    ).json();
    const ours = (nodes as Array<{ module: string; types: string[]; enabled: boolean }>).filter(
      (n) => n.module === 'node-red-contrib-weige',
    );
    expect(ours.flatMap((n) => n.types).sort()).toEqual(['weige-in', 'weige-raise']);
    expect(ours.every((n) => n.enabled)).toBe(true);
    const zh = await (
      await fetch(`http://127.0.0.1:${uiPort}/locales/node-red-contrib-weige/weige-raise?lng=zh-CN`)
    ).json();
    expect(zh).toMatchObject({ 'weige-raise': { label: { kind: '告警类型' } } });
    const en = await (
      await fetch(`http://127.0.0.1:${uiPort}/locales/node-red-contrib-weige/weige-in?lng=en-US`)
    ).json();
    expect(en).toMatchObject({ 'weige-in': { label: { stream: 'Receive' } } });
  });

  it('a reading published by a device is raised by the flow and reaches the gateway bus', async () => {
    const device = await gw.connect('smoke-shed-1');
    const d = await eventually(async () => {
      await device.publishAsync(
        'weige/smoke-shed-1/telemetry',
        JSON.stringify({ ts: testNow(), smoke_db_m: 0.02, temp_c: 21 }),
        {
          qos: 1,
        },
      );
      await new Promise((r) => setTimeout(r, 200));
      return detections.find((x) => x.source.rule === 'node-red:e2e');
    }, 30_000);
    expect(d).toMatchObject({
      kind: 'fire_risk',
      severity: 'minor',
      source: { deviceId: 'smoke-shed-1', rule: 'node-red:e2e' },
      location: { place: 'shed-1', building: 'B2' },
      title: { 'zh-CN': '流程告警', en: 'Flow alert' },
    });
  });

  it('the shipped example flow connects with its own service-account credentials and raises its alert', async () => {
    const example = require('../../node-red/node-red-contrib-weige/examples/hot-charging-port.json') as Array<
      Record<string, unknown>
    >;
    // Deployed as a user imports it (replacing the flow above, so last); only the broker port differs.
    const flows = example.map((n) =>
      n.type === 'mqtt-broker' ? { ...n, port: String(gw.gateway.mqttPort) } : n,
    );
    const deploy = await fetch(`http://127.0.0.1:${uiPort}/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
      body: JSON.stringify(flows),
    });
    expect(deploy.ok).toBe(true);
    const charger = await gw.connect('charger-shed-1');
    const d = await eventually(async () => {
      await charger.publishAsync(
        'weige/charger-shed-1/telemetry',
        JSON.stringify({ ts: testNow(), ports: [{ port: 4, state: 'charging', power_w: 180, temp_c: 61 }] }),
        { qos: 1 },
      );
      await new Promise((r) => setTimeout(r, 200));
      return detections.find((x) => x.source.rule === 'node-red:hot-charging-port');
    }, 30_000);
    expect(d).toMatchObject({ kind: 'fire_risk', severity: 'major', source: { deviceId: 'charger-shed-1' } });
    expect(output).not.toMatch(/connection refused|not authori[sz]ed/i);
  });
});
