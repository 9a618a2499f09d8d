/**
 * Alert kinds the site's alerting policy names (routing, inhibitions, emergency triggers,
 * playbooks) checked against the kinds something can raise. A misspelt kind is not an error the
 * schema can catch — rules and flows may define new kinds — but it silently sends alerts to the
 * default roles and skips their playbook, so it is reported with the nearest real kind.
 */
import { ALERT_KINDS } from '../contracts/alerts.ts';
import type { AlertingConfig } from './config.ts';

export interface KindReference {
  /** JSON pointer into the site file. */
  pointer: string;
  kind: string;
}

export interface UnraisedKind extends KindReference {
  /** The raisable kind closest in spelling, when one is close. */
  suggestion: string | null;
}

export function kindReferences(config: AlertingConfig): KindReference[] {
  const refs: KindReference[] = [];
  for (const kind of Object.keys(config.routing.kinds))
    refs.push({ pointer: `/routing/kinds/${kind}`, kind });
  config.routing.inhibitions.forEach((rule, i) => {
    rule.sourceKinds.forEach((kind, j) =>
      refs.push({ pointer: `/routing/inhibitions/${i}/sourceKinds/${j}`, kind }),
    );
    rule.targetKinds.forEach((kind, j) =>
      refs.push({ pointer: `/routing/inhibitions/${i}/targetKinds/${j}`, kind }),
    );
  });
  config.escalation.emergency.autoOnKinds.forEach((kind, i) =>
    refs.push({ pointer: `/escalation/emergency/autoOnKinds/${i}`, kind }),
  );
  for (const kind of Object.keys(config.playbooks)) refs.push({ pointer: `/playbooks/${kind}`, kind });
  return refs;
}

/** References to kinds that neither the contract's built-in kinds nor `raised` include. */
export function unraisedKinds(config: AlertingConfig, raised: Iterable<string>): UnraisedKind[] {
  const known = new Set<string>([...ALERT_KINDS, ...raised]);
  return kindReferences(config)
    .filter((ref) => !known.has(ref.kind))
    .map((ref) => ({ ...ref, suggestion: nearest(ref.kind, known) }));
}

/** The closest kind within a third of the name's length in edits (typos, not different words). */
function nearest(kind: string, known: ReadonlySet<string>): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(kind.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(kind, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Levenshtein distance with adjacent transpositions (`fire_rsik` → `fire_risk` is one edit). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  return rows[a.length]![b.length]!;
}
