/**
 * The incident and its parts as alerting stores them and the API, MQTT and WebSocket return
 * them (camelCase wire names, times as epoch ms inside, ISO 8601 on the wire).
 */
import type { Alert, AlertKind, AlertLocation, AlertSource, Severity } from '../contracts/alerts.ts';
import type {
  IncidentChainStep,
  IncidentCommandBase,
  IncidentPage,
  IncidentState,
} from '../contracts/incidents.ts';
import type { LocalizedText, Role } from '../contracts/site.ts';

export const DISPOSITIONS = [
  'real',
  'false_alarm',
  /** Elderly inactivity: the resident (or their contact) answered the phone and is fine. */
  'answered_fine',
  'resident_away',
  'leak',
  'device_fault',
  'test',
  'duplicate',
  'other',
] as const;
export type Disposition = (typeof DISPOSITIONS)[number] | 'auto_cleared';
/** Dispositions that say the detector was wrong; counted per rule, model, device and household. */
export const FALSE_ALARM_DISPOSITIONS: readonly string[] = [
  'false_alarm',
  'answered_fine',
  'resident_away',
  'device_fault',
];

/** Call-first follow-up (elderly inactivity): who was called or visited, and what came of it. */
export const CALL_TARGETS = ['resident', 'emergency_contact', 'visit'] as const;
export const CALL_OUTCOMES = ['answered_fine', 'no_answer', 'visited'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export type AlertStatus = 'firing' | 'resolved' | 'silenced' | 'inhibited';

/** An alert as stored: the contract Alert plus both languages and its status. */
export interface StoredAlert extends Alert {
  status: AlertStatus;
  dedupeKey: string;
  gridNode: string | null;
  texts: { title: LocalizedText; message: LocalizedText };
  /** Silence id or inhibiting incident id when muted. */
  mutedBy: string | null;
}

export interface ChecklistItem {
  text: LocalizedText;
  done: boolean;
  by: string | null;
  at: number | null;
}

export interface IncidentTask {
  id: string;
  role: Role;
  title: LocalizedText;
  checklist: ChecklistItem[];
  status: 'pending' | 'in_progress' | 'done';
}

export interface IncidentCommand extends IncidentCommandBase {
  issuedAt: number;
  lastSentAt: number | null;
  confirmedAt: number | null;
}

export interface Incident {
  id: string;
  siteId: string;
  kind: AlertKind;
  severity: Severity;
  state: IncidentState;
  dedupeKey: string;
  texts: { title: LocalizedText; message: LocalizedText };
  location: AlertLocation;
  gridNode: string | null;
  grid: string[];
  source: AlertSource;
  occurrences: number;
  firstAlertId: string;
  lastAlertId: string;
  firstEventTs: number;
  lastEventTs: number;
  createdAt: number;
  updatedAt: number;
  /** Emergency mode was on when it was dispatched (tighter timeouts, broader routing). */
  emergency: boolean;
  chain: IncidentChainStep[];
  escalationStep: number;
  paged: IncidentPage[];
  assignees: string[];
  acceptedBy: string | null;
  acceptedAt: number | null;
  arrivedAt: number | null;
  resolvedBy: string | null;
  resolvedAt: number | null;
  disposition: Disposition | null;
  resolutionNote: string | null;
  photos: string[];
  reviewedBy: string | null;
  reviewedAt: number | null;
  rating: number | null;
  reviewNote: string | null;
  autoResolve: boolean;
  /**
   * Opened by a muted alert only to carry its safety command, or by a notice (below
   * routing.pageFrom): nobody paged until an alert that pages joins.
   */
  openedMuted?: boolean;
  clearedAt: number | null;
  flapping: boolean;
  flapTimes: number[];
  tasks: IncidentTask[];
  commands: IncidentCommand[];
  lastChange: { type: string; at: number; by: string | null };
}

export interface HistoryEntry {
  seq: number;
  incidentId: string;
  at: number;
  type: string;
  by: string | null;
  fromState: IncidentState | null;
  toState: IncidentState | null;
  note: string | null;
  data: Record<string, unknown>;
}
