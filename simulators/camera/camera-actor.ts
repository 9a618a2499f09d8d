/**
 * A façade camera as an actor: once a simulated minute it draws what crosses its view —
 * birds by day, insects at the lens by night, leaves (more in autumn), blown paper, window
 * lights and headlights in the evening, laundry on dry days, rain showers on rainy days — plus
 * scripted thrown objects. Each motion becomes a canonical track on `weige/{id}/track`; the
 * camera's own detector also raises `falling_object` events (in the device's codec format): for
 * most real throws, and now and then, with low confidence, for a distractor (Hikvision's guide:
 * birds and insects with long top-to-bottom tracks are reported as "suspected throws").
 * Rates are our assumptions [M], chosen so a day has on the order of a hundred distractor tracks.
 */
import type { Building, Device } from '../../gateway/src/contracts/site.ts';
import { cameraEvent, trackMessage } from '../core/encoders.ts';
import type { Rng } from '../core/rng.ts';
import { HOUR_MS, localHour, localMidnight, MINUTE_MS, localDayOfYear } from '../core/time.ts';
import type { Actor, SimContext } from '../core/types.ts';
import { dayWeather } from '../shed/ambient.ts';
import { generateDistractor, type DistractorLabel } from './distractors.ts';
import type { DetectorNoise } from './detector.ts';
import type { ObjectClassName, Wind } from './fall.ts';
import { FacadeCamera } from './projection.ts';
import { generateFallTrack, type SimTrack } from './track.ts';

export interface ThrowIncident {
  at: number;
  floor?: number;
  column?: number;
  object?: ObjectClassName;
  thrown?: boolean;
}

/** Distractors per hour at a given local hour and day of year (before `distractorScale`). */
function ratePerHour(label: DistractorLabel, hour: number, doy: number, rain: boolean): number {
  const day = hour >= 6 && hour < 18;
  const summer = 0.5 + 0.5 * Math.cos((2 * Math.PI * (doy - 196)) / 365);
  switch (label) {
    case 'bird':
      return rain ? 0.5 : (hour >= 5.5 && hour < 8) || (hour >= 16 && hour < 18.5) ? 5 : day ? 3 : 0;
    case 'leaf':
      // Autumn leaf fall (October–November).
      return day ? 0.4 * (doy >= 273 && doy < 335 ? 4 : 1) : 0.1;
    case 'paper':
      return day ? 0.1 : 0.02;
    case 'insect':
      return !day && !rain ? 0.5 + 3 * summer : 0;
    case 'light':
      return hour >= 17.5 && hour < 23.5 ? 2 : day ? 0.3 : 0.5;
    case 'laundry':
      return hour >= 9 && hour < 17 && !rain ? 0.5 : 0;
    case 'rain':
      return 0; // showers are handled as bursts
  }
}

const DISTRACTORS: DistractorLabel[] = ['bird', 'leaf', 'paper', 'insect', 'light', 'laundry'];
/** Camera-side false "suspected throw" chance per distractor track [M]. */
const FALSE_EVENT_RATE: Partial<Record<DistractorLabel, number>> = {
  bird: 0.03,
  leaf: 0.05,
  paper: 0.08,
  insect: 0.02,
  laundry: 0.01,
};
/** Share of real throws the camera's own detector reports (Dahua claims > 90 %, FIELD-NOTES §1.1). */
const CAMERA_RECALL = 0.9;

