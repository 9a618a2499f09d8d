/**
 * Where on its façade a camera-side detection was seen. A camera that reports a falling object
 * as an event (Hikvision and the like) gives one box, not a track, so no origin can be fitted —
 * but the object was falling when seen, so it left a window at or above that height. Mapping the
 * box through the camera's façade homography bounds the floor from below: grid workers start
 * knocking there and go up, instead of at the whole building.
 */
import type { Building, Device, Facade } from '../../contracts/site.ts';
import { applyHomography, cameraCentre, offPlane } from '../../../../models/falling-object/geometry.ts';
import { columnAt, DEFAULT_SILL_M, facadeLayout } from '../../../../models/falling-object/origin.ts';

export interface FacadeSighting {
  /** Lowest floor the object can have come from, and the top floor. */
  floorRange: [number, number];
  windowColumn: number;
  /** The box centre on the façade plane, metres (x along the façade, z above ground). */
  xM: number;
  zM: number;
}

/**
 * How far out from the façade a falling object is taken to be (an arm out of a window), metres:
 * seen from below, something in front of the wall projects higher on it than it is.
 */
const OFFSET_FROM_WALL_M = 0.4;
/**
 * How far above its sill an object can leave a floor, metres: held up at arm's length or tossed
 * upwards. A sighting this far above floor k's sill may still have come from floor k.
 */
const REACH_ABOVE_SILL_M = 1.0;

/** Null when the device has no calibration, the building no such façade, or the box is unusable. */
export function facadeSighting(
  device: Device,
  watched: { building: Building; facade: Facade } | undefined,
  bbox: unknown,
): FacadeSighting | null {
  const calibration = device.calibration;
  if (!calibration || !watched || !isBox(bbox)) return null;
  const { building, facade } = watched;
  const [u, v] = bbox;
  const [x, z] = applyHomography(calibration.homography, u, v);
  if (!Number.isFinite(x) || !Number.isFinite(z)) return null;
  const camera = cameraCentre(calibration.homography, calibration.frame);
  const seen = camera ? offPlane({ x, z }, camera, OFFSET_FROM_WALL_M) : { x, z };
  // Floor k releases up to (k − 1)·H + sill + reach, and that must be at or above the sighting.
  const lowest = Math.ceil(1 + (seen.z - DEFAULT_SILL_M - REACH_ABOVE_SILL_M) / building.floorHeightM);
  const floorFrom = Math.min(building.floors, Math.max(1, lowest));
  return {
    floorRange: [floorFrom, building.floors],
    windowColumn: columnAt(seen.x, facadeLayout(building, facade)),
    xM: Math.round(seen.x * 100) / 100,
    zM: Math.round(seen.z * 100) / 100,
  };
}

function isBox(value: unknown): value is [number, number, number, number] {
  return Array.isArray(value) && value.length === 4 && value.every((n) => Number.isFinite(n));
}
