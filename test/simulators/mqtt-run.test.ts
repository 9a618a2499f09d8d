import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbsenceAnnouncer } from '../../simulators/core/api-announcer.ts';
import { runOverMqtt } from '../../simulators/core/mqtt-runner.ts';
import type { Scenario } from '../../simulators/scenario/types.ts';
import { createSimulation } from '../../simulators/simulation.ts';
import { eventually, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { testNow } from '../helpers/clock.ts';
import type { CommandResult } from '../../gateway/src/contracts/events.ts';

/** A short slice of community life, every model on, 1 % of messages deliberately malformed. */
const SCENARIO: Scenario = {
  version: 1,
  name: 'mqtt-smoke',
  seed: 99,
  duration: '3h',
  start: 'end-at-now',
  speed: 'fast',
  models: { households: 25 },
  noise: { malformedRate: 0.01, lateRate: 0 },
  incidents: [
    { kind: 'thrown_object', camera: 'cam-b11-south', floor: 7, object: 'flower_pot', at: '1h' },
    { kind: 'fire_lane_blocked', place: 'fire-lane-2', at: '2h', dwell: '30m' },
  ],
};

type Readings = Array<{ deviceId: string; values: Record<string, number> }>;
type DeadLetters = {
  counts: Record<string, number>;
  items: Array<{ reason: string; deviceId: string | null }>;
};

// Three hours of a community's messages over real MQTT: about 10 s alone, several times that on a
// loaded 2-core machine.
describe('simulator → real MQTT → gateway', { timeout: 120_000 }, () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('readings of every model are stored, and only the deliberately malformed messages are dead-lettered', async () => {
    const sim = createSimulation({
      site: gw.gateway.ctx.settings.siteFile,
      scenario: SCENARIO,
      now: testNow(),
    });
    const result = await runOverMqtt(sim.engine, { brokerUrl: gw.mqttUrl, speed: 'fast' });
    expect(result.publishErrors).toBe(0);
    expect(result.messages).toBeGreaterThan(1000);
    // Counted as published: a command the gateway sends near the end may be answered (and that
    // answer malformed) after the last message went out.
    const malformed = result.malformedSent;
    expect(malformed).toBeGreaterThan(0);
    expect(malformed).toBeLessThanOrEqual(sim.engine.stats.malformed);

    const devices = ['smoke-shed-3', 'charger-shed-2', 'heat-shed-1'];
    for (const id of devices) {
      const res = await eventually(async () => {
        const r = await gw.api<Readings>('GET', `/api/devices/${id}/readings`, { user: 'engineer' });
        return r.status === 200 && r.body.length > 100 ? r : null;
      }, 15_000);
      expect(res.body[0]!.deviceId).toBe(id);
    }
    // The ctwing-smoke sensor's %/m obscuration arrives as dB/m.
    const smoke = await gw.api<Readings>('GET', '/api/devices/smoke-shed-3/readings', { user: 'engineer' });
    expect(smoke.body.every((r) => r.values.smoke_db_m !== undefined && r.values.smoke_db_m < 5)).toBe(true);
    // Water meters: hourly canonical registers and Sanchuan daily batches (3 h of data, ~25 homes).
    const db = gw.gateway.ctx.stores.db;
    const meters = db
      .prepare("SELECT DISTINCT device_id AS id FROM readings WHERE kind = 'water_meter'")
      .all() as Array<{ id: string }>;
    expect(meters.length).toBeGreaterThan(5);
    const meterReadings = await gw.api<Readings>('GET', `/api/devices/${meters[0]!.id}/readings`, {
      user: 'engineer',
    });
    expect(meterReadings.body[0]!.values.total_m3).toBeGreaterThan(0);

    const dead = await eventually(async () => {
      const r = await gw.api<DeadLetters>('GET', '/api/dead-letters?limit=10000', { user: 'engineer' });
      const total = Object.values(r.body.counts).reduce((s, n) => s + n, 0);
      return total >= malformed ? r.body : null;
    }, 30_000);
    expect(dead.counts).toEqual({ malformed_json: malformed });
    // The façade cameras' tracks, and camera events (the fire lane, the Hikvision camera's throw) made it in too.
    const tracks = db.prepare('SELECT COUNT(DISTINCT device_id) AS n FROM tracks').get() as { n: number };
    expect(tracks.n).toBe(3);
    const events = db.prepare('SELECT DISTINCT device_id AS id, type FROM device_events').all() as Array<{
      id: string;
      type: string;
    }>;
    expect(events).toContainEqual({ id: 'cam-fire-lane-2', type: 'fire_lane_blocked' });
  });

  it("obeys the gateway's charging_power command and answers on command/result", async () => {
    const sim = createSimulation({
      site: gw.gateway.ctx.settings.siteFile,
      scenario: {
        ...SCENARIO,
        name: 'mqtt-command',
        duration: '30m',
        models: { water: false, cameras: false, places: false },
        noise: {},
        incidents: [],
      },
      now: testNow(),
    });
    const results: CommandResult[] = [];
    gw.gateway.ctx.bus.on('commandResultReceived', (r) => results.push(r));
    // Paced at 900× so the run lasts about two seconds and is connected when the command comes.
    const run = runOverMqtt(sim.engine, { brokerUrl: gw.mqttUrl, speed: 900 });
    // The runner publishes only once it has subscribed to the controllers' command topics.
    await eventually(() => sim.engine.stats.messages > 0, 10_000);
    await gw.gateway.ctx.transport.publish(
      'weige/charger-shed-2/command',
      JSON.stringify({ id: 'cmd-77', name: 'charging_power', args: { port: 5, on: false } }),
      { qos: 1 },
    );
    await eventually(() => results.find((r) => r.id === 'cmd-77'), 10_000);
    expect(results.find((r) => r.id === 'cmd-77')).toMatchObject({ id: 'cmd-77', ok: true });
    await run;
    // The controller reported port 5 switched off after the command.
    const readings = await gw.api<
      Array<Readings[number] & { port: number | null; ts: string; labels: Record<string, string> }>
    >('GET', '/api/devices/charger-shed-2/readings?port=5&order=desc&limit=1', { user: 'engineer' });
    expect(readings.body[0]!.labels.state).toBe('off');
  });

  it('records announced absences through the API as a grid worker, and leaves unannounced ones out', async () => {
    const site = gw.gateway.ctx.site.site;
    const announcer = new AbsenceAnnouncer({ apiUrl: gw.http, site });
    const sim = createSimulation({
      site,
      scenario: {
        ...SCENARIO,
        name: 'absences',
        duration: '1d',
        models: { households: 0, sheds: false, cameras: false, places: false },
        incidents: [
          { kind: 'absence', household: 'B7-2-401', at: '2h', for: '3d', reason: 'hospital' },
          { kind: 'absence', household: 'B7-2-202', at: '5h', for: '1d', announced: false },
        ],
      },
      onTruth: (r) => announcer.handle(r),
      now: testNow(),
    });
    await announcer.flush();
    expect(announcer.failed).toBe(0);
    const announced = await gw.api<Array<{ householdId: string; reason: string; from: string }>>(
      'GET',
      '/api/households/B7-2-401/absences',
      // Absences are personal data: the household's care worker reads them, an admin may not.
      { user: 'mg2-care-a' },
    );
    expect(announced.body).toHaveLength(1);
    expect(announced.body[0]).toMatchObject({ householdId: 'B7-2-401', reason: 'hospital' });
    expect(Date.parse(announced.body[0]!.from)).toBe(sim.startMs + 2 * 3600_000);
    const silent = await gw.api<unknown[]>('GET', '/api/households/B7-2-202/absences', {
      user: 'mg2-care-a',
    });
    expect(silent.body).toHaveLength(0);
  });
});
