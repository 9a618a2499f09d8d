/**
 * Incidents as the API, MQTT (`weige/incidents/…`), the WebSocket, the street hub uplink and the
 * pages carry them, and the incident state machine (docs/CONTRACT.md, "Incident states": the
 * 四单制 loop open → dispatched → accepted → on_site → resolved → reviewed, plus escalated and
 * cancelled). Times on the wire are ISO 8601.
 */
import type { AlertKind, AlertLocation, AlertSource, Severity } from './alerts.ts';
import type { LocalizedText, Role } from './site.ts';

export const INCIDENT_STATES = [
  'open',
  'dispatched',
  'accepted',
  'on_site',
  'resolved',
  'reviewed',
  'escalated',
  'cancelled',
] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** Nobody has accepted it yet: escalation runs, and anyone paged may accept. */
export const UNACCEPTED_STATES: readonly IncidentState[] = ['open', 'dispatched', 'escalated'];
/** Still being handled (shown on the workers' lists; a new alert of its key joins it). */
export const ACTIVE_STATES: readonly IncidentState[] = [...UNACCEPTED_STATES, 'accepted', 'on_site'];
export const CLOSED_STATES: readonly IncidentState[] = ['resolved', 'reviewed', 'cancelled'];

const each = <S extends IncidentState>(
  from: readonly IncidentState[],
  to: S,
): Partial<Record<IncidentState, S>> => Object.fromEntries(from.map((s) => [s, to]));

/**
 * The state machine, one table: for each step, the state it moves an incident to from each state
 * that allows the step. A state missing from a step's row refuses that step
 * (`WEIGE_ERR_INCIDENT_TRANSITION_REFUSED`).
 */
export const INCIDENT_TRANSITIONS = {
  /** The first page goes out (the chain's first step). */
  dispatch: { open: 'dispatched' },
  /** A timeout or a supervisor moves it up the chain; an accepted incident keeps its state. */
  escalate: { ...each(UNACCEPTED_STATES, 'escalated'), accepted: 'accepted', on_site: 'on_site' },
  /** 接单 */
  accept: each(UNACCEPTED_STATES, 'accepted'),
  /** 到场 */
  arrive: { accepted: 'on_site' },
  /** 处置 */
  resolve: each(ACTIVE_STATES, 'resolved'),
  /** The condition cleared before anyone accepted it (the rule allows it). */
  auto_resolve: each(UNACCEPTED_STATES, 'resolved'),
  /** 评单 */
  review: { resolved: 'reviewed' },
  /** A supervisor hands it to someone else, or the street hands it back. */
  reassign: each(ACTIVE_STATES, 'dispatched'),
  hand_back: each(ACTIVE_STATES, 'dispatched'),
  cancel: each(ACTIVE_STATES, 'cancelled'),
  /** A call or visit is recorded (call first, elderly inactivity); the state is kept. */
  record_call: Object.fromEntries(ACTIVE_STATES.map((s) => [s, s])),
  /** The same danger again after it was resolved, within the reopen window. */
  reopen: { resolved: 'open' },
} as const satisfies Record<string, Partial<Record<IncidentState, IncidentState>>>;
export type IncidentStep = keyof typeof INCIDENT_TRANSITIONS;

/** The state `step` moves an incident in `from` to, or null when `from` does not allow it. */
export function nextState(from: IncidentState, step: IncidentStep): IncidentState | null {
  const row: Partial<Record<IncidentState, IncidentState>> = INCIDENT_TRANSITIONS[step];
  return row[from] ?? null;
}

/** A person paged for an incident, and at which step of the chain. */
export interface IncidentPage {
  staffId: string;
  name: string;
  role: Role;
  post: 'A' | 'B' | null;
  step: number;
}

/** One step of the escalation chain: A post, B post, then supervisors up the grid. */
export interface IncidentChainStep {
  label: string;
  gridNode: string;
  staff: Array<{ staffId: string; name: string; role: Role; post: 'A' | 'B' | null }>;
}

export type IncidentCommandStatus = 'pending' | 'sent' | 'confirmed' | 'failed' | 'skipped';

/** A device command an incident's playbook issues (cut a charging port's power), times aside. */
export interface IncidentCommandBase {
  id: string;
  deviceId: string;
  name: string;
  args: Record<string, unknown>;
  status: IncidentCommandStatus;
  attempts: number;
  maxAttempts: number;
  timeoutS: number;
  backoffS: number;
  lastError: string | null;
}

/** The incident on the wire, in the language asked for (`texts` has both). */
export interface IncidentView {
  id: string;
  siteId: string;
  kind: AlertKind;
  severity: Severity;
  state: IncidentState;
  title: string;
  message: string;
  texts: { title: LocalizedText; message: LocalizedText };
  dedupeKey: string;
  location: AlertLocation;
  grid: string[];
  source: AlertSource;
  occurrences: number;
  firstAlertId: string;
  lastAlertId: string;
  firstEventTs: string;
  lastEventTs: string;
  createdAt: string;
  updatedAt: string;
  emergency: boolean;
  escalationStep: number;
  escalationLevel: string | null;
  chain: IncidentChainStep[];
  paged: IncidentPage[];
  assignees: string[];
  acceptedBy: string | null;
  acceptedAt: string | null;
  arrivedAt: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  disposition: string | null;
  resolutionNote: string | null;
  photos: string[];
  reviewedBy: string | null;
  reviewedAt: string | null;
  rating: number | null;
  reviewNote: string | null;
  autoResolve: boolean;
  clearedAt: string | null;
  flapping: boolean;
  tasks: Array<{
    id: string;
    role: Role;
    title: string;
    status: 'pending' | 'in_progress' | 'done';
    checklist: Array<{ text: string; done: boolean; by: string | null; at: string | null }>;
  }>;
  commands: Array<
    IncidentCommandBase & {
      issuedAt: string;
      lastSentAt: string | null;
      confirmedAt: string | null;
    }
  >;
  /** What happened last (`dispatched`, `escalated`, `reminded`, `accepted`, …), when and by whom. */
  lastChange: { type: string; at: string; by: string | null };
}

/** One entry of an incident's history (GET /api/incidents/:id). */
export interface IncidentHistoryView {
  seq: number;
  incidentId: string;
  at: string;
  type: string;
  by: string | null;
  fromState: IncidentState | null;
  toState: IncidentState | null;
  note: string | null;
  data: Record<string, unknown>;
}
