/**
 * The priority lane in a running gateway (issue 16): a camera event taken while a backlog of
 * telemetry waits for its commit is stored, acknowledged and turned into an alert before that
 * backlog is committed — and, as every message, it is not acknowledged unless it was stored.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAlertingModule } from '../../../gateway/src/alerting/module.ts';
import { createChannelsModule } from '../../../gateway/src/channels/module.ts';
import { RulesModule } from '../../../gateway/src/detectors/rules/module.ts';
import type { InboundMessage } from '../../../gateway/src/transport/transport.ts';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { testNow } from '../../helpers/clock.ts';

const CAMERA = 'cam-b3-east';
const METER = 'wm-B3-1-1201';
const BACKLOG = 500;
/** Alerting and the rules in the gateway's thread: the order of what happens is one thread's order. */
const ALERT_PATH = {
  modules: [createChannelsModule, createAlertingModule, () => new RulesModule({ placement: 'in-process' })],
};

const message = (topic: string, body: object): InboundMessage => ({
  topic,
  payload: Buffer.from(JSON.stringify(body)),
  receivedAt: testNow(),
  qos: 1,
  // The backlog comes from one meter: exempt from its per-device rate, as a simulator replay is.
  trusted: true,
});

/** A backlog of telemetry, all taken in this turn, then one camera event. */
function backlogThenEvent(gw: TestGateway, at: number) {
  const { ingest } = gw.gateway;
  const backlog = Array.from({ length: BACKLOG }, (_, i) =>
    ingest.enqueue(
      message(`weige/${METER}/telemetry`, { ts: at - (BACKLOG - i) * 1000, total_m3: 10 + i / 1000 }),
    ),
  );
  const event = ingest.enqueue(
    message(`weige/${CAMERA}/event`, {
      ts: at,
      type: 'falling_object',
      confidence: 0.91,
      bbox: [812, 120, 24, 30],
      track_id: 't-lane',
    }),
  );
  return { backlog, event };
}

let gw: TestGateway;
afterEach(async () => {
  vi.restoreAllMocks();
  await gw.stop();
});

describe('priority lane', () => {
  it('commits a camera event and raises its alert before the telemetry backlog queued ahead of it', async () => {
    gw = await startTestGateway({}, ALERT_PATH);
    const order: string[] = [];
    const { bus } = gw.gateway.ctx;
    bus.on('readingAccepted', (r) => void (r.deviceId === METER && order.push('reading')));
    bus.on('deviceEventAccepted', (e) => void (e.deviceId === CAMERA && order.push('event')));
    bus.on('alertRaised', (a) => void (a.kind === 'falling_object' && order.push('alert')));
    const acked: string[] = [];

    const { backlog, event } = backlogThenEvent(gw, testNow() - 86_400_000);
    const all = [
      event.then(() => void acked.push('event')),
      ...backlog.map((p) => p.then(() => void acked.push('reading'))),
    ];
    await Promise.all(all);
    await eventually(() => order.includes('alert') || undefined);

    expect(acked[0]).toBe('event');
    expect(acked.filter((a) => a === 'reading')).toHaveLength(BACKLOG);
    const firstReading = order.indexOf('reading');
    expect(order.indexOf('event')).toBe(0);
    expect(firstReading).toBeGreaterThan(order.indexOf('alert'));
    expect(order.filter((o) => o === 'reading')).toHaveLength(BACKLOG);
  });

  it('does not acknowledge a camera event whose commit failed, while the backlog is stored', async () => {
    gw = await startTestGateway({}, { modules: [] });
    const { events } = gw.gateway.ctx.stores;
    vi.spyOn(events, 'insertEvents').mockImplementation(() => {
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
    });

    const { backlog, event } = backlogThenEvent(gw, testNow() - 86_400_000);
    await expect(event).rejects.toMatchObject({ message: expect.stringContaining('store_unavailable') });
    await Promise.all(backlog);
    vi.restoreAllMocks();
    expect(events.eventsSince(0, 10)).toEqual([]);
    const readings = await gw.api<unknown[]>('GET', `/api/devices/${METER}/readings?limit=1000`, {
      user: 'engineer',
    });
    expect(readings.body).toHaveLength(BACKLOG);
  });
});
