/**
 * Camera geometry from the site file's calibration. `homography` maps image pixels (u, v) to the
 * façade plane (x metres along the façade, z metres above ground); its inverse projects façade
 * points back to pixels. Decomposing that inverse with a pinhole model (square pixels, principal
 * point at the frame centre) recovers the focal length and pose, so points off the façade (a pot
 * thrown outward, a bird in front, an insect at the lens) project correctly too.
 *
 * World axes: x along the façade, y outward from the façade towards the camera, z up; metres.
 */
import type { CameraCalibration } from '../../gateway/src/contracts/site.ts';

export type Vec3 = [number, number, number];
export type Mat3 = [Vec3, Vec3, Vec3];

export function toMat3(m: number[][]): Mat3 {
  if (m.length !== 3 || m.some((row) => row.length !== 3))
    throw new RangeError('a homography must be a 3×3 matrix');
  return m.map((row) => [row[0]!, row[1]!, row[2]!]) as Mat3;
}

export function invertMat3(m: Mat3): Mat3 {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-15) throw new RangeError('homography is singular');
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

/**
 * Image → façade homography (h33 = 1) of a pinhole camera `distanceM` out from the façade,
 * `heightM` up, pitched up by `pitchDeg`, looking at `centreXM` along it: portrait 1080×1920
 * with a 70° vertical field of view (f = 1371 px). The example site's cameras and the
 * falling-object training cameras are all of this kind.
 */
export function pinholeFacadeHomography(
  distanceM: number,
  heightM: number,
  pitchDeg: number,
  centreXM: number,
): Mat3 {
  const f = 1371;
  const cx = 540;
  const cy = 960;
  const s = Math.sin((pitchDeg * Math.PI) / 180);
  const c = Math.cos((pitchDeg * Math.PI) / 180);
  const k = distanceM * c - heightM * s;
  // Façade (X, Z, 1) → image (u, v, 1), from u = cx + f·right/depth, v = cy − f·up/depth.
  const inverse = invertMat3([
    [f, cx * s, cx * k - f * centreXM],
    [0, cy * s - f * c, cy * k + f * distanceM * s + f * heightM * c],
    [0, s, k],
  ]);
  const n = inverse[2][2];
  return inverse.map((row) => row.map((v) => v / n)) as Mat3;
}

export function applyHomography(m: Mat3, p: readonly [number, number]): [number, number] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const w = g * p[0] + h * p[1] + i;
  return [(a * p[0] + b * p[1] + c) / w, (d * p[0] + e * p[1] + f) / w];
}

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const scale = (a: Vec3, k: number): Vec3 => [a[0] * k, a[1] * k, a[2] * k];
const col = (m: Mat3, j: number): Vec3 => [m[0][j]!, m[1][j]!, m[2][j]!];

/** One camera: both homography directions, recovered intrinsics and pose, frame and rate. */
export class FacadeCamera {
  readonly toFacade: Mat3;
  readonly toImage: Mat3;
  readonly fps: number;
  readonly frame: { w: number; h: number };
  /** Focal length, pixels. */
  readonly focalPx: number;
  /** Camera centre in world coordinates (x along façade, y out from it, z up). */
  readonly centre: Vec3;
  /** Rows: world → camera rotation (camera x right, y down, z forward). */
  private readonly rotation: Mat3;
  private readonly translation: Vec3;

