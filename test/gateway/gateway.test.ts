/**
 * Gateway start order: work resumed from the store runs only once the transport can carry it, and
 * a stage that boots in the background (the rules worker) is running before the gateway takes a
 * device message or says it is ready.
 */
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRootLogger } from '../../gateway/src/core/logger.ts';
import { Gateway } from '../../gateway/src/gateway.ts';
import { createAlertingModule } from '../../gateway/src/alerting/module.ts';
import { createChannelsModule } from '../../gateway/src/channels/module.ts';
import type { GatewayModule } from '../../gateway/src/module.ts';
import { RunningClock } from '../helpers/clock.ts';
import { eventually, makeDataDir, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { shedFire, startAlertingGateway, T0 } from './alerting/fixtures.ts';

const S = 1000;
/** A stage that takes a while to start, as the models do while TensorFlow.js loads. */
const SLOW_STAGE: GatewayModule = {
  name: 'slow-stage',
  start: () => new Promise((resolve) => setTimeout(resolve, 200)),
  stop: () => undefined,
};
let gw: TestGateway | null = null;
afterEach(async () => {
  await gw?.stop();
  gw = null;
});

describe('gateway restart', () => {
  it('fires escalations that fell due while it was down only once the broker is up, without errors', async () => {
    const first = await startAlertingGateway();
    gw = first;
    first.raise(shedFire());
    // The charger cut-off went unanswered: its resend is due a second later, while the gateway is down.
    first.clock.advance(3 * S);
    const dataDir = first.dataDir;
    await first.stop({ keepData: true });
    gw = null;

    // Back ten minutes later: the accept timeout is long overdue and fires at once.
    const logged: Array<{ msg: string; err?: { message: string } }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line));
        done();
      },
    });
    gw = await startTestGateway(
      { dataDir },
      {
        clock: new RunningClock(T0 + 600 * S),
        modules: [createChannelsModule, () => createAlertingModule(), () => SLOW_STAGE],
        logger: pino({ level: 'warn' }, sink),
      },
    );
    const restarted = gw;
    const escalated = await eventually(async () => {
      const list = await restarted.api<Array<{ id: string }>>('GET', '/api/incidents?kind=fire', {
        user: 'admin',
      });
      const id = list.body[0]?.id;
      if (!id) return null;
      const res = await restarted.api<{
        history: Array<{ type: string }>;
        commands: Array<{ attempts: number }>;
      }>('GET', `/api/incidents/${id}`, {
        user: 'admin',
      });
      return res.body.history.some((h) => h.type === 'escalated') && res.body.commands[0]!.attempts >= 2
        ? res.body
        : null;
    });
    expect(escalated.history.map((h) => h.type)).toContain('escalated');
    // Nothing failed on the way: no publish into a broker that was not listening yet.
    expect(logged.filter((l) => l.err).map((l) => `${l.msg}: ${l.err!.message}`)).toEqual([]);
  });
});

describe('gateway start with a stage booting in the background', () => {
  /** A stage whose `ready()` settles when the test says; `started` resolves once the API listens. */
  function bootingStage() {
    let settle!: (err?: Error) => void;
    const booted = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(err) : resolve());
    });
    booted.catch(() => undefined);
    let started!: () => void;
    const listening = new Promise<void>((resolve) => (started = resolve));
    const stage: GatewayModule = {
      name: 'booting-stage',
      start: () => started(),
      ready: () => booted,
      stop: () => undefined,
    };
    return { stage, settle, listening };
  }

  const dataDirs: string[] = [];
  afterEach(() => dataDirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const open = (stage: GatewayModule) => {
    const dataDir = makeDataDir();
    dataDirs.push(dataDir);
    return Gateway.open({
      env: {},
      settings: { httpHost: '127.0.0.1', httpPort: 0, mqttHost: '127.0.0.1', mqttPort: 0, dataDir },
      logger: createRootLogger('silent'),
      modules: [() => stage],
    });
  };

  it('neither takes device connections nor says ready until the stage runs', async () => {
    const { stage, settle, listening } = bootingStage();
    const gateway = await open(stage);
    let startDone = false;
    const starting = gateway.start().then(() => (startDone = true));
    await listening;
    const healthz = () => fetch(`http://127.0.0.1:${gateway.httpPort}/healthz`).then((r) => r.status);
    expect(await healthz()).toBe(503);
    expect(gateway.mqttPort).toBe(0);
    expect(startDone).toBe(false);
    settle();
    await starting;
    expect(await healthz()).toBe(200);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      username: 'simulator',
      password: 'weige-service',
      reconnectPeriod: 0,
    });
    await client.endAsync();
    await gateway.stop();
  });

  it('fails to start when the stage cannot boot', async () => {
    const { stage, settle, listening } = bootingStage();
    const gateway = await open(stage);
    const starting = gateway.start();
    await listening;
    settle(new Error('worker exited (code 1)'));
    await expect(starting).rejects.toThrow('worker exited (code 1)');
    await gateway.stop();
  });
});
