/**
 * The simulated charging controller answers a cut-off at once in a live run (issue 17): its
 * answer used to wait in the time-ordered outbox behind its next scheduled report, so in the demo
 * (real time) the gateway's command timed out four times and opened "断电指令未确认".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOverMqtt } from '../../simulators/core/mqtt-runner.ts';
import { createSimulation } from '../../simulators/simulation.ts';
import { eventually, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { testNow } from '../helpers/clock.ts';
import type { CommandResult } from '../../gateway/src/contracts/events.ts';

describe('simulated charger on real MQTT', { timeout: 60_000 }, () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('answers a charging_power command at once, not behind its next scheduled report', async () => {
    const sim = createSimulation({
      site: gw.gateway.ctx.settings.siteFile,
      scenario: {
        version: 1,
        name: 'live-command',
        seed: 5,
        duration: '2h',
        start: 'end-at-now',
        speed: 1,
        models: { water: false, cameras: false },
        noise: {},
        incidents: [],
      },
      now: testNow(),
    });
    const results: Array<CommandResult & { at: number }> = [];
    gw.gateway.ctx.bus.on('commandResultReceived', (r) => results.push({ ...r, at: performance.now() }));
    // A thousandth of real time: the next scheduled report is tens of minutes of wall clock away.
    const stop = new AbortController();
    const run = runOverMqtt(sim.engine, { brokerUrl: gw.mqttUrl, speed: 0.001, signal: stop.signal });
    await eventually(() => sim.engine.stats.messages > 0, 10_000);
    const sentAt = performance.now();
    await gw.gateway.ctx.transport.publish(
      'weige/charger-shed-1/command',
      JSON.stringify({ id: 'cmd-live', name: 'charging_power', args: { port: 3, on: false } }),
      { qos: 1 },
    );
    const answer = await eventually(() => results.find((r) => r.id === 'cmd-live'), 10_000);
    stop.abort();
    await run;
    expect(answer).toMatchObject({ id: 'cmd-live', deviceId: 'charger-shed-1', ok: true });
    // The controller's own 150 ms latency, at this pace, is far below a second of wall clock.
    expect(answer.at - sentAt).toBeLessThan(3000);
  });
});
