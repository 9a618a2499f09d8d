/**
 * falling-object on the gateway: camera tracks (bus `trackAccepted`) → origin fit + classifier →
 * `detectionRaised` with `source.model` and the evidence grid workers and police need (fitted
 * trajectory, floor range, confidence, snapshot/clip links). Tracks of cameras without a façade
 * calibration are ignored (garbage-room and fire-lane cameras send events, not tracks).
 *
 * Before a decision pages anyone, falls repeating from one spot (condensate, dripping laundry,
 * eaves) are held back and reported once per spot as a low-severity `facade_drip`, a façade's
 * spots in one incident (models/falling-object/repeats.ts), on event time. A throw's incident is keyed by façade, the
 * key the camera-event rule (rules/packs/camera-events/falling-object.yaml, a low-severity
 * watch) uses too: one throw seen by the camera and by the model is one incident, both alerts in
 * its evidence.
 */
import type { Detection } from '../../contracts/alerts.ts';
import type { Track } from '../../contracts/readings.ts';
import type { Building, Device, Facade } from '../../contracts/site.ts';
import type { GatewayContext } from '../../context.ts';
import type { Logger } from '../../core/logger.ts';
import {
  analyseTrack,
  classify,
  decide,
  MODEL_NAME,
  type CameraContext,
  type FallingObjectDecision,
  type TrackAnalysis,
} from '../../../../models/falling-object/predict.ts';
import { facadeLayout } from '../../../../models/falling-object/origin.ts';
import { boxWidthBound, RepeatFilter, type DrippingSpot } from '../../../../models/falling-object/repeats.ts';
import type { TimerHandle } from '../../core/clock.ts';
import type { Tf } from '../../../../models/lib/backend.ts';
import type { ModelRegistry, LoadedModel } from './registry.ts';
import { WorkQueue } from './work-queue.ts';

const FACADE_NAMES: Record<string, { 'zh-CN': string; en: string }> = {
  east: { 'zh-CN': '东侧', en: 'east side' },
  south: { 'zh-CN': '南侧', en: 'south side' },
  west: { 'zh-CN': '西侧', en: 'west side' },
  north: { 'zh-CN': '北侧', en: 'north side' },
};

export interface FallingObjectDetectorDeps {
  ctx: GatewayContext;
  tf: Tf;
  registry: ModelRegistry;
  log: Logger;
  /** Called with each decision (metrics, tests). */
  onDecision?: (
    track: Track,
    decision: FallingObjectDecision,
    analysis: TrackAnalysis,
    latencyMs: number,
  ) => void;
}

interface Queued {
  track: Track;
  receivedAt: number;
}

/** How often held alerts are checked when no track arrives (event time then follows the clock). */
const IDLE_CHECK_MS = 10_000;

export class FallingObjectDetector {
  private unsubscribe: (() => void) | null = null;
  private idleCheck: TimerHandle | null = null;
  private readonly repeats = new RepeatFilter<Detection>();
  /** Latest event time seen (a track's last frame) and the clock time it was seen at. */
  private eventTs = -Infinity;
  private eventSeenAt = 0;
  // Tracks are fitted one per macrotask (a fit takes 2–60 ms) so ingest interleaves.
  private readonly queue = new WorkQueue<Queued>(
    (batch) => this.process(batch),
    (err) => this.deps.log.error({ err }, 'falling-object inference failed'),
    1,
  );

  constructor(private readonly deps: FallingObjectDetectorDeps) {}

  start(): void {
    this.unsubscribe = this.deps.ctx.bus.on('trackAccepted', (track) =>
      this.queue.push({ track, receivedAt: performance.now() }),
    );
    // With no track arriving, event time is taken to move with the clock, so an alert held for a
    // repeat is raised in live operation (and at the end of a replay) when its wait is over.
    this.idleCheck = this.deps.ctx.clock.setInterval(IDLE_CHECK_MS, () =>
      this.raiseDue(this.eventTs + (this.deps.ctx.clock.now() - this.eventSeenAt)),
    );
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.idleCheck?.cancel();
    this.idleCheck = null;
    this.queue.stop();
  }

  /** Alerts waiting for a possible repeat from their spot. */
  get held(): number {
    return this.repeats.heldCount;
  }

  drain(): Promise<void> {
    return this.queue.drain();
  }

