/**
 * The baseline the issue measures against: a plain parabola-fit rule, as most deployed trackers
 * do it (FIELD-NOTES §1.1: Nullkooland's image parabola, the Scitepress fence detector). Fit
 * z(t) = a t² + b t + c on the façade; alarm when the curve is a good fit, accelerates at about
 * g downwards and falls at least two floors; the origin is the fitted height at the first frame.
 */
import { parabolaFit } from './features.ts';
import type { FacadePoint } from './geometry.ts';
import { floorAt, type FacadeLayout } from './origin.ts';

export const BASELINE_RULE = {
  minR2: 0.95,
  /** Fitted vertical acceleration window, m/s²: g ± 40 %. */
  accelMs2: [-13.7, -5.9] as [number, number],
  minDropFloors: 2,
  minPoints: 5,
};

export function baselineDecision(
  pts: readonly FacadePoint[],
  layout: FacadeLayout,
): { alert: boolean; floor: number | null } {
  if (pts.length < BASELINE_RULE.minPoints) return { alert: false, floor: null };
  const fit = parabolaFit(pts);
  const z0 = fit.coefficients[2];
  const drop = z0 - pts[pts.length - 1]!.z;
  const alert =
    fit.r2 >= BASELINE_RULE.minR2 &&
    fit.accelMs2 >= BASELINE_RULE.accelMs2[0] &&
    fit.accelMs2 <= BASELINE_RULE.accelMs2[1] &&
    drop >= BASELINE_RULE.minDropFloors * layout.floorHeightM;
  return { alert, floor: floorAt(z0, layout) };
}
