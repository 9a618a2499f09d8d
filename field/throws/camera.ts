/**
 * A façade camera's view: the site file's homography maps image pixels to the façade plane
 * (metres along, metres up); its inverse places a body in the image, and its local scale gives
 * the box size in pixels.
 */
export type Matrix3 = number[][];

export function invert3(m: Matrix3): Matrix3 {
  const [a, b, c] = m[0]!;
  const [d, e, f] = m[1]!;
  const [g, h, i] = m[2]!;
  const A = e! * i! - f! * h!;
  const B = -(d! * i! - f! * g!);
  const C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  if (Math.abs(det) < 1e-15) throw new Error('camera homography is singular');
  return [
    [A / det, -(b! * i! - c! * h!) / det, (b! * f! - c! * e!) / det],
    [B / det, (a! * i! - c! * g!) / det, -(a! * f! - c! * d!) / det],
    [C / det, -(a! * h! - b! * g!) / det, (a! * e! - b! * d!) / det],
  ];
}

export function apply(m: Matrix3, p: [number, number]): [number, number] {
  const [r0, r1, r2] = [m[0]!, m[1]!, m[2]!];
  const w = r2[0]! * p[0] + r2[1]! * p[1] + r2[2]!;
  return [(r0[0]! * p[0] + r0[1]! * p[1] + r0[2]!) / w, (r1[0]! * p[0] + r1[1]! * p[1] + r1[2]!) / w];
}

/** Pixels per metre at a façade point (vertical direction). */
export function pixelsPerMetre(toPixel: Matrix3, p: [number, number]): number {
  const a = apply(toPixel, p);
  const b = apply(toPixel, [p[0], p[1] + 0.1]);
  return Math.hypot(b[0] - a[0], b[1] - a[1]) / 0.1;
}
