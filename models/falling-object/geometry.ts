/**
 * Image → façade mapping through the camera's calibration homography (site file:
 * `calibration.homography`, image px → façade metres: x along the façade, z above ground).
 */

export type Homography = number[][];

export interface FacadePoint {
  /** Seconds since the track's frame 0. */
  t: number;
  /** Metres along the façade. */
  x: number;
  /** Metres above ground. */
  z: number;
  /** Box size mapped to the façade, metres (geometric mean of width and height). */
  sizeM: number;
  /** Metres per pixel at this point: turns pixel noise into façade noise. */
  scaleM: number;
}

export function applyHomography(h: Homography, u: number, v: number): [number, number] {
  const row = (i: number): [number, number, number] => [h[i]![0]!, h[i]![1]!, h[i]![2]!];
  const [a, b, c] = row(0);
  const [d, e, f] = row(1);
  const [g, k, l] = row(2);
  const w = g * u + k * v + l;
  return [(a * u + b * v + c) / w, (d * u + e * v + f) / w];
}

/** Metres per pixel around (u, v): the mean length of the mapped unit steps along u and v. */
export function localScale(h: Homography, u: number, v: number): number {
  const [x0, z0] = applyHomography(h, u, v);
  const [x1, z1] = applyHomography(h, u + 1, v);
  const [x2, z2] = applyHomography(h, u, v + 1);
  return (Math.hypot(x1 - x0, z1 - z0) + Math.hypot(x2 - x0, z2 - z0)) / 2;
}

/** Track points `[frame, x, y, w, h]` → façade points, in frame order. */
export function toFacade(
  h: Homography,
  fps: number,
  points: ReadonlyArray<readonly [number, number, number, number, number]>,
): FacadePoint[] {
  return [...points]
    .sort((p, q) => p[0] - q[0])
    .map(([frame, u, v, w, hh]) => {
      const [x, z] = applyHomography(h, u, v);
      const scaleM = localScale(h, u, v);
      return { t: frame / fps, x, z, sizeM: Math.sqrt(Math.max(w, 1) * Math.max(hh, 1)) * scaleM, scaleM };
    });
}