  constructor(calibration: CameraCalibration) {
    this.toFacade = toMat3(calibration.homography);
    this.toImage = invertMat3(this.toFacade);
    this.fps = calibration.fps;
    this.frame = { ...calibration.frame };
    const cx = this.frame.w / 2;
    const cy = this.frame.h / 2;
    const a1 = col(this.toImage, 0);
    const a2 = col(this.toImage, 1);
    const a3 = col(this.toImage, 2);
    const p = (a: Vec3): [number, number] => [a[0] - cx * a[2], a[1] - cy * a[2]];
    const [p1, p2] = [p(a1), p(a2)];
    // K⁻¹a1 ⟂ K⁻¹a2 and |K⁻¹a1| = |K⁻¹a2| (Zhang 2000); use whichever constraint is well-conditioned.
    const orth = -(p1[0] * p2[0] + p1[1] * p2[1]) / (a1[2] * a2[2]);
    const norm = (p1[0] ** 2 + p1[1] ** 2 - p2[0] ** 2 - p2[1] ** 2) / (a2[2] ** 2 - a1[2] ** 2);
    const f2 = Math.abs(a1[2] * a2[2]) > 1e-9 && orth > 0 ? orth : norm;
    // 70° vertical field of view if the homography cannot say (affine: camera at infinity).
    this.focalPx =
      Number.isFinite(f2) && f2 > 0 ? Math.sqrt(f2) : this.frame.h / 2 / Math.tan((35 * Math.PI) / 180);
    const kInv = (a: Vec3): Vec3 => [
      (a[0] - cx * a[2]) / this.focalPx,
      (a[1] - cy * a[2]) / this.focalPx,
      a[2],
    ];
    let lambda = 1 / Math.sqrt(dot(kInv(a1), kInv(a1)));
    if (kInv(a3)[2] * lambda < 0) lambda = -lambda; // the façade origin lies in front of the camera
    const r1 = scale(kInv(a1), lambda);
    const r3 = scale(kInv(a2), lambda);
    const t = scale(kInv(a3), lambda);
    let r2 = cross(r3, r1);
    // World y points from the façade towards the camera: choose the sign that puts the camera at y > 0.
    const centreY = -(r2[0] * t[0] + r2[1] * t[1] + r2[2] * t[2]);
    if (centreY < 0) r2 = scale(r2, -1);
    this.rotation = [
      [r1[0], r2[0], r3[0]],
      [r1[1], r2[1], r3[1]],
      [r1[2], r2[2], r3[2]],
    ];
    this.translation = t;
    // C = −Rᵀt with R's columns (r1, r2, r3) the world axes in camera coordinates.
    this.centre = [-dot(r1, t), -dot(r2, t), -dot(r3, t)];
  }

  /** Façade point (x along the façade, z above ground, metres) → pixel (u, v). */
  project(xM: number, zM: number): [number, number] {
    return applyHomography(this.toImage, [xM, zM]);
  }

  /** Pixel (u, v) → façade point (x, z) in metres. */
  unproject(u: number, v: number): [number, number] {
    return applyHomography(this.toFacade, [u, v]);
  }

  /** World point → camera coordinates (x right, y down, z forward = depth), metres. */
  toCamera(p: Vec3): Vec3 {
    const [r0, r1, r2] = this.rotation;
    const t = this.translation;
    return [dot(r0, p) + t[0], dot(r1, p) + t[1], dot(r2, p) + t[2]];
  }

  /** Camera coordinates → world point (inverse of toCamera). */
  toWorld(c: Vec3): Vec3 {
    const d: Vec3 = [c[0] - this.translation[0], c[1] - this.translation[1], c[2] - this.translation[2]];
    const [r0, r1, r2] = this.rotation;
    return [
      r0[0] * d[0] + r1[0] * d[1] + r2[0] * d[2],
      r0[1] * d[0] + r1[1] * d[1] + r2[1] * d[2],
      r0[2] * d[0] + r1[2] * d[1] + r2[2] * d[2],
    ];
  }

  /** World point → pixel and depth (metres in front of the camera; ≤ 0 means behind it). */
  project3d(p: Vec3): { u: number; v: number; depthM: number } {
    const c = this.toCamera(p);
    const cx = this.frame.w / 2;
    const cy = this.frame.h / 2;
    return { u: cx + (this.focalPx * c[0]) / c[2], v: cy + (this.focalPx * c[1]) / c[2], depthM: c[2] };
  }

  /** Apparent size in pixels of an object `sizeM` across at `depthM`. */
  sizePx(sizeM: number, depthM: number): number {
    return (this.focalPx * sizeM) / depthM;
  }

  inFrame(u: number, v: number): boolean {
    return u >= 0 && v >= 0 && u < this.frame.w && v < this.frame.h;
  }
}
