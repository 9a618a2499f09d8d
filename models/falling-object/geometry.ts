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
  /** Box height over width in pixels: wing beats and flutter make it pulse. */
  aspect?: number;
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
      const sizeM = Math.sqrt(Math.max(w, 1) * Math.max(hh, 1)) * scaleM;
      return { t: frame / fps, x, z, sizeM, scaleM, aspect: Math.max(hh, 1) / Math.max(w, 1) };
    });
}

/** Camera centre in façade coordinates, metres: x along the façade, y out from it, z above ground. */
export interface CameraCentre {
  x: number;
  y: number;
  z: number;
}

/**
 * Where the camera stands, recovered from its image → façade homography (Zhang's plane
 * calibration with one view, as simulators/camera/projection.ts does): square pixels and the
 * principal point at the frame centre leave the focal length as the only intrinsic. Null when the
 * homography is degenerate.
 */
export function cameraCentre(h: Homography, frame: { w: number; h: number }): CameraCentre | null {
  const m = invert3(h);
  if (!m) return null;
  const cx = frame.w / 2;
  const cy = frame.h / 2;
  // Columns of façade → image: the x axis, the z axis, the origin, with the principal point removed.
  const col = (j: number): [number, number, number] => [
    m[0]![j]! - cx * m[2]![j]!,
    m[1]![j]! - cy * m[2]![j]!,
    m[2]![j]!,
  ];
  const a = col(0);
  const b = col(1);
  const o = col(2);
  // The axes are orthogonal and of equal length in the camera frame; a camera squarely facing
  // the façade's x axis (no yaw or roll) leaves only the second constraint well-conditioned.
  const orth = -(a[0] * b[0] + a[1] * b[1]) / (a[2] * b[2]);
  const norm = (a[0] ** 2 + a[1] ** 2 - b[0] ** 2 - b[1] ** 2) / (b[2] ** 2 - a[2] ** 2);
  const f2 = Math.abs(a[2] * b[2]) > 1e-9 && orth > 0 ? orth : norm;
  const f = Number.isFinite(f2) && f2 > 0 ? Math.sqrt(f2) : null;
  if (f === null) return null;
  const unproject = (v: [number, number, number]): [number, number, number] => [v[0] / f, v[1] / f, v[2]];
  const ka = unproject(a);
  const kb = unproject(b);
  const ko = unproject(o);
  const lambda = 1 / Math.hypot(...ka);
  const rx = ka.map((v) => v * lambda) as [number, number, number];
  const rz = kb.map((v) => v * lambda) as [number, number, number];
  const t = ko.map((v) => v * lambda) as [number, number, number];
  const ry: [number, number, number] = [
    rx[1] * rz[2] - rx[2] * rz[1],
    rx[2] * rz[0] - rx[0] * rz[2],
    rx[0] * rz[1] - rx[1] * rz[0],
  ];
  const dot = (p: readonly number[], q: readonly number[]): number =>
    p[0]! * q[0]! + p[1]! * q[1]! + p[2]! * q[2]!;
  // The camera stands in front of the façade: pick the sign of the out-of-plane axis that says so.
  const y = Math.abs(dot(ry, t));
  return { x: -dot(rx, t), y, z: -dot(rz, t) };
}

/**
 * The point `offsetM` out from the façade on the camera ray through façade point (x, z): where
 * an object leaning that far out really is when the homography puts it at (x, z).
 */
export function offPlane(
  p: { x: number; z: number },
  camera: CameraCentre,
  offsetM: number,
): { x: number; z: number } {
  const k = 1 - offsetM / Math.max(camera.y, offsetM + 1e-3);
  return { x: camera.x + (p.x - camera.x) * k, z: camera.z + (p.z - camera.z) * k };
}

function invert3(m: Homography): number[][] | null {
  const [a, b, c] = [m[0]![0]!, m[0]![1]!, m[0]![2]!];
  const [d, e, f] = [m[1]![0]!, m[1]![1]!, m[1]![2]!];
  const [g, k, l] = [m[2]![0]!, m[2]![1]!, m[2]![2]!];
  const A = e * l - f * k;
  const B = -(d * l - f * g);
  const C = d * k - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-15) return null;
  return [
    [A / det, -(b * l - c * k) / det, (b * f - c * e) / det],
    [B / det, (a * l - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * k - b * g) / det, (a * e - b * d) / det],
  ];
}