export class FacadeCameraActor implements Actor {
  readonly id: string;
  nextAt: number;
  private readonly camera: FacadeCamera;
  private readonly rng: Rng;
  private readonly facade: { widthM: number; windowColumns?: number };
  private readonly throws: ThrowIncident[];
  private rainWindows: Array<[number, number]> = [];
  private rainDay = -1;
  private seq = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly device: Device,
    private readonly building: Building,
    throws: ThrowIncident[],
  ) {
    this.id = `camera/${device.id}`;
    this.rng = ctx.rng.fork(this.id);
    this.camera = new FacadeCamera(device.calibration!);
    const facade = building.facades.find((f) => f.id === device.facade);
    this.facade = facade
      ? { widthM: facade.widthM, ...(facade.windowColumns ? { windowColumns: facade.windowColumns } : {}) }
      : { widthM: 24 };
    this.throws = [...throws].sort((a, b) => a.at - b.at);
    this.nextAt = Math.ceil(ctx.startMs / MINUTE_MS) * MINUTE_MS;
  }

  step(now: number): void {
    const end = now + MINUTE_MS;
    const hour = localHour(now);
    const doy = localDayOfYear(now);
    const raining = this.raining(now);
    const rng = this.rng.fork(`minute/${now}`);
    for (const label of DISTRACTORS) {
      const n = rng.poisson((ratePerHour(label, hour, doy, raining) * this.ctx.noise.distractorScale) / 60);
      for (let i = 0; i < n; i++) this.emitDistractor(label, now + rng.uniform(0, MINUTE_MS), rng);
    }
    if (raining && this.ctx.noise.distractorScale > 0)
      this.emitDistractor('rain', now + rng.uniform(0, MINUTE_MS), rng);
    while (this.throws.length && this.throws[0]!.at < end) this.emitThrow(this.throws.shift()!);
    this.nextAt = end;
  }

  private options(
    startTs: number,
    rng: Rng,
  ): {
    camera: FacadeCamera;
    startTs: number;
    rng: Rng;
    noise: DetectorNoise;
    facade: { widthM: number; windowColumns?: number };
    floors: number;
    floorHeightM: number;
    ids: { siteId: string; deviceId: string; trackId: string };
  } {
    return {
      camera: this.camera,
      startTs,
      rng,
      noise: { positionPx: this.ctx.noise.detectorNoisePx, dropRate: this.ctx.noise.droppedFrameRate },
      facade: this.facade,
      floors: this.building.floors,
      floorHeightM: this.building.floorHeightM,
      ids: {
        siteId: this.ctx.site.id,
        deviceId: this.device.id,
        trackId: `${this.device.id}-t${++this.seq}`,
      },
    };
  }

  private emitThrow(inc: ThrowIncident): void {
    const rng = this.rng.fork(`throw/${inc.at}`);
    const wind = this.windAt(inc.at);
    const floor = inc.floor ?? rng.int(2, this.building.floors);
    let sim: SimTrack | null = null;
    // Rarely a throw is seen in under 2 frames (far column, tiny object): retry a different window.
    for (let attempt = 0; attempt < 5 && !sim; attempt++)
      sim = generateFallTrack({
        ...this.options(inc.at, rng),
        floor,
        ...(inc.column !== undefined ? { column: inc.column } : {}),
        ...(inc.object ? { object: inc.object } : {}),
        ...(inc.thrown !== undefined ? { thrown: inc.thrown } : {}),
        wind,
      });
    if (!sim) return;
    const { truth, track } = sim;
    const detected = rng.chance(CAMERA_RECALL);
    this.publish(sim, detected ? rng.uniform(0.6, 0.97) : null, rng);
    this.ctx.truth({
      class: 'incident',
      kind: 'falling_object',
      ts: inc.at,
      endTs: truth.impactTs ?? inc.at,
      deviceId: this.device.id,
      building: this.building.id,
      facade: this.device.facade ?? '',
      floor,
      details: {
        column: truth.column,
        objectClass: truth.objectClass,
        thrown: truth.thrown,
        trackId: track.trackId,
        releaseM: truth.release,
        terminalSpeedMs: truth.terminalSpeedMs,
        cameraEvent: detected,
      },
    });
  }

  private emitDistractor(label: DistractorLabel, startTs: number, rng: Rng): void {
    const options = this.options(startTs, rng);
    const tracks = generateDistractor(label, {
      ...options,
      ids: label === 'rain' ? { siteId: options.ids.siteId, deviceId: this.device.id } : options.ids,
      wind: this.windAt(startTs),
      drops: rng.int(4, 10),
    });
    let cameraEvents = 0;
    for (const t of tracks) {
      const falseEvent = rng.chance(FALSE_EVENT_RATE[label] ?? 0);
      if (falseEvent) cameraEvents++;
      this.publish(t, falseEvent ? rng.uniform(0.3, 0.65) : null, rng);
    }
    if (tracks.length === 0) return;
    this.ctx.truth({
      class: 'distractor',
      kind: label,
      ts: Math.round(startTs),
      deviceId: this.device.id,
      building: this.building.id,
      facade: this.device.facade ?? '',
      details: {
        tracks: tracks.map((t) => t.track.trackId),
        ...(tracks[0]!.truth.variant ? { variant: tracks[0]!.truth.variant } : {}),
        ...(cameraEvents ? { cameraEvents } : {}),
      },
    });
  }

  private publish(sim: SimTrack, eventConfidence: number | null, rng: Rng): void {
    const { track } = sim;
    const lastFrame = track.points.at(-1)![0];
    const endTs = track.startTs + (lastFrame * 1000) / track.fps;
    this.ctx.send({
      at: endTs + rng.uniform(200, 800),
      deviceId: this.device.id,
      ...trackMessage(this.device, track),
    });
    if (eventConfidence === null) return;
    const first = track.points[0]!;
    const wire = cameraEvent(
      this.device,
      {
        ts: this.ctx.stamp(this.device.id, track.startTs),
        type: 'falling_object',
        confidence: eventConfidence,
        bbox: [first[1], first[2], first[3], first[4]],
        trackId: track.trackId,
        snapshotUrl: `http://camera.local/${this.device.id}/snap/${track.trackId}.jpg`,
        clipUrl: `http://camera.local/${this.device.id}/clip/${track.trackId}.mp4`,
      },
      track.frame,
    );
    this.ctx.send({ at: endTs + rng.uniform(500, 2000), deviceId: this.device.id, ...wire });
  }

  /** Rain showers on rainy days: 1–3 windows of 1–4 h (the site's weather, shared with the sheds). */
  private raining(now: number): boolean {
    const day = localMidnight(now);
    if (day !== this.rainDay) {
      this.rainDay = day;
      const weather = dayWeather(this.ctx.rng, now, this.ctx.noise.rainDayProbability);
      const r = this.ctx.rng.fork(`rain/${day}`);
      this.rainWindows = [];
      if (weather.rain)
        for (let i = r.int(1, 3); i > 0; i--) {
          const from = day + r.uniform(0, 22) * HOUR_MS;
          this.rainWindows.push([from, from + r.uniform(1, 4) * HOUR_MS]);
        }
    }
    return this.rainWindows.some(([a, b]) => now >= a && now < b);
  }

  /** Daily wind: 0–8 m/s at roof height, turbulence 0.1–0.3 (FIELD-NOTES §1.2). */
  private windAt(t: number): Wind {
    const r = this.ctx.rng.fork(`wind/${localMidnight(t)}`);
    return {
      speedMs: r.uniform(0, 8) * r.uniform(0.3, 1),
      towardsDeg: r.uniform(0, 360),
      referenceHeightM: this.building.floors * this.building.floorHeightM,
      turbulence: r.uniform(0.1, 0.3),
    };
  }
}
