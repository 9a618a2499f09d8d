/**
 * A battery running away on port 7 of bike shed 1, simulated device by device over MQTT: the
 * models stage raises `fire_risk` naming port 7, and alerting cuts THAT port on the shed's
 * charging controller at once — before anyone accepts the incident — then the whole shed when
 * the fire is confirmed. The controller is an MQTT client that answers its commands.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulationEngine } from '../../simulators/core/engine.ts';
import { DEFAULT_NOISE } from '../../simulators/simulation.ts';
import { ShedActor } from '../../simulators/shed/shed.ts';
import { eventually, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { TEST_EPOCH } from '../helpers/clock.ts';

let gw: TestGateway;
afterEach(async () => gw?.stop());

interface Command {
  id: string;
  name: string;
  args: { port?: number; on: boolean };
  at: number;
}

describe('end to end: a suspect charging port is cut before a person is involved', () => {
  it('cuts port 7 within 2 s of the fire_risk decision, then the whole shed on fire', async () => {
    gw = await startTestGateway();
    const site = gw.gateway.ctx.site;
    const place = site.place('shed-1')!;
    const devices = site.allDevices().filter((d) => d.place === 'shed-1');
    const sensors = devices.filter((d) => d.kind === 'smoke_sensor');
    const chargerDevice = devices.find((d) => d.kind === 'charging_controller')!;
    const decided = new Map<string, number>();
    gw.gateway.ctx.bus.on('detectionRaised', (d) => {
      if (d.source.model && !decided.has(d.kind)) decided.set(d.kind, performance.now());
    });

    const received: Command[] = [];
    const controller = await gw.connect(chargerDevice.id);
    await controller.subscribeAsync(`weige/${chargerDevice.id}/command`, { qos: 1 });
    const clients = new Map([[chargerDevice.id, controller]]);
    for (const d of sensors) clients.set(d.id, await gw.connect(d.id));
    controller.on('message', (_t, payload) => {
      const c = JSON.parse(payload.toString()) as Omit<Command, 'at'>;
      received.push({ ...c, at: performance.now() });
      // Fire and forget, as a controller does: a reply in flight when the test ends is dropped.
      controller.publish(`weige/${chargerDevice.id}/command/result`, JSON.stringify({ id: c.id, ok: true }), {
        qos: 1,
      });
    });

    // The scenario ends at the test epoch, not at "now" after the gateway's start: the simulated
    // runaway depends on its exact start instant, so the scene must not move with machine speed.
    const now = TEST_EPOCH;
    const onset = now - 25 * 60_000;
    const engine = new SimulationEngine({
      site: site.site,
      seed: 'e2e-port-cutoff',
      startMs: onset - 2.5 * 3_600_000,
      endMs: now - 60_000,
      noise: DEFAULT_NOISE,
    });
    engine.addActor(new ShedActor(engine, place, sensors, chargerDevice, [{ at: onset, port: 7 }]));
    for (const m of engine.messages())
      await clients.get(m.deviceId)!.publishAsync(m.topic, m.payload, { qos: 1 });

    const portCut = await eventually(() => received.find((c) => c.args.port === 7), 15_000);
    expect(portCut).toMatchObject({ name: 'charging_power', args: { port: 7, on: false } });
    expect(portCut.at - decided.get('fire_risk')!).toBeLessThan(2000);

    // The shed's one incident: opened by the pre-alarm, grown into the fire when it came.
    type Row = {
      id: string;
      kind: string;
      severity: string;
      location: { place: string | null };
      acceptedBy: string | null;
      commands: Array<{ args: { port?: number }; status: string }>;
    };
    const shedIncidents = async (): Promise<Row[]> =>
      (await gw.api<Row[]>('GET', '/api/incidents', { user: 'mg1-responder-a' })).body.filter(
        (i) => i.location.place === 'shed-1',
      );
    const incident = await eventually(async () => {
      const cut = (await shedIncidents()).find((i) => i.commands[0]?.args.port === 7);
      return cut?.commands[0]?.status === 'confirmed' ? cut : null;
    });
    expect(incident.acceptedBy).toBeNull();

    // The fire is confirmed later: the whole shed's charging goes off, on the same incident.
    const whole = await eventually(() => received.find((c) => c.args.port === undefined), 15_000);
    expect(whole.args).toEqual({ on: false });
    const grown = await eventually(async () => {
      const list = await shedIncidents();
      return list.length === 1 && list[0]!.kind === 'fire' ? list[0]! : null;
    });
    expect(grown).toMatchObject({ id: incident.id, severity: 'critical' });
  });
});
