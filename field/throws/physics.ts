/**
 * Falling bodies in the façade plane: gravity, quadratic drag written through the terminal
 * velocity (a = g − (g/v_t²)|v − w|(v − w)), a log-profile wind with gusts, and the flutter of
 * light flat things. Positions are metres: x along the façade, z above ground.
 */
import type { Rng } from '../rng.ts';

export const G_M_S2 = 9.81;

export interface BodyKind {
  name: string;
  /** Terminal velocity range, m/s (sources: README.md, "thrown objects"). */
  vtMS: [number, number];
  /** Largest dimension, metres. */
  sizeM: [number, number];
  /** Tumbling light bodies change their drag from moment to moment. */
  tumbles: boolean;
  /** Flat light bodies (leaves, paper, film bags) oscillate sideways and may briefly rise. */
  flutters: boolean;
}

export interface Wind {
  /** Along-façade wind at the reference height, m/s (signed). */
  refMS: number;
  /** Gust turbulence intensity (σ / mean speed). */
  intensity: number;
}

export interface FallStart {
  x: number;
  z: number;
  vx: number;
  vz: number;
}

const WIND_REF_HEIGHT_M = 40;
const ROUGHNESS_M = 0.5;
const GUST_TIME_S = 2;

export function drawWind(rng: Rng): Wind {
  // 0–8 m/s at roof height, gust intensity 0.1–0.3 (field notes' wind range, deliberately wide).
  return { refMS: rng.uniform(0, 8) * (rng.chance(0.5) ? 1 : -1), intensity: rng.uniform(0.1, 0.3) };
}

function windAt(wind: Wind, zM: number): number {
  const z = Math.max(zM, 1);
  return (wind.refMS * Math.log(z / ROUGHNESS_M)) / Math.log(WIND_REF_HEIGHT_M / ROUGHNESS_M);
}

/**
 * Positions at t = 0, 1/fps, 2/fps … after release, until the body reaches the ground or
 * `maxS` has passed. Integrated in sub-steps of at most 20 ms (the drag time constant v_t/g is ≥ 0.1 s).
 */
export function fall(
  rng: Rng,
  body: { vtMS: number; tumbles: boolean; flutters: boolean },
  start: FallStart,
  wind: Wind,
  fps: number,
  maxS: number,
): Array<[number, number]> {
  const frameS = 1 / fps;
  const steps = Math.ceil(frameS / 0.02);
  const dt = frameS / steps;
  let { x, z, vx, vz } = start;
  let gust = 0;
  let drag = 1;
  const flutterHz = rng.uniform(0.5, 2);
  const flutterSide = rng.uniform(2, 6);
  const flutterLift = rng.uniform(0.2, 0.8) * G_M_S2;
  const phase = rng.uniform(0, 2 * Math.PI);
  const out: Array<[number, number]> = [[x, z]];
  for (let t = 0; t < maxS && z > 0;) {
    // Ornstein–Uhlenbeck gusts with σ = intensity × mean speed, updated once a frame.
    const gustSd = wind.intensity * Math.abs(wind.refMS);
    gust += (-gust / GUST_TIME_S) * frameS + gustSd * Math.sqrt((2 * frameS) / GUST_TIME_S) * rng.normal();
    if (body.tumbles) drag = Math.min(1.3, Math.max(0.7, drag + 0.1 * rng.normal()));
    for (let s = 0; s < steps; s++, t += dt) {
      const vt = body.vtMS * drag;
      const k = G_M_S2 / (vt * vt);
      const rx = vx - (windAt(wind, z) + gust);
      const speed = Math.hypot(rx, vz);
      let ax = -k * speed * rx;
      let az = -G_M_S2 - k * speed * vz;
      if (body.flutters) {
        const swing = Math.sin(2 * Math.PI * flutterHz * t + phase);
        ax += flutterSide * swing;
        if (vz < 0) az += flutterLift * Math.max(0, -swing);
      }
      vx += ax * dt;
      vz += az * dt;
      x += vx * dt;
      z += vz * dt;
    }
    out.push([x, z]);
  }
  return out;
}

/** Fall time from rest with drag (field notes' closed form), for checks. */
export function fallTimeS(heightM: number, vtMS: number): number {
  return (vtMS / G_M_S2) * Math.acosh(Math.exp((G_M_S2 * heightM) / (vtMS * vtMS)));
}
