/**
 * End to end: a camera publishes a track over real MQTT to `weige/cam-b3-east/track`; the models
 * stage classifies it, traces it to a floor and raises `detectionRaised` with
 * `source.model = falling-object@<version>` within a second. A bird track raises nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../../../../gateway/src/contracts/alerts.ts';
import { listVersions } from '../../../../models/lib/model-store.ts';
import { generateDistractor } from '../../../../simulators/camera/distractors.ts';
import { generateFallTrack, trackPayload } from '../../../../simulators/camera/track.ts';
import { eventually, startTestGateway, type TestGateway } from '../../../helpers/gateway.ts';
import { testNow } from '../../../helpers/clock.ts';

let gw: TestGateway;
const detections: Array<{ d: Detection; at: number }> = [];

beforeAll(async () => {
  gw = await startTestGateway();
  gw.gateway.ctx.bus.on('detectionRaised', (d) => {
    if (d.source.model?.startsWith('falling-object@')) detections.push({ d, at: performance.now() });
  });
});
afterAll(() => gw?.stop());

describe('falling-object over MQTT', () => {
  it('raises a traced falling_object detection from a track message within 1 s', async () => {
    const camera = gw.gateway.ctx.site.device('cam-b3-east')!;
    const sim = generateFallTrack({
      camera: camera.calibration!,
      startTs: testNow() - 20_000,
      rng: 'e2e-pot',
      floor: 9,
      column: 2,
      object: 'flower_pot',
      thrown: false,
      facade: { widthM: 24, windowColumns: 4 },
      ids: { siteId: 'chunjiang', deviceId: camera.id, trackId: 't-e2e-1' },
    })!;
    const client = await gw.connect(camera.id);
    const sentAt = performance.now();
    await client.publishAsync(
      `weige/${camera.id}/track`,
      JSON.stringify({ ...trackPayload(sim.track), snapshot_url: 'https://cam.example/s/1.jpg' }),
      { qos: 1 },
    );
    const { d, at } = await eventually(
      () => detections.find((x) => x.d.evidence.trackId === 't-e2e-1'),
      5000,
    );
    expect(at - sentAt).toBeLessThan(1000);
    const version = listVersions('falling-object').at(-1);
    expect(d.source).toEqual({ deviceId: 'cam-b3-east', rule: null, model: `falling-object@${version}` });
    expect(d.kind).toBe('falling_object');
    expect(d.severity).toBe('critical');
    expect(d.location.building).toBe('B3');
    expect(d.location.facade).toBe('east');
    expect(Math.abs(d.location.floor! - 9)).toBeLessThanOrEqual(1);
    expect(d.location.floorRange![0]).toBeLessThanOrEqual(d.location.floor!);
    expect(d.location.floorRange![1]).toBeGreaterThanOrEqual(d.location.floor!);
    expect(d.title['zh-CN']).toContain('高空抛物');
    expect(d.evidence.snapshotUrl).toBe('https://cam.example/s/1.jpg');
    const fit = d.evidence.fit as { trajectory: number[][]; terminalSpeedMs: number };
    expect(fit.trajectory.length).toBeGreaterThan(5);
    expect((d.evidence.origin as { windowColumn: number }).windowColumn).toBe(2);
    expect(d.evidence.confidence).toBeGreaterThan(0.5);
  });

  it('stays quiet on a bird crossing the façade', async () => {
    const camera = gw.gateway.ctx.site.device('cam-b3-east')!;
    const sims = generateDistractor('bird', {
      camera: camera.calibration!,
      startTs: testNow() - 20_000,
      rng: 'e2e-bird',
      ids: { siteId: 'chunjiang', deviceId: camera.id, trackId: 't-e2e-bird' },
    });
    expect(sims.length).toBe(1);
    const client = await gw.connect(camera.id);
    await client.publishAsync(`weige/${camera.id}/track`, JSON.stringify(trackPayload(sims[0]!.track)), {
      qos: 1,
    });
    const models = gw.gateway.ctx.metrics.registry.getSingleMetric('weige_model_decisions_total');
    // Wait until the model has decided on the bird, then check that it raised nothing.
    await eventually(async () => {
      const values = (await models!.get()).values;
      return values.filter((v) => v.labels.model === 'falling-object').reduce((s, v) => s + v.value, 0) >= 2;
    }, 5000);
    expect(detections.find((x) => x.d.evidence.trackId === 't-e2e-bird')).toBeUndefined();
  });

  it('lists the running model and backend at GET /api/models', async () => {
    const res = await gw.api<{ backend: string; models: Array<{ id: string; heldOut: unknown }> }>(
      'GET',
      '/api/models',
      { user: 'admin' },
    );
    expect(res.status).toBe(200);
    expect(['tensorflow', 'wasm', 'cpu']).toContain(res.body.backend);
    expect(res.body.models.map((m) => m.id)).toContain(
      `falling-object@${listVersions('falling-object').at(-1)}`,
    );
  });
});
