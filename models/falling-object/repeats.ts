/**
 * Falls that repeat from one spot of a façade: condensate from an air-conditioner, a rack of wet
 * laundry, an eave after rain (issue 13: 97 % of the field's false throw alerts). Each drop is a
 * free fall from a high floor that the track model cannot tell from a small thrown object, but
 * nobody throws a small thing from the same point every 2–60 s. So, before any network decision
 * is paged, physics and context:
 * - size against distance: a box at most a few centimetres wide at that range (its width times
 *   the façade's metres per pixel there) whose fitted terminal speed is within the scatter of a
 *   raindrop's (≤ 9.2 m/s, Gunn & Kinzer 1949, docs/sources.md; fits of 1-px drops reach twice
 *   that) could be a drop — "drip-like"; a box of about one pixel (and no wider than the bound in
 *   metres) is drip-like whatever its fitted speed: a fit on 1-px centroids comes out at 25–43 m/s
 *   as often as at a raindrop's speed, and no throw is that small at that range;
 * - an alert on a drip-like fall is held `holdMs` of event time: a second drip-like fall from the
 *   same spot within `repeatWindowMs` turns every held alert of that spot into a repeat (dropped),
 *   and once `reportAfter` falls have come from it the spot is reported once, as a low-severity
 *   nuisance, for as long as it keeps dripping (`spotMemoryMs` after its last drop).
 * Everything runs on event time (release and frame timestamps), so a replay decides exactly
 * what live decides. Falls that are not drip-like (a bottle, a pot: fast or large) pass at once.
 */

export interface FallSighting {
  cameraId: string;
  /** Fitted release time, epoch ms (event time). */
  releaseTs: number;
  /** Release point on the façade, metres, and its 1σ. */
  x: number;
  z: number;
  sigmaX: number;
  sigmaZ: number;
  /** Width of the object on the façade, metres, bounded by its narrowest boxes (boxWidthBound). */
  widthM: number;
  /** The same width in image pixels. */
  widthPx: number;
  terminalSpeedMs: number;
}

export interface RepeatOptions {
  /** How long an alert on a drip-like fall waits for a repeat (event time). Drips come every 2–60 s ±30 %. */
  holdMs: number;
  /** Falls from one spot this close in time are repeats. */
  repeatWindowMs: number;
  /** A spot is forgotten this long after its last fall. */
  spotMemoryMs: number;
  /** Falls from one spot (within the repeat window) before it is reported as a dripping spot. */
  reportAfter: number;
  /** Largest box width, metres, and terminal speed, m/s, of a drip-like fall. */
  maxWidthM: number;
  maxTerminalSpeedMs: number;
  /** Boxes at most this wide, pixels, are drip-like whatever their fitted terminal speed. */
  maxWidthPxAnySpeed: number;
  /** Release points this close (plus twice their combined 1σ, capped) are one spot, metres. */
  toleranceXM: number;
  toleranceZM: number;
}

export const DEFAULT_REPEAT_OPTIONS: RepeatOptions = {
  holdMs: 90_000,
  repeatWindowMs: 10 * 60_000,
  spotMemoryMs: 60 * 60_000,
  reportAfter: 3,
  // A raindrop is 2–5 mm; boxes are at least a pixel or two, several centimetres at 40 m, so the
  // bound is the box, not the drop. Litter of that size (a cigarette end, a cap) is held too.
  maxWidthM: 0.08,
  // The largest raindrops fall at 9.2 m/s, but the fitted terminal speed of a 1-px drop seen
  // for a second or two scatters up to twice that (8–21 m/s on one field spot).
  maxTerminalSpeedMs: 25,
  // A 1-px box moves its centroid by whole pixels, so its speed fit is noise (44 field laundry
  // drops of 1 px fitted 25–43 m/s); 1.5 px keeps 2-px boxes, whose fit holds, to the speed bound.
  maxWidthPxAnySpeed: 1.5,
  // Fitted release points of one spot's drops scatter ±1.5 m along and ±2 m up the façade.
  toleranceXM: 1.2,
  toleranceZM: 2,
};

/** A spot that keeps dripping, reported once per memory span. */
export interface DrippingSpot {
  cameraId: string;
  /** Stable name of the spot on its camera (its first fall's release point, rounded). */
  spotId: string;
  x: number;
  z: number;
  falls: number;
  firstTs: number;
  lastTs: number;
}

interface Spot<T> extends DrippingSpot {
  /** Its falls within the repeat window: a new fall near any of them is from this spot. */
  recent: FallSighting[];
  reported: boolean;
  held: Array<{ alert: T; dueTs: number }>;
}

export interface Observation<T> {
  /** Alerts to raise now (a fall that is not drip-like). */
  raise: T[];
  /** The spot this fall proved to be dripping, the first time it does. */
  dripping: DrippingSpot | null;
}

