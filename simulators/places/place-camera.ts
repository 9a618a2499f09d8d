/**
 * Cameras over garbage rooms and fire lanes, with their on-camera rules.
 * - Garbage rooms (垃圾厢房): Shanghai's fixed-time drop-off (定时定点, mornings 07:00–09:00 and
 *   evenings 18:00–20:00 [M]); a bag left outside the bins is littering. The camera fires
 *   `littering` once the person has walked away and the bag has lain `LITTER_RULE_S`; `dwell_s`
 *   says how long it has lain. Bags stay until the cleaner comes (0.5–10 h).
 * - Fire lanes (消防通道): couriers stop for a minute or two (30 s + an exponential of mean 100 s), some cars park for hours. The camera fires
 *   `fire_lane_blocked` once a vehicle has stood `LANE_RULE_S`, then every 10 min while it stays,
 *   with the growing `dwell_s`. Short stops under the rule are silent.
 * Rates are assumptions [M] (`placeEventScale` scales them).
 */
import type { Device, Place } from '../../gateway/src/contracts/site.ts';
import { cameraEvent } from '../core/encoders.ts';
import type { Rng } from '../core/rng.ts';
import { DAY_MS, HOUR_MS, localMidnight, MINUTE_MS } from '../core/time.ts';
import type { Actor, SimContext } from '../core/types.ts';

export interface PlaceIncident {
  at: number;
  /** How long the bag lies / the vehicle stands, ms. */
  dwellMs: number;
}

const LITTER_RULE_S = 90;
const LANE_RULE_S = 300;
const LANE_REPEAT_MS = 10 * MINUTE_MS;
/** Bags left outside per room per day, and courier stops / long parkings per lane per day. */
const LITTER_PER_DAY = 0.8;
const COURIER_STOPS_PER_DAY = 8;
const PARKINGS_PER_DAY = 0.3;
const FRAME = { w: 1920, h: 1080 };

interface Occupation {
  at: number;
  dwellMs: number;
  scripted: boolean;
}

export class PlaceCameraActor implements Actor {
  readonly id: string;
  nextAt: number;
  private readonly rng: Rng;
  private readonly pending: Array<{ at: number; dwellS: number; bbox: [number, number, number, number] }> =
    [];
  private plannedUntil: number;

  constructor(
    private readonly ctx: SimContext,
    private readonly device: Device,
    private readonly place: Place,
    scripted: PlaceIncident[],
  ) {
    this.id = `place/${device.id}`;
    this.rng = ctx.rng.fork(this.id);
    this.plannedUntil = localMidnight(ctx.startMs);
    for (const s of scripted) this.occupy({ at: s.at, dwellMs: s.dwellMs, scripted: true });
    this.nextAt = ctx.startMs;
  }

  private get lane(): boolean {
    return this.place.kind === 'fire_lane';
  }

  step(now: number): void {
    while (this.plannedUntil <= now) this.planDay(this.plannedUntil);
    this.pending.sort((a, b) => a.at - b.at);
    while (this.pending.length && this.pending[0]!.at <= now) {
      const p = this.pending.shift()!;
      const wire = cameraEvent(
        this.device,
        {
          ts: this.ctx.stamp(this.device.id, p.at),
          type: this.lane ? 'fire_lane_blocked' : 'littering',
          confidence: this.rng.uniform(0.7, 0.98),
          bbox: p.bbox,
          dwellS: p.dwellS,
          snapshotUrl: `http://camera.local/${this.device.id}/snap/${Math.round(p.at)}.jpg`,
        },
        FRAME,
      );
      this.ctx.send({ at: p.at + this.rng.uniform(300, 1500), deviceId: this.device.id, ...wire });
    }
    this.nextAt = Math.min(this.pending[0]?.at ?? Number.POSITIVE_INFINITY, this.plannedUntil);
  }

  private planDay(day: number): void {
    const rng = this.rng.fork(`day/${day}`);
    const scale = this.ctx.noise.placeEventScale;
    if (this.lane) {
      for (let i = rng.poisson(COURIER_STOPS_PER_DAY * scale); i > 0; i--)
        this.occupy({
          at: day + rng.uniform(9, 21) * HOUR_MS,
          dwellMs: (30 + rng.exponential(100)) * 1000,
          scripted: false,
        });
      for (let i = rng.poisson(PARKINGS_PER_DAY * scale); i > 0; i--)
        this.occupy({
          at: day + rng.uniform(18, 23.5) * HOUR_MS,
          dwellMs: rng.uniform(0.5, 10) * HOUR_MS,
          scripted: false,
        });
    } else {
      for (let i = rng.poisson(LITTER_PER_DAY * scale); i > 0; i--) {
        // Outside the drop-off hours: late evening or before 07:00.
        const h = rng.chance(0.6) ? rng.uniform(20, 23.5) : rng.uniform(5, 7);
        this.occupy({ at: day + h * HOUR_MS, dwellMs: rng.uniform(0.5, 10) * HOUR_MS, scripted: false });
      }
    }
    this.plannedUntil = day + DAY_MS;
  }

  private occupy(o: Occupation): void {
    if (o.at < this.ctx.startMs || o.at >= this.ctx.endMs) return;
    const rule = (this.lane ? LANE_RULE_S : LITTER_RULE_S) * 1000;
    const bbox: [number, number, number, number] = this.lane
      ? [
          this.rng.uniform(500, 1400),
          this.rng.uniform(500, 800),
          this.rng.uniform(300, 600),
          this.rng.uniform(200, 400),
        ]
      : [
          this.rng.uniform(300, 1600),
          this.rng.uniform(700, 1000),
          this.rng.uniform(40, 120),
          this.rng.uniform(40, 120),
        ];
    const events: number[] = [];
    if (o.dwellMs >= rule) {
      events.push(o.at + rule);
      if (this.lane)
        for (let t = o.at + rule + LANE_REPEAT_MS; t < o.at + o.dwellMs; t += LANE_REPEAT_MS) events.push(t);
    }
    for (const at of events) this.pending.push({ at, dwellS: (at - o.at) / 1000, bbox });
    // Courier stops under the rule are normal life, not incidents: recorded as context only.
    this.ctx.truth({
      class: events.length ? 'incident' : 'context',
      kind: this.lane ? (events.length ? 'fire_lane_blocked' : 'fire_lane_short_stop') : 'littering',
      ts: Math.round(o.at),
      endTs: Math.round(o.at + o.dwellMs),
      deviceId: this.device.id,
      place: this.place.id,
      details: { dwellS: Math.round(o.dwellMs / 1000), cameraEvents: events.length, scripted: o.scripted },
    });
  }
}
