/**
 * Alerting's tables in the embedded SQLite database (WAL), all under the `alerting` migration
 * namespace. This class reads and writes alerts, incidents with their append-only history, and
 * durable timers; records-store.ts the rest (silences, site mode, households, evidence log).
 * Documents are stored as JSON beside the columns queries filter on.
 */
import type { Statement } from 'better-sqlite3';
import type { Database } from '../store/database.ts';
import { migrate, writeTransaction } from '../store/database.ts';
import type { HistoryEntry, Incident, StoredAlert } from './model.ts';
import type { IncidentState } from '../contracts/incidents.ts';

const MIGRATIONS = [
  `CREATE TABLE alerting_alerts (
     id TEXT PRIMARY KEY, kind TEXT NOT NULL, severity TEXT NOT NULL, status TEXT NOT NULL,
     incident_id TEXT, dedupe_key TEXT NOT NULL, grid_node TEXT, event_ts INTEGER NOT NULL,
     detected_at INTEGER NOT NULL, doc TEXT NOT NULL)`,
  'CREATE INDEX alerting_alerts_detected ON alerting_alerts (detected_at)',
  'CREATE INDEX alerting_alerts_incident ON alerting_alerts (incident_id)',
  `CREATE TABLE alerting_incidents (
     id TEXT PRIMARY KEY, dedupe_key TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
     grid_node TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, doc TEXT NOT NULL)`,
  'CREATE INDEX alerting_incidents_dedupe ON alerting_incidents (dedupe_key, updated_at)',
  'CREATE INDEX alerting_incidents_created ON alerting_incidents (created_at)',
  `CREATE TABLE alerting_history (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT NOT NULL, at INTEGER NOT NULL,
     type TEXT NOT NULL, by TEXT, from_state TEXT, to_state TEXT, note TEXT, data TEXT NOT NULL)`,
  'CREATE INDEX alerting_history_incident ON alerting_history (incident_id, seq)',
  `CREATE TABLE alerting_timers (
     id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, kind TEXT NOT NULL, due_at INTEGER NOT NULL,
     created_at INTEGER NOT NULL, data TEXT NOT NULL)`,
  `CREATE TABLE alerting_silences (
     id TEXT PRIMARY KEY, matchers TEXT NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL,
     reason TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL, expired_by TEXT)`,
  `CREATE TABLE alerting_site_mode (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, mode TEXT NOT NULL, at INTEGER NOT NULL, by TEXT NOT NULL,
     reason TEXT)`,
  `CREATE TABLE alerting_absences (
     id TEXT PRIMARY KEY, household TEXT NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL,
     reason TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL)`,
  `CREATE TABLE alerting_visits (
     id TEXT PRIMARY KEY, household TEXT NOT NULL, at INTEGER NOT NULL, note TEXT, by TEXT NOT NULL)`,
  // Who viewed or exported an evidence package: append-only, enforced by the database itself.
  `CREATE TABLE alerting_evidence_access (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT NOT NULL, at INTEGER NOT NULL,
     by TEXT NOT NULL, action TEXT NOT NULL, ip TEXT, hash TEXT NOT NULL)`,
  `CREATE TRIGGER alerting_evidence_access_no_update BEFORE UPDATE ON alerting_evidence_access
     BEGIN SELECT RAISE(ABORT, 'evidence access log is append-only'); END`,
  `CREATE TRIGGER alerting_evidence_access_no_delete BEFORE DELETE ON alerting_evidence_access
     BEGIN SELECT RAISE(ABORT, 'evidence access log is append-only'); END`,
  // The custody log says to whom an export went (issue 18).
  'ALTER TABLE alerting_evidence_access ADD COLUMN recipient TEXT',
];

export interface TimerRow {
  id: string;
  incidentId: string;
  kind: string;
  dueAt: number;
  createdAt: number;
  data: Record<string, unknown>;
}

export type Row = Record<string, unknown>;
export const json = <T>(v: unknown): T => JSON.parse(String(v)) as T;
const toTimer = (r: Row): TimerRow => ({
  id: String(r.id),
  incidentId: String(r.incident_id),
  kind: String(r.kind),
  dueAt: Number(r.due_at),
  createdAt: Number(r.created_at),
  data: json<Record<string, unknown>>(r.data),
});