  private process(batch: Queued[]): void {
    const loaded = this.deps.registry.get(MODEL_NAME);
    if (!loaded) return;
    for (const item of batch) {
      const camera = this.cameraContext(item.track.deviceId);
      if (!camera) continue;
      this.advance(item.track);
      const started = performance.now();
      const analysis = analyseTrack(item.track, camera.context, loaded.meta.params);
      if (analysis.features.length === 0) continue;
      const [probabilities] = classify(this.deps.tf, loaded.model, loaded.meta, [analysis]);
      const decision = decide(
        {
          fitted: analysis.fit !== null && analysis.origin !== null,
          dropM: analysis.dropM,
          physics: analysis.physics,
        },
        probabilities!,
        loaded.meta,
        camera.context.layout.floorHeightM,
      );
      const latencyMs = performance.now() - item.receivedAt;
      this.deps.onDecision?.(item.track, decision, analysis, latencyMs);
      // pino takes no lambdas (it would write an empty record): guard the per-track record instead.
      if (this.deps.log.isLevelEnabled('debug'))
        this.deps.log.debug(
          { trackId: item.track.trackId, decision, fitMs: performance.now() - started },
          'track classified',
        );
      if (!analysis.fit || !analysis.origin) continue;
      const alert = decision.alert
        ? this.detection(item.track, camera, analysis, decision, loaded, latencyMs)
        : null;
      const seen = this.repeats.observe(
        {
          cameraId: camera.device.id,
          releaseTs: Math.round(item.track.startTs + analysis.fit.releaseT * 1000),
          x: analysis.fit.releaseX,
          z: analysis.fit.releaseZ,
          sigmaX: analysis.fit.sigmaX,
          sigmaZ: analysis.fit.sigmaZ,
          ...boxWidthBound(analysis.facade),
          terminalSpeedMs: analysis.fit.terminalSpeedMs,
        },
        alert,
      );
      for (const d of seen.raise) this.deps.ctx.bus.emit('detectionRaised', d);
      if (seen.dripping) this.deps.ctx.bus.emit('detectionRaised', this.drip(seen.dripping, camera, loaded));
    }
    this.raiseDue(this.eventTs);
  }

  /** Event time moves to the last frame of the newest track. */
  private advance(track: Track): void {
    const last = track.points.reduce((m, p) => Math.max(m, p[0]), 0);
    const endTs = track.startTs + (last * 1000) / (track.fps || 1);
    if (endTs > this.eventTs) {
      this.eventTs = endTs;
      this.eventSeenAt = this.deps.ctx.clock.now();
    }
  }

  private raiseDue(eventTs: number): void {
    for (const d of this.repeats.due(eventTs)) this.deps.ctx.bus.emit('detectionRaised', d);
  }

  /**
   * A low-severity notice per dripping spot, all of one façade in one incident (rain off the eaves
   * drips from dozens of spots at once): property staff fix the pipe; nobody runs downstairs.
   */
  private drip(
    spot: DrippingSpot,
    camera: { device: Device; building: Building; facade: Facade; context: CameraContext },
    model: LoadedModel,
  ): Detection {
    const { building, facade, device } = camera;
    const side = FACADE_NAMES[facade.id] ?? { 'zh-CN': facade.id, en: facade.id };
    const floor = Math.max(1, Math.floor((spot.z - 0.3) / camera.context.layout.floorHeightM) + 1);
    return {
      kind: 'facade_drip',
      severity: 'info',
      siteId: this.deps.ctx.site.siteId,
      eventTs: spot.firstTs,
      source: { deviceId: device.id, rule: null, model: model.id },
      dedupeKey: `facade_drip:${building.id}:${facade.id}`,
      location: {
        building: building.id,
        facade: facade.id,
        floor,
        floorRange: null,
        unit: building.units.length === 1 ? building.units[0]! : null,
        household: null,
        place: null,
      },
      title: {
        'zh-CN': `${building.name['zh-CN']}${side['zh-CN']}约${floor}层持续滴水`,
        en: `Dripping from ${building.name.en ?? building.id}, ${side.en}, about floor ${floor}`,
      },
      message: {
        'zh-CN': `${device.id} 看到同一位置反复有水滴落下（${spot.falls}次，可能是空调冷凝水、晾晒衣物或屋檐滴水），不按高空抛物处理。请物业提醒住户处理。`,
        en: `${device.id} saw drops falling again and again from one spot (${spot.falls} so far: an air-conditioner's condensate, wet laundry or an eave); not treated as a thrown object. Property staff may remind the household.`,
      },
      evidence: {
        spotId: spot.spotId,
        releaseXM: round(spot.x),
        releaseZM: round(spot.z),
        falls: spot.falls,
        firstTs: new Date(spot.firstTs).toISOString(),
        lastTs: new Date(spot.lastTs).toISOString(),
      },
    };
  }

