/**
 * The shapes the dashboards read from the API. Alerts and incidents follow the contract types
 * (gateway/src/contracts); an incident is read into one view shape that the pages render.
 */
import type { Alert, AlertLocation, Severity } from '../../../gateway/src/contracts/alerts.ts';
import type { Building, GridNode, Household, Place } from '../../../gateway/src/contracts/site.ts';
import type { MonitoredHousehold } from '../../../gateway/src/contracts/privacy.ts';
import { hasRole, type SessionUser } from './session.ts';
import {
  ACTIVE_STATES,
  UNACCEPTED_STATES as CONTRACT_UNACCEPTED_STATES,
  type IncidentState,
  type IncidentView as WireIncident,
} from '../../../gateway/src/contracts/incidents.ts';

export type { Alert, AlertLocation, IncidentState, Severity, MonitoredHousehold };

export interface SiteView {
  id: string;
  name: { 'zh-CN': string; en?: string };
  timezone: string;
  plan: { w: number; h: number } | null;
  grid: GridNode;
  buildings: Building[];
  places: Place[];
  /** Flats only: who lives there is read (and logged) through GET /api/households. */
  households: Array<Pick<Household, 'id' | 'building' | 'unit' | 'floor' | 'room' | 'grid'>>;
  staff: { id: string; name: string; username: string; roles: string[]; grid: string; onCall?: string }[];
}

export interface HistoryEntry {
  /** The state the incident moved to, or what happened (`escalated`, `paged`, `note`). */
  state: string;
  at: number;
  by: string | null;
  note: string | null;
}

/** An incident as the dashboards render it (from alerting's incident view, docs/api-stream.md). */
export interface IncidentView {
  id: string;
  kind: string;
  severity: Severity;
  state: IncidentState;
  /** Both languages when the gateway sends them (`texts`), else the one it chose. */
  title: unknown;
  message: unknown;
  location: AlertLocation;
  /** Grid node ids from the street down, as on the alert. */
  grid: string[];
  openedAt: number;
  updatedAt: number;
  acceptedAt: number | null;
  resolvedAt: number | null;
  /** Staff id of whoever holds it now: who accepted it, else who it is assigned to. */
  holder: string | null;
  holderName: string | null;
  /** Who it is dispatched to (staff ids); they, and supervisors of its grid, may act on it. */
  assignees: string[];
  /** Everyone paged for it (A post, B post, supervisors), with names. */
  paged: { staffId: string; name: string }[];
  emergency: boolean;
  escalationLevel: string | null;
  deviceId: string | null;
  firstAlertId: string | null;
  lastAlertId: string | null;
  occurrences: number;
  resolutionNote: string | null;
  history: HistoryEntry[];
  /** The playbook's tasks for this incident, one per role, in the language asked for. */
  tasks: IncidentTaskView[];
}

export interface IncidentTaskView {
  role: string;
  title: string;
  checklist: { text: string; done: boolean }[];
}

export interface DeviceView {
  id: string;
  kind: string;
  codec: string;
  name?: string;
  household?: string;
  place?: string;
  building?: string;
  facade?: string;
  ports?: number;
  grid: string | null;
  health: {
    status: 'online' | 'offline' | 'unknown';
    lastSeen: string | null;
    batteryPct: number | null;
    cause: string;
  };
}

export interface ReadingView {
  deviceId: string;
  ts: string;
  port: number | null;
  values: Record<string, number>;
  labels: Record<string, string>;
}

export const SEVERITY_RANK: Record<string, number> = { critical: 0, major: 1, minor: 2, info: 3 };
export const OPEN_STATES: ReadonlySet<string> = new Set(ACTIVE_STATES);

const EMPTY_LOCATION: AlertLocation = {
  building: null,
  facade: null,
  floor: null,
  floorRange: null,
  unit: null,
  household: null,
  place: null,
};

type Raw = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const time = (v: unknown): number | null => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isFinite(ms) ? ms : null;
  }
  return null;
};

function readHistory(raw: unknown): HistoryEntry[] {
  if (!Array.isArray(raw)) return [];
  return (raw as Raw[]).map((e) => ({
    state: str(e.toState) ?? str(e.type) ?? '',
    at: time(e.at) ?? 0,
    by: str(e.by),
    note: str(e.note),
  }));
}

/** One incident from GET /api/incidents, GET /api/incidents/:id or an `incident` push message. */
export function toIncident(raw: Raw): IncidentView {
  // The wire shape is the contract's; read defensively all the same (an older gateway, a partial push).
  const w = raw as Partial<WireIncident> & { history?: unknown };
  const texts = (w.texts ?? {}) as { title?: unknown; message?: unknown };
  const paged = (Array.isArray(w.paged) ? w.paged : []) as { staffId: string; name: string }[];
  const assignees = (Array.isArray(w.assignees) ? w.assignees : []) as string[];
  const holder = str(w.acceptedBy) ?? assignees[0] ?? null;
  const source = (w.source ?? {}) as Raw;
  const openedAt = time(w.createdAt) ?? time(w.firstEventTs) ?? Date.now();
  return {
    id: String(w.id),
    kind: String(w.kind ?? ''),
    severity: (str(w.severity) ?? 'info') as Severity,
    state: (str(w.state) ?? 'open') as IncidentState,
    title: texts.title ?? w.title ?? '',
    message: texts.message ?? w.message ?? '',
    location: { ...EMPTY_LOCATION, ...((w.location ?? {}) as Partial<AlertLocation>) },
    grid: (Array.isArray(w.grid) ? w.grid : []) as string[],
    openedAt,
    updatedAt: time(w.updatedAt) ?? openedAt,
    acceptedAt: time(w.acceptedAt),
    resolvedAt: time(w.resolvedAt),
    holder,
    holderName: paged.find((p) => p.staffId === holder)?.name ?? null,
    assignees,
    paged,
    emergency: w.emergency === true,
    escalationLevel: str(w.escalationLevel),
    deviceId: str(source.deviceId),
    firstAlertId: str(w.firstAlertId),
    lastAlertId: str(w.lastAlertId),
    occurrences: typeof w.occurrences === 'number' ? w.occurrences : 1,
    resolutionNote: str(w.resolutionNote),
    history: readHistory(w.history),
    tasks: readTasks(w.tasks),
  };
}

function readTasks(raw: unknown): IncidentTaskView[] {
  if (!Array.isArray(raw)) return [];
  return (raw as Raw[]).map((task) => ({
    role: String(task.role ?? ''),
    title: String(task.title ?? ''),
    checklist: (Array.isArray(task.checklist) ? (task.checklist as Raw[]) : []).map((c) => ({
      text: String(c.text ?? ''),
      done: c.done === true,
    })),
  }));
}

/** Most urgent first, then newest: how a grid worker wants their list. */
export function byUrgency(a: IncidentView, b: IncidentView): number {
  return (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) || b.openedAt - a.openedAt;
}

/** Mirrors the API's rule: those it is dispatched or paged to, and supervisors of its grid, act on it. */
export function mayAct(inc: IncidentView, me: SessionUser): boolean {
  return (
    inc.assignees.includes(me.id) ||
    inc.paged.some((p) => p.staffId === me.id) ||
    hasRole(me, 'micro_grid_leader')
  );
}

export const UNACCEPTED_STATES: ReadonlySet<string> = new Set(CONTRACT_UNACCEPTED_STATES);
