/**
 * End to end: a simulated bike shed (smoke/heat/CO/H₂ sensors and a charging controller) runs into
 * a battery thermal runaway; its messages go over real MQTT into the gateway, and the models stage
 * raises `fire_risk` naming the faulty port before visible smoke, then `fire`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../../../../gateway/src/contracts/alerts.ts';
import { SimulationEngine } from '../../../../simulators/core/engine.ts';
import { DEFAULT_NOISE } from '../../../../simulators/simulation.ts';
import { ShedActor } from '../../../../simulators/shed/shed.ts';
import { eventually, startTestGateway, type TestGateway } from '../../../helpers/gateway.ts';
import { TEST_EPOCH } from '../../../helpers/clock.ts';

let gw: TestGateway;
const detections: Detection[] = [];

beforeAll(async () => {
  gw = await startTestGateway();
  gw.gateway.ctx.bus.on('detectionRaised', (d) => {
    if (d.source.model?.startsWith('fire-fusion@')) detections.push(d);
  });
});
afterAll(() => gw?.stop());

describe('fire-fusion over MQTT', () => {
  it('names the runaway port in fire_risk before smoke, then raises fire', async () => {
    const site = gw.gateway.ctx.site.site;
    const place = site.places.find((p) => p.id === 'shed-1')!;
    const devices = gw.gateway.ctx.site.allDevices().filter((d) => d.place === 'shed-1');
    const sensors = devices.filter((d) => d.kind === 'smoke_sensor');
    const charger = devices.find((d) => d.kind === 'charging_controller')!;
    // The scenario ends at the test epoch, not at "now" after the gateway's start: the simulated
    // runaway depends on its exact start instant, so the scene must not move with machine speed.
    const now = TEST_EPOCH;
    const onset = now - 25 * 60_000;
    const engine = new SimulationEngine({
      site,
      seed: 'e2e-shed',
      startMs: onset - 2.5 * 3_600_000,
      endMs: now - 60_000,
      noise: DEFAULT_NOISE,
    });
    engine.addActor(new ShedActor(engine, place, sensors, charger, [{ at: onset, port: 7 }]));
    const messages = [...engine.messages()];
    const truth = engine.truthRecords.find((r) => r.kind === 'thermal_runaway')!;
    const smokeAt = (truth.details!.milestones as { smoke: number }).smoke;
    const clients = new Map<string, Awaited<ReturnType<TestGateway['connect']>>>();
    for (const d of [...sensors, charger]) clients.set(d.id, await gw.connect(d.id));
    for (const m of messages) await clients.get(m.deviceId)!.publishAsync(m.topic, m.payload, { qos: 1 });

    const risk = await eventually(() => detections.find((d) => d.kind === 'fire_risk'), 10_000);
    expect(risk.evidence.suspectPort).toBe(7);
    expect(risk.evidence.chargerDeviceId).toBe(charger.id);
    expect(risk.eventTs).toBeLessThan(smokeAt);
    expect(risk.location.place).toBe('shed-1');
    expect(risk.severity).toBe('major');
    const fire = await eventually(() => detections.find((d) => d.kind === 'fire'), 10_000);
    expect(fire.severity).toBe('critical');
    expect(fire.eventTs).toBeGreaterThan(risk.eventTs);
    // One fire_risk and one fire for one runaway, not one per reading.
    expect(detections.filter((d) => d.kind === 'fire_risk')).toHaveLength(1);
    expect(detections.filter((d) => d.kind === 'fire')).toHaveLength(1);
  });
});