  private cameraContext(
    deviceId: string,
  ): { device: Device; building: Building; facade: Facade; context: CameraContext } | null {
    const device = this.deps.ctx.site.device(deviceId);
    const watched = device && this.deps.ctx.site.watchedFacade(device);
    if (!device?.calibration || !watched) return null;
    return {
      device,
      ...watched,
      context: {
        homography: device.calibration.homography,
        fps: device.calibration.fps,
        layout: facadeLayout(watched.building, watched.facade),
      },
    };
  }

  private detection(
    track: Track,
    camera: { device: Device; building: Building; facade: Facade },
    analysis: TrackAnalysis,
    decision: FallingObjectDecision,
    model: LoadedModel,
    latencyMs: number,
  ): Detection {
    const fit = analysis.fit!;
    const origin = analysis.origin!;
    const { building, facade, device } = camera;
    const side = FACADE_NAMES[facade.id] ?? { 'zh-CN': facade.id, en: facade.id };
    const floors =
      origin.floorRange[0] === origin.floorRange[1]
        ? { zh: `${origin.floor}层`, en: `floor ${origin.floor}` }
        : {
            zh: `${origin.floor}层（${origin.floorRange[0]}–${origin.floorRange[1]}层）`,
            en: `floor ${origin.floor} (${origin.floorRange[0]}–${origin.floorRange[1]})`,
          };
    const column = `${origin.column}`;
    const releaseTs = Math.round(track.startTs + fit.releaseT * 1000);
    const confidence = Number(decision.confidence.toFixed(3));
    return {
      kind: 'falling_object',
      severity: 'critical',
      siteId: track.siteId,
      eventTs: releaseTs,
      source: { deviceId: device.id, rule: null, model: model.id },
      // The camera-event rule's key: the camera's own event and the model's track of one throw
      // land in one incident.
      dedupeKey: `falling_object:${building.id}:${facade.id}`,
      location: {
        building: building.id,
        facade: facade.id,
        floor: origin.floor,
        floorRange: origin.floorRange,
        unit: building.units.length === 1 ? building.units[0]! : null,
        household: null,
        place: null,
      },
      title: {
        'zh-CN': `${building.name['zh-CN']}${side['zh-CN']}疑似高空抛物（约${origin.floor}层）`,
        en: `Suspected object thrown from ${building.name.en ?? building.id}, ${side.en} (about floor ${origin.floor})`,
      },
      message: {
        'zh-CN': `${device.id} 检测到坠落物，轨迹回溯至${floors.zh}、第${column}列窗户附近，下落约${analysis.dropM.toFixed(1)}米，置信度${Math.round(confidence * 100)}%。`,
        en: `${device.id} saw a falling object traced back to ${floors.en}, window column ${column}; it fell about ${analysis.dropM.toFixed(1)} m (confidence ${Math.round(confidence * 100)} %).`,
      },
      evidence: throwEvidence(track, analysis, decision, { releaseTs, confidence, latencyMs }),
    };
  }
}

/** What the incident shows an engineer: the track, the fitted fall and the traced origin. */
function throwEvidence(
  track: Track,
  analysis: TrackAnalysis,
  decision: FallingObjectDecision,
  at: { releaseTs: number; confidence: number; latencyMs: number },
): Record<string, unknown> {
  const fit = analysis.fit!;
  const origin = analysis.origin!;
  const { releaseTs, confidence, latencyMs } = at;
  return {
    trackId: track.trackId,
    trackClass: decision.trackClass,
    confidence,
    probabilities: roundAll(decision.probabilities),
    origin: {
      floor: origin.floor,
      floorRange: origin.floorRange,
      windowColumn: origin.column,
      windowColumnRange: origin.columnRange,
      releaseTs: new Date(releaseTs).toISOString(),
      releaseXM: round(fit.releaseX),
      releaseZM: round(fit.releaseZ),
      sigmaXM: round(fit.sigmaX),
      sigmaZM: round(fit.sigmaZ),
    },
    fit: {
      model: 'quadratic-drag free fall',
      terminalSpeedMs: round(Math.min(fit.terminalSpeedMs, 999)),
      initialVelocityMs: fit.initialVelocity.map(round),
      chi2PerDof: round(fit.chi2PerDof),
      rmsM: round(fit.rmsM),
      dropM: round(analysis.dropM),
      // [seconds since frame 0, metres along the façade, metres above ground]
      trajectory: fit.trajectory,
    },
    track: {
      startTs: new Date(track.startTs).toISOString(),
      fps: track.fps,
      frame: track.frame,
      points: track.points,
    },
    snapshotUrl: track.snapshotUrl,
    clipUrl: track.clipUrl,
    latencyMs: round(latencyMs),
  };
}

const round = (v: number): number => Number(v.toFixed(3));
function roundAll(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]));
}
