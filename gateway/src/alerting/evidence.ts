/**
 * The evidence package of an incident, fit to hand to the police: what the detectors saw (each
 * alert's evidence: track, fit, origin floor, readings), the snapshot/clip links, and a SHA-256
 * over a canonical JSON form of that content, so anyone can check a copy was not altered. Who
 * viewed or exported it is logged append-only in the store, every read.
 */
import { createHash } from 'node:crypto';
import type { Incident, StoredAlert } from './model.ts';

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

export function buildEvidence(incident: Incident, alerts: StoredAlert[]) {
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
    links: [...collectLinks(alerts.map((a) => a.evidence))].sort(),
  };
  const hash = createHash('sha256').update(canonicalJson(content)).digest('hex');
  return {
    content,
    hash: { algorithm: 'sha256', value: hash, over: 'canonical JSON of content (keys sorted)' },
  };
}
