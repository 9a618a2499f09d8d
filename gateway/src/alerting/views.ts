/** Incidents and their history as the wire carries them (contracts/incidents.ts; ISO 8601 times). */
import type { IncidentHistoryView, IncidentView } from '../contracts/incidents.ts';
import type { HistoryEntry, Incident } from './model.ts';

export type Lang = 'zh-CN' | 'en';

function iso(ms: number): string;
function iso(ms: number | null): string | null;
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function incidentView(i: Incident, lang: Lang = 'zh-CN'): IncidentView {
  return {
    id: i.id,
    siteId: i.siteId,
    kind: i.kind,
    severity: i.severity,
    state: i.state,
    title: i.texts.title[lang] ?? i.texts.title['zh-CN'],
    message: i.texts.message[lang] ?? i.texts.message['zh-CN'],
    texts: i.texts,
    dedupeKey: i.dedupeKey,
    location: i.location,
    grid: i.grid,
    source: i.source,
    occurrences: i.occurrences,
    firstAlertId: i.firstAlertId,
    lastAlertId: i.lastAlertId,
    firstEventTs: iso(i.firstEventTs),
    lastEventTs: iso(i.lastEventTs),
    createdAt: iso(i.createdAt),
    updatedAt: iso(i.updatedAt),
    emergency: i.emergency,
    escalationStep: i.escalationStep,
    escalationLevel: i.chain[i.escalationStep]?.label ?? null,
    chain: i.chain,
    paged: i.paged,
    assignees: i.assignees,
    acceptedBy: i.acceptedBy,
    acceptedAt: iso(i.acceptedAt),
    arrivedAt: iso(i.arrivedAt),
    resolvedBy: i.resolvedBy,
    resolvedAt: iso(i.resolvedAt),
    disposition: i.disposition,
    resolutionNote: i.resolutionNote,
    photos: i.photos,
    reviewedBy: i.reviewedBy,
    reviewedAt: iso(i.reviewedAt),
    rating: i.rating,
    reviewNote: i.reviewNote,
    autoResolve: i.autoResolve,
    clearedAt: iso(i.clearedAt),
    flapping: i.flapping,
    tasks: i.tasks.map((t) => ({
      ...t,
      title: t.title[lang] ?? t.title['zh-CN'],
      checklist: t.checklist.map((c) => ({ ...c, text: c.text[lang] ?? c.text['zh-CN'], at: iso(c.at) })),
    })),
    commands: i.commands.map((c) => ({
      ...c,
      issuedAt: iso(c.issuedAt),
      lastSentAt: iso(c.lastSentAt),
      confirmedAt: iso(c.confirmedAt),
    })),
    lastChange: { ...i.lastChange, at: iso(i.lastChange.at) },
  };
}

export function historyView(h: HistoryEntry): IncidentHistoryView {
  return { ...h, at: iso(h.at) };
}