export class AlertingStore {
  // Prepared once per SQL text: escalation reminders on open incidents run these thousands of
  // times in a replayed month, and preparing costs more than running.
  private readonly statements = new Map<string, Statement<unknown[]>>();

  constructor(readonly db: Database) {
    migrate(db, 'alerting', MIGRATIONS);
  }

  private sql(text: string): Statement<unknown[]> {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  transaction<T>(fn: () => T): T {
    return writeTransaction(this.db, fn);
  }

  // ---- alerts
  hasAlert(id: string): boolean {
    return this.sql('SELECT 1 FROM alerting_alerts WHERE id = ?').get(id) !== undefined;
  }

  insertAlert(a: StoredAlert, detectedAt: number, eventTs: number): void {
    this.sql(
      `INSERT INTO alerting_alerts (id, kind, severity, status, incident_id, dedupe_key, grid_node, event_ts, detected_at, doc)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      a.id,
      a.kind,
      a.severity,
      a.status,
      a.incidentId,
      a.dedupeKey,
      a.gridNode,
      eventTs,
      detectedAt,
      JSON.stringify(a),
    );
  }

  /** Marks an incident's alerts resolved (they stay firing while it is active). */
  setAlertsStatus(incidentId: string, status: 'firing' | 'resolved'): void {
    this.sql(
      `UPDATE alerting_alerts SET status = ?, doc = json_set(doc, '$.status', ?)
         WHERE incident_id = ? AND status IN ('firing', 'resolved')`,
    ).run(status, status, incidentId);
  }

  getAlert(id: string): StoredAlert | undefined {
    const row = this.sql('SELECT doc FROM alerting_alerts WHERE id = ?').get(id) as Row | undefined;
    return row ? json<StoredAlert>(row.doc) : undefined;
  }

  listAlerts(q: {
    since?: number;
    until?: number;
    kind?: string;
    status?: string[];
    limit: number;
  }): StoredAlert[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.since !== undefined) {
      where.push('detected_at >= ?');
      args.push(q.since);
    }
    if (q.until !== undefined) {
      where.push('detected_at < ?');
      args.push(q.until);
    }
    if (q.kind) {
      where.push('kind = ?');
      args.push(q.kind);
    }
    if (q.status?.length) {
      where.push(`status IN (${q.status.map(() => '?').join(',')})`);
      args.push(...q.status);
    }
    const sql = `SELECT doc FROM alerting_alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY detected_at DESC, id LIMIT ?`;
    return (this.sql(sql).all(...args, q.limit) as Row[]).map((r) => json<StoredAlert>(r.doc));
  }

  alertsOfIncident(incidentId: string, limit = 1000): StoredAlert[] {
    return (
      this.sql('SELECT doc FROM alerting_alerts WHERE incident_id = ? ORDER BY event_ts, id LIMIT ?').all(
        incidentId,
        limit,
      ) as Row[]
    ).map((r) => json<StoredAlert>(r.doc));
  }

  // ---- incidents
  saveIncident(i: Incident): void {
    this.sql(
      `INSERT INTO alerting_incidents (id, dedupe_key, kind, state, grid_node, created_at, updated_at, doc)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, state = excluded.state,
           updated_at = excluded.updated_at, doc = excluded.doc`,
    ).run(i.id, i.dedupeKey, i.kind, i.state, i.gridNode, i.createdAt, i.updatedAt, JSON.stringify(i));
  }

  getIncident(id: string): Incident | undefined {
    const row = this.sql('SELECT doc FROM alerting_incidents WHERE id = ?').get(id) as Row | undefined;
    return row ? json<Incident>(row.doc) : undefined;
  }

  /** The newest incident for a dedupe key, whatever its state. */
  latestByDedupeKey(dedupeKey: string): Incident | undefined {
    const row = this.sql(
      'SELECT doc FROM alerting_incidents WHERE dedupe_key = ? ORDER BY created_at DESC LIMIT 1',
    ).get(dedupeKey) as Row | undefined;
    return row ? json<Incident>(row.doc) : undefined;
  }

  listIncidents(q: {
    states?: readonly IncidentState[];
    kind?: string;
    since?: number;
    until?: number;
    limit: number;
  }): Incident[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.states?.length) {
      where.push(`state IN (${q.states.map(() => '?').join(',')})`);
      args.push(...q.states);
    }
    if (q.kind) {
      where.push('kind = ?');
      args.push(q.kind);
    }
    if (q.since !== undefined) {
      where.push('created_at >= ?');
      args.push(q.since);
    }
    if (q.until !== undefined) {
      where.push('created_at < ?');
      args.push(q.until);
    }
    const sql = `SELECT doc FROM alerting_incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, id LIMIT ?`;
    return (this.sql(sql).all(...args, q.limit) as Row[]).map((r) => json<Incident>(r.doc));
  }

  /** Incidents not yet closed, counted by state (the /metrics gauge). */
  activeCounts(): Record<string, number> {
    const rows = this.sql(
      `SELECT state, COUNT(*) AS n FROM alerting_incidents
         WHERE state NOT IN ('resolved', 'reviewed', 'cancelled') GROUP BY state`,
    ).all() as Row[];
    return Object.fromEntries(rows.map((r) => [String(r.state), Number(r.n)]));
  }

  /** Kind, status, grid node and time of alerts in a range, for counts by bucket. */
  alertFacts(
    since: number,
    until: number,
  ): Array<{ kind: string; status: string; gridNode: string | null; at: number }> {
    return (
      this.sql(
        'SELECT kind, status, grid_node, detected_at FROM alerting_alerts WHERE detected_at >= ? AND detected_at < ?',
      ).all(since, until) as Row[]
    ).map((r) => ({
      kind: String(r.kind),
      status: String(r.status),
      gridNode: (r.grid_node as string | null) ?? null,
      at: Number(r.detected_at),
    }));
  }

  addHistory(e: Omit<HistoryEntry, 'seq'>): HistoryEntry {
    const info = this.sql(
      `INSERT INTO alerting_history (incident_id, at, type, by, from_state, to_state, note, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(e.incidentId, e.at, e.type, e.by, e.fromState, e.toState, e.note, JSON.stringify(e.data));
    return { ...e, seq: Number(info.lastInsertRowid) };
  }

  /** Whether the incident's history holds an entry of `type`, without reading the history. */
  hasHistory(incidentId: string, type: string): boolean {
    return (
      this.sql('SELECT 1 FROM alerting_history WHERE incident_id = ? AND type = ? LIMIT 1').get(
        incidentId,
        type,
      ) !== undefined
    );
  }

  history(incidentId: string): HistoryEntry[] {
    return (
      this.sql('SELECT * FROM alerting_history WHERE incident_id = ? ORDER BY seq').all(incidentId) as Row[]
    ).map((r) => ({
      seq: Number(r.seq),
      incidentId: String(r.incident_id),
      at: Number(r.at),
      type: String(r.type),
      by: (r.by as string | null) ?? null,
      fromState: (r.from_state as IncidentState | null) ?? null,
      toState: (r.to_state as IncidentState | null) ?? null,
      note: (r.note as string | null) ?? null,
      data: json<Record<string, unknown>>(r.data),
    }));
  }

  // ---- timers
  upsertTimer(t: TimerRow): void {
    this.sql(
      `INSERT INTO alerting_timers (id, incident_id, kind, due_at, created_at, data) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET due_at = excluded.due_at, created_at = excluded.created_at, data = excluded.data`,
    ).run(t.id, t.incidentId, t.kind, t.dueAt, t.createdAt, JSON.stringify(t.data));
  }

  deleteTimer(id: string): void {
    this.sql('DELETE FROM alerting_timers WHERE id = ?').run(id);
  }

  timers(): TimerRow[] {
    return (this.sql('SELECT * FROM alerting_timers ORDER BY due_at').all() as Row[]).map(toTimer);
  }

  timer(id: string): TimerRow | undefined {
    const row = this.sql('SELECT * FROM alerting_timers WHERE id = ?').get(id) as Row | undefined;
    return row ? toTimer(row) : undefined;
  }
}
