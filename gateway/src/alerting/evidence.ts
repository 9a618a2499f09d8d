/**
 * The evidence package of an incident, fit to hand to the police: what the detectors saw (each
 * alert's evidence: track, fit, origin floor, readings), the snapshot/clip links, and a SHA-256
 * over a canonical JSON form of that content, so anyone can check a copy was not altered. Each
 * item (the incident, every alert, its history, the links) also carries its own SHA-256, so a
 * court can be handed a part and still check it. Who viewed or exported it, and to whom, is
 * logged append-only in the store, every read (the custody log). `verifyEvidence` checks a
 * package offline (scripts/verify-evidence.ts).
 */
import { createHash } from 'node:crypto';
import type { HistoryEntry, Incident, StoredAlert } from './model.ts';

/** JSON with object keys sorted at every level: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Every string under a key that names a link (`snapshot_url`, `clipUrl`, `links: [...]`). */
export function collectLinks(value: unknown, key = '', out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    if (/(url|link|links|href)$/i.test(key) && /^(https?|rtsp|s3):\/\//i.test(value)) out.add(value);
  } else if (Array.isArray(value)) value.forEach((v) => collectLinks(v, key, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) collectLinks(v, k, out);
  return out;
}

const sha256 = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex');

export interface EvidenceContent {
  incident: Record<string, unknown>;
  alerts: Array<Record<string, unknown> & { id: string }>;
  history: unknown[];
  links: string[];
}

/** One hash per item of the content, named `incident`, `alert:<id>`, `history`, `links`. */
export function evidenceItems(content: EvidenceContent): Array<{ name: string; sha256: string }> {
  return [
    { name: 'incident', sha256: sha256(content.incident) },
    ...content.alerts.map((a) => ({ name: `alert:${a.id}`, sha256: sha256(a) })),
    { name: 'history', sha256: sha256(content.history) },
    { name: 'links', sha256: sha256(content.links) },
  ];
}

export function buildEvidence(incident: Incident, alerts: StoredAlert[], history: HistoryEntry[] = []) {
  const content = {
    incident: {
      id: incident.id,
      siteId: incident.siteId,
      kind: incident.kind,
      severity: incident.severity,
      title: incident.texts.title,
      location: incident.location,
      grid: incident.grid,
      source: incident.source,
      firstEventTs: new Date(incident.firstEventTs).toISOString(),
      createdAt: new Date(incident.createdAt).toISOString(),
    },
    alerts: alerts.map((a) => ({
      id: a.id,
      eventTs: a.eventTs,
      detectedAt: a.detectedAt,
      source: a.source,
      location: a.location,
      evidence: a.evidence,
    })),
    history: history.map((h) => ({
      at: new Date(h.at).toISOString(),
      type: h.type,
      by: h.by,
      fromState: h.fromState,
      toState: h.toState,
      note: h.note,
    })),
    links: [...collectLinks(alerts.map((a) => a.evidence))].sort(),
  };
  return {
    content,
    items: evidenceItems(content),
    hash: { algorithm: 'sha256', value: sha256(content), over: 'canonical JSON of content (keys sorted)' },
  };
}

/** Checks a package as exported (JSON): every item hash and the package hash. Problems, or none. */
export function verifyEvidence(pkg: {
  content?: EvidenceContent;
  items?: Array<{ name: string; sha256: string }>;
  hash?: { algorithm?: string; value?: string };
}): string[] {
  if (!pkg.content || !pkg.items || !pkg.hash?.value)
    return ['not an evidence package: content, items or hash missing'];
  if (pkg.hash.algorithm !== 'sha256') return [`unknown hash algorithm '${String(pkg.hash.algorithm)}'`];
  const problems: string[] = [];
  const expected = new Map(evidenceItems(pkg.content).map((i) => [i.name, i.sha256]));
  for (const item of pkg.items) {
    const want = expected.get(item.name);
    if (want === undefined) problems.push(`item ${item.name}: not in the content`);
    else if (want !== item.sha256) problems.push(`item ${item.name}: SHA-256 does not match its content`);
    expected.delete(item.name);
  }
  for (const name of expected.keys()) problems.push(`item ${name}: in the content but not listed`);
  if (sha256(pkg.content) !== pkg.hash.value) problems.push('package: SHA-256 does not match the content');
  return problems;
}
