/**
 * Replay = live (issue 16): the same stretch of the mixed-month community fed once at its own
 * pace — each message arriving at its time through the live ingest path (admission, group
 * commit), everything it caused settled before the next — and once as fast as the backfill goes
 * (2000 messages a transaction) raises the same alerts, the same incidents with the same
 * histories, and leaves the same timers pending. Every timer involved (rule `for:` and fire-lane
 * dwell, device silence, command timeouts, escalation and reminders) runs on the data's clock.
 *
 * A shortened slice: the whole month takes minutes here, so this is mixed-month's community,
 * noise and faults over 12 hours, with its incident kinds compressed into them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Backfill, type RecordedMessage } from '../../gateway/src/backfill.ts';
import { loadSiteFile, EXAMPLE_SITE_FILE } from '../../gateway/src/site/site-loader.ts';
import { ManualClock, SystemClock } from '../../gateway/src/core/clock.ts';
import { createRootLogger } from '../../gateway/src/core/logger.ts';
import { Gateway } from '../../gateway/src/gateway.ts';
import { loadScenarioFile } from '../../simulators/scenario/load.ts';
import type { Scenario } from '../../simulators/scenario/types.ts';
import { createSimulation } from '../../simulators/simulation.ts';
import { TEST_EPOCH } from '../helpers/clock.ts';

type Row = Record<string, unknown>;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function slice(): Scenario {
  const month = loadScenarioFile('simulators/scenarios/mixed-month.yaml', loadSiteFile(EXAMPLE_SITE_FILE));
  return {
    ...month,
    name: 'mixed-month-slice',
    duration: '12h',
    start: new Date(TEST_EPOCH - 12 * 3600_000).toISOString(),
    noise: { ...month.noise, distractorScale: 0.2 },
    faults: {
      ...month.faults,
      scripted: [
        ...(month.faults?.scripted ?? []).filter((f) => f.kind !== 'sensor_fault'),
        // Offline long enough for the silence check to see it (device_offline).
        { kind: 'offline', device: 'smoke-shed-2', at: '2h', for: '6h' },
      ],
    },
    randomIncidents: {
      thermal_runaway: 1,
      thrown_object: 2,
      tap_running: 1,
      leak: 1,
      littering: 2,
      fire_lane_blocked: 3,
    },
  };
}

function newGateway(clock: ManualClock): Promise<Gateway> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'weige-backfill-'));
  dirs.push(dataDir);
  return Gateway.open({
    env: {},
    settings: { dataDir, httpHost: '127.0.0.1', httpPort: 0, mqttHost: '127.0.0.1', mqttPort: 0 },
    logger: createRootLogger('silent'),
    clock,
    housekeepingClock: new SystemClock(),
  });
}

/** What a run raised, without the random incident ids. */
function outcome(gateway: Gateway) {
  const { db } = gateway.ctx.stores;
  const incidentKey = new Map(
    (db.prepare('SELECT id, dedupe_key, created_at FROM alerting_incidents').all() as Row[]).map((r) => [
      r.id,
      `${r.dedupe_key}@${r.created_at}`,
    ]),
  );
  const ref = (id: unknown): string | null => (id ? (incidentKey.get(String(id)) ?? 'missing') : null);
  const sorted = (rows: Row[]): Row[] =>
    rows
      .map((r) => JSON.stringify(r))
      .sort()
      .map((s) => JSON.parse(s) as Row);
  return {
    alerts: sorted(
      (
        db
          .prepare(
            'SELECT id, kind, severity, status, incident_id, dedupe_key, event_ts, detected_at FROM alerting_alerts',
          )
          .all() as Row[]
      ).map(({ incident_id, ...a }) => ({ ...a, incident: ref(incident_id) })),
    ),
    incidents: sorted(
      (
        db
          .prepare(
            'SELECT id, kind, state, grid_node, dedupe_key, created_at, updated_at FROM alerting_incidents',
          )
          .all() as Row[]
      ).map(({ id, ...i }) => ({ ...i, key: ref(id) })),
    ),
    history: sorted(
      (
        db
          .prepare('SELECT incident_id, at, type, by, from_state, to_state FROM alerting_history')
          .all() as Row[]
      ).map(({ incident_id, ...h }) => ({ ...h, incident: ref(incident_id) })),
    ),
    timers: sorted(
      (db.prepare('SELECT incident_id, kind, due_at FROM alerting_timers').all() as Row[]).map(
        ({ incident_id, ...t }) => ({ ...t, incident: ref(incident_id) }),
      ),
    ),
  };
}

describe('backfill', () => {
  const scenario = slice();
  const sim = createSimulation({ site: EXAMPLE_SITE_FILE, scenario, now: TEST_EPOCH });
  const messages: RecordedMessage[] = [...sim.engine.messages()].map((m) => ({
    at: m.at,
    topic: m.topic,
    payload: m.payload,
  }));

  it('raises the alerts and incidents of the same data fed live at its own pace', async () => {
    const pacedClock = new ManualClock(sim.startMs);
    const paced = await newGateway(pacedClock);
    await paced.start();
    for (const m of messages) {
      pacedClock.advanceTo(m.at);
      await paced.ingest.enqueue({
        topic: m.topic,
        payload: Buffer.from(m.payload),
        receivedAt: m.at,
        trusted: true,
      });
      await paced.settle();
    }
    pacedClock.advanceTo(sim.endMs);
    await paced.settle();
    const live = outcome(paced);
    await paced.stop();

    const fastClock = new ManualClock(sim.startMs);
    const fast = await newGateway(fastClock);
    await fast.start();
    const result = await new Backfill({ gateway: fast, clock: fastClock }).run(messages, sim.endMs);
    const replayed = outcome(fast);
    await fast.stop();

    expect(result.messages).toBe(messages.length);
    // The slice exercises the timers the issue found wrong in an MQTT replay.
    const kinds = new Set(live.alerts.map((a) => a.kind));
    expect(kinds).toContain('fire_lane_blocked');
    expect(kinds).toContain('device_offline');
    expect(live.history.some((h) => h.type === 'escalated')).toBe(true);
    expect(replayed.alerts).toEqual(live.alerts);
    expect(replayed.incidents).toEqual(live.incidents);
    expect(replayed.history).toEqual(live.history);
    expect(replayed.timers).toEqual(live.timers);
  }, 600_000);
});
