/**
 * Muting, as Alertmanager users expect it. A silence is a maintenance window: every matcher
 * given (device, place, kind, building, household) must equal the alert's, between `startsAt`
 * and `endsAt`. An inhibition mutes alerts of some kinds while an incident of a source kind is
 * active at the same place (a fire in a shed mutes that shed's offline and fault alerts: the
 * sensors are burning, the responders know).
 */
import type { InhibitionRule } from './config.ts';
import type { Incident, StoredAlert } from './model.ts';
import type { Silence } from './records-store.ts';

export function silenceMatches(s: Silence, a: StoredAlert, at: number): boolean {
  if (at < s.startsAt || at >= s.endsAt) return false;
  const m = s.matchers;
  const checks: Array<[string | undefined, string | null]> = [
    [m.device, a.source.deviceId],
    [m.place, a.location.place],
    [m.kind, a.kind],
    [m.building, a.location.building],
    [m.household, a.location.household],
  ];
  // A silence with no matcher at all would mute everything: refused at creation, never matches here.
  return (
    checks.some(([want]) => want !== undefined) &&
    checks.every(([want, got]) => want === undefined || want === got)
  );
}

export function findSilence(silences: Silence[], a: StoredAlert, at: number): Silence | undefined {
  return silences.find((s) => silenceMatches(s, a, at));
}

export function findInhibitor(
  rules: InhibitionRule[],
  active: Incident[],
  a: StoredAlert,
): Incident | undefined {
  for (const rule of rules) {
    if (!rule.targetKinds.includes(a.kind)) continue;
    const hit = active.find(
      (i) =>
        rule.sourceKinds.includes(i.kind) &&
        rule.equal.every((field) => a.location[field] !== null && a.location[field] === i.location[field]),
    );
    if (hit) return hit;
  }
  return undefined;
}
