/**
 * Release point (façade metres) → floor and window column with an uncertainty range. Objects
 * leave a window or balcony about a sill's height above the floor slab (GB 50096: 2.8 m storeys;
 * sills and railings 0.9–1.1 m, FIELD-NOTES §1.2), so floor k releases near (k−1)·H + sill.
 */

export interface FacadeLayout {
  floors: number;
  floorHeightM: number;
  widthM: number;
  windowColumns: number;
}

/** A site building's façade as origin tracing reads it (one window column unless the site says). */
export function facadeLayout(
  building: { floors: number; floorHeightM: number },
  facade: { widthM: number; windowColumns?: number },
): FacadeLayout {
  return {
    floors: building.floors,
    floorHeightM: building.floorHeightM,
    widthM: facade.widthM,
    windowColumns: facade.windowColumns ?? 1,
  };
}

export interface Origin {
  floor: number;
  floorRange: [number, number];
  column: number;
  columnRange: [number, number];
}

/** Sill height above the floor slab used to centre each floor's release band, metres. */
export const DEFAULT_SILL_M = 1.0;

export function floorAt(z: number, layout: FacadeLayout, sillM = DEFAULT_SILL_M): number {
  const k = Math.round((z - sillM) / layout.floorHeightM) + 1;
  return Math.min(layout.floors, Math.max(1, k));
}

export function columnAt(x: number, layout: FacadeLayout): number {
  const k = Math.floor((x / layout.widthM) * layout.windowColumns) + 1;
  return Math.min(layout.windowColumns, Math.max(1, k));
}

/** Floor and column with ranges spanning ±`spread`σ of the fitted release point. */
export function originOf(
  release: { x: number; z: number; sigmaX: number; sigmaZ: number },
  layout: FacadeLayout,
  sillM = DEFAULT_SILL_M,
  spread = 2,
): Origin {
  const dz = Math.min(spread * release.sigmaZ, 3 * layout.floorHeightM);
  const dx = Math.min(spread * release.sigmaX, layout.widthM / 2);
  return {
    floor: floorAt(release.z, layout, sillM),
    floorRange: [floorAt(release.z - dz, layout, sillM), floorAt(release.z + dz, layout, sillM)],
    column: columnAt(release.x, layout),
    columnRange: [columnAt(release.x - dx, layout), columnAt(release.x + dx, layout)],
  };
}
