/**
 * What falls or flies in front of a façade. Terminal velocities are the field-notes figures
 * computed from mass and drag area (ρ = 1.2), widened by about 15 % either way; see README.md.
 */
import type { BodyKind } from './physics.ts';

export const THROWN: BodyKind[] = [
  { name: 'cigarette_butt', vtMS: [3.7, 10.9], sizeM: [0.008, 0.028], tumbles: true, flutters: false },
  { name: 'bottle_cap', vtMS: [6.2, 8.4], sizeM: [0.025, 0.035], tumbles: true, flutters: false },
  { name: 'tissue_ball', vtMS: [4.9, 6.7], sizeM: [0.04, 0.08], tumbles: true, flutters: false },
  { name: 'pet_bottle_empty', vtMS: [4.2, 12.1], sizeM: [0.06, 0.22], tumbles: true, flutters: false },
  { name: 'pet_bottle_full', vtMS: [22, 30], sizeM: [0.06, 0.22], tumbles: false, flutters: false },
  { name: 'egg_or_apple', vtMS: [30, 43], sizeM: [0.05, 0.09], tumbles: false, flutters: false },
  { name: 'garbage_bag', vtMS: [18, 24], sizeM: [0.25, 0.45], tumbles: true, flutters: false },
  { name: 'flower_pot', vtMS: [37, 49], sizeM: [0.12, 0.25], tumbles: false, flutters: false },
  { name: 'kitchen_waste', vtMS: [8, 25], sizeM: [0.05, 0.15], tumbles: true, flutters: false },
  { name: 'film_bag', vtMS: [1.0, 1.4], sizeM: [0.2, 0.4], tumbles: true, flutters: true },
  { name: 'clothes', vtMS: [2.5, 8], sizeM: [0.3, 0.8], tumbles: true, flutters: true },
];

/** Condensate, laundry and eave drops: 2–5 mm, 6.5–9.2 m/s (Gunn & Kinzer 1949). */
export const DROP: BodyKind = {
  name: 'drop',
  vtMS: [6.5, 9.2],
  sizeM: [0.002, 0.005],
  tumbles: false,
  flutters: false,
};

/** Rain: 1–5 mm drops at about 4–9 m/s, near-vertical (Gunn & Kinzer 1949). */
export const RAIN: BodyKind = {
  name: 'rain',
  vtMS: [4, 9],
  sizeM: [0.001, 0.005],
  tumbles: false,
  flutters: false,
};

/** Leaves and paper: 1–2.7 m/s descent with sideways oscillation (paper-square measurements). */
export const LEAF: BodyKind = {
  name: 'leaf',
  vtMS: [1, 2.7],
  sizeM: [0.04, 0.12],
  tumbles: true,
  flutters: true,
};
export const PAPER: BodyKind = {
  name: 'paper',
  vtMS: [1, 2.7],
  sizeM: [0.1, 0.3],
  tumbles: true,
  flutters: true,
};