export function isDripLike(
  s: Pick<FallSighting, 'widthM' | 'widthPx' | 'terminalSpeedMs'>,
  o: RepeatOptions = DEFAULT_REPEAT_OPTIONS,
): boolean {
  if (s.widthM > o.maxWidthM) return false;
  return s.widthPx <= o.maxWidthPxAnySpeed || s.terminalSpeedMs <= o.maxTerminalSpeedMs;
}

/** Per-camera memory of dripping spots; `T` is whatever the caller raises (a detection). */
export class RepeatFilter<T> {
  private readonly spots = new Map<string, Array<Spot<T>>>();

  constructor(private readonly options: RepeatOptions = DEFAULT_REPEAT_OPTIONS) {}

  /** Records a fitted fall; `alert` is what the track model would raise for it, if anything. */
  observe(s: FallSighting, alert: T | null): Observation<T> {
    const o = this.options;
    if (!isDripLike(s, o)) return { raise: alert ? [alert] : [], dripping: null };
    const spot = this.spotOf(s);
    spot.recent = [...spot.recent.filter((r) => Math.abs(s.releaseTs - r.releaseTs) <= o.repeatWindowMs), s];
    spot.falls += 1;
    spot.firstTs = Math.min(spot.firstTs, s.releaseTs);
    spot.lastTs = Math.max(spot.lastTs, s.releaseTs);
    const recent = spot.recent.length;
    if (recent < 2) {
      if (alert) spot.held.push({ alert, dueTs: s.releaseTs + o.holdMs });
      return { raise: [], dripping: null };
    }
    // A repeat: whatever this spot held was a drip too.
    spot.held = [];
    if (spot.reported || recent < o.reportAfter) return { raise: [], dripping: null };
    spot.reported = true;
    const { cameraId, spotId, x, z, falls, firstTs, lastTs } = spot;
    return { raise: [], dripping: { cameraId, spotId, x, z, falls, firstTs, lastTs } };
  }

  /** Held alerts whose wait ended by event time `eventTs`; spots idle past memory are forgotten. */
  due(eventTs: number): T[] {
    const out: T[] = [];
    for (const [camera, spots] of this.spots) {
      for (const spot of spots) {
        out.push(...spot.held.filter((h) => h.dueTs <= eventTs).map((h) => h.alert));
        spot.held = spot.held.filter((h) => h.dueTs > eventTs);
      }
      const kept = spots.filter(
        (sp) => sp.held.length > 0 || eventTs - sp.lastTs <= this.options.spotMemoryMs,
      );
      if (kept.length) this.spots.set(camera, kept);
      else this.spots.delete(camera);
    }
    return out;
  }

  /** Alerts still waiting for a repeat. */
  get heldCount(): number {
    let n = 0;
    for (const spots of this.spots.values()) for (const sp of spots) n += sp.held.length;
    return n;
  }

  private spotOf(s: FallSighting): Spot<T> {
    const o = this.options;
    const spots = this.spots.get(s.cameraId) ?? [];
    const near = (r: FallSighting): boolean =>
      Math.abs(r.x - s.x) <=
        Math.min(2 * o.toleranceXM, o.toleranceXM + 2 * Math.hypot(r.sigmaX, s.sigmaX)) &&
      Math.abs(r.z - s.z) <= Math.min(2 * o.toleranceZM, o.toleranceZM + 2 * Math.hypot(r.sigmaZ, s.sigmaZ));
    const found = spots.find((sp) => sp.recent.some(near));
    if (found) return found;
    const spot: Spot<T> = {
      cameraId: s.cameraId,
      spotId: `x${s.x.toFixed(1)}z${s.z.toFixed(1)}`,
      x: s.x,
      z: s.z,
      falls: 0,
      firstTs: s.releaseTs,
      lastTs: s.releaseTs,
      recent: [],
      reported: false,
      held: [],
    };
    spots.push(spot);
    this.spots.set(s.cameraId, spots);
    return spot;
  }
}

/** The quantile of a track's box widths that bounds its object's width (boxWidthBound). */
const NARROW_QUANTILE = 0.2;

/**
 * How wide the object can be, on the façade in metres and in image pixels: the narrow end of its
 * boxes (their 20th percentile of width). Blur, smear and a drop blown toward the lens only widen
 * a box, never narrow it, so the narrowest boxes bound the object's size most tightly; the
 * percentile rather than the minimum keeps one frame clipped at the frame's edge from deciding.
 * (A wind-blown drop's box grows from 2 to 4–7 px over its fall: its median said "a bottle".)
 */
export function boxWidthBound(points: ReadonlyArray<{ sizeM: number; scaleM: number; aspect?: number }>): {
  widthM: number;
  widthPx: number;
} {
  const narrowEnd = (values: number[]): number =>
    values.length ? values.sort((a, b) => a - b)[Math.floor(values.length * NARROW_QUANTILE)]! : Infinity;
  const widthM = (p: { sizeM: number; aspect?: number }): number =>
    p.sizeM / Math.sqrt(Math.max(p.aspect ?? 1, 1e-3));
  return {
    widthM: narrowEnd(points.map(widthM)),
    widthPx: narrowEnd(points.map((p) => widthM(p) / p.scaleM)),
  };
}
