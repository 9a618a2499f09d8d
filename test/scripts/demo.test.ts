/**
 * `npm run demo` beside a running gateway: it drives that gateway instead of dying on its ports,
 * and when the ports are taken by another program it starts its own gateway on free ones. Either
 * way its banner says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, makeDataDir, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { scrapeMetrics } from '../helpers/metrics.ts';

let gw: TestGateway | null = null;
let demo: ChildProcess | null = null;
let blocker: net.Server | null = null;
afterEach(async () => {
  demo?.kill('SIGKILL');
  demo = null;
  await gw?.stop();
  gw = null;
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = null;
});

/** Starts the demo with these settings; `output()` is what it has printed so far. */
function startDemo(env: Record<string, string>): { output: () => string } {
  let out = '';
  demo = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, WEIGE_LOG_LEVEL: 'warn', WEIGE_DEMO_SCENARIO: lightScenario(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  demo.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return { output: () => out };
}

const portOf = (url: string): number => Number(new URL(url).port);

/** A light stand-in for demo.yaml: a few site devices at a low rate (the demo's own scenario back-fills 36 h). */
function lightScenario(): string {
  const file = path.join(makeDataDir(), 'light.yaml');
  writeFileSync(
    file,
    'version: 1\nname: light\nseed: 1\nduration: 10m\nstart: now\nspeed: 1\nload:\n  devices: 20\n  rate: 20\n',
  );
  return file;
}

describe('npm run demo', () => {
  it('drives a gateway that is already running, and says so', async () => {
    gw = await startTestGateway();
    const running = gw;
    const { output } = startDemo({
      WEIGE_HTTP_PORT: String(portOf(gw.http)),
      WEIGE_MQTT_PORT: String(portOf(gw.mqttUrl)),
      WEIGE_DATA_DIR: gw.dataDir,
      WEIGE_DEMO_TRUTH: path.join(makeDataDir(), 'truth.jsonl'),
    });
    await eventually(() => (output().includes('MQTT') ? true : null), 30_000);
    expect(output()).toContain(
      `a gateway already runs at http://127.0.0.1:${portOf(gw.http)}: the demo drives it`,
    );
    expect(output()).toContain(`MQTT           mqtt://127.0.0.1:${portOf(gw.mqttUrl)}`);
    expect(output()).not.toMatch(/EADDRINUSE/);
    // The simulator's messages reach the running gateway.
    const received = await eventually(async () => {
      const n = (await scrapeMetrics(running.http)).sum('weige_messages_received_total', {});
      return n > 100 ? n : null;
    }, 30_000);
    expect(received).toBeGreaterThan(100);
  }, 90_000);

  it('starts its own gateway on free ports when another program holds them, and says so', async () => {
    // Another program on the port: it accepts and hangs up, as a non-HTTP service would.
    blocker = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', () => resolve()));
    const taken = (blocker.address() as net.AddressInfo).port;
    const { output } = startDemo({
      WEIGE_HTTP_HOST: '127.0.0.1',
      WEIGE_MQTT_HOST: '127.0.0.1',
      WEIGE_HTTP_PORT: String(taken),
      WEIGE_MQTT_PORT: String(taken),
      WEIGE_DATA_DIR: makeDataDir(),
    });
    const banner = await eventually(() => (output().includes('ground truth') ? output() : null), 60_000);
    expect(banner).toContain(`port ${taken} is taken by another program: the demo gateway uses a free port`);
    expect(banner).toContain(`port ${taken} is taken by another program: the demo broker uses a free port`);
    const api = /dashboard\/API {2}http:\/\/localhost:(\d+)/.exec(banner)![1]!;
    expect(Number(api)).not.toBe(taken);
    const health = await fetch(`http://127.0.0.1:${api}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { site: string }).site).toBe('chunjiang');
  }, 90_000);
});
