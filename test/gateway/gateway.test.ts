/** Gateway start order: work resumed from the store runs only once the transport can carry it. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertingModule } from '../../gateway/src/alerting/module.ts';
import { createChannelsModule } from '../../gateway/src/channels/module.ts';
import type { GatewayModule } from '../../gateway/src/module.ts';
import { RunningClock } from '../helpers/clock.ts';
import { eventually, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
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
