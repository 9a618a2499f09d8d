/**
 * The smaller alerting records: silences, site-mode switches, household absences and visits,
 * and the append-only evidence access log (tables created by AlertingStore's migrations).
 */
import type { Database } from '../store/database.ts';
import { json, type Row } from './store.ts';

export interface SilenceMatchers {
  device?: string;
  place?: string;
  kind?: string;
  building?: string;
  household?: string;
}

export interface Silence {
  id: string;
  matchers: SilenceMatchers;
  startsAt: number;
  endsAt: number;
  reason: string;
  createdBy: string;
  createdAt: number;
  expiredBy: string | null;
}

export interface ModeChange {
  seq: number;
  mode: 'normal' | 'emergency';
  at: number;
  by: string;
  reason: string | null;
}

export interface Absence {
  id: string;
  household: string;
  from: number;
  to: number;
  reason: string;
  createdBy: string;
  createdAt: number;
}

export interface Visit {
  id: string;
  household: string;
  at: number;
  note: string | null;
  by: string;
}

export interface EvidenceAccess {
  seq: number;
  at: number;
  by: string;
  action: string;
  ip: string | null;
  hash: string;
  /** To whom an export was handed (police station, court), null for views. */
  recipient: string | null;
}

export class AlertingRecords {
  constructor(private readonly db: Database) {}

  // ---- silences
  insertSilence(s: Silence): void {
    this.db
      .prepare(
        `INSERT INTO alerting_silences (id, matchers, starts_at, ends_at, reason, created_by, created_at, expired_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
      )
      .run(s.id, JSON.stringify(s.matchers), s.startsAt, s.endsAt, s.reason, s.createdBy, s.createdAt);
  }

  expireSilence(id: string, at: number, by: string): void {
    this.db
      .prepare('UPDATE alerting_silences SET ends_at = MIN(ends_at, ?), expired_by = ? WHERE id = ?')
      .run(at, by, id);
  }

  silences(activeAt?: number): Silence[] {
    const rows = (
      activeAt === undefined
        ? this.db.prepare('SELECT * FROM alerting_silences ORDER BY created_at DESC').all()
        : this.db
            .prepare('SELECT * FROM alerting_silences WHERE ends_at > ? ORDER BY created_at DESC')
            .all(activeAt)
    ) as Row[];
    return rows.map((r) => ({
      id: String(r.id),
      matchers: json<SilenceMatchers>(r.matchers),
      startsAt: Number(r.starts_at),
      endsAt: Number(r.ends_at),
      reason: String(r.reason),
      createdBy: String(r.created_by),
      createdAt: Number(r.created_at),
      expiredBy: (r.expired_by as string | null) ?? null,
    }));
  }

  // ---- site mode
  recordMode(mode: 'normal' | 'emergency', at: number, by: string, reason: string | null): void {
    this.db
      .prepare('INSERT INTO alerting_site_mode (mode, at, by, reason) VALUES (?, ?, ?, ?)')
      .run(mode, at, by, reason);
  }

  modeHistory(limit = 50): ModeChange[] {
    return (
      this.db.prepare('SELECT * FROM alerting_site_mode ORDER BY seq DESC LIMIT ?').all(limit) as Row[]
    ).map((r) => ({
      seq: Number(r.seq),
      mode: r.mode as 'normal' | 'emergency',
      at: Number(r.at),
      by: String(r.by),
      reason: (r.reason as string | null) ?? null,
    }));
  }

  // ---- households
  insertAbsence(a: Absence): void {
    this.db
      .prepare(
        'INSERT INTO alerting_absences (id, household, starts_at, ends_at, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(a.id, a.household, a.from, a.to, a.reason, a.createdBy, a.createdAt);
  }

  absences(household: string): Absence[] {
    return (
      this.db
        .prepare('SELECT * FROM alerting_absences WHERE household = ? ORDER BY starts_at DESC')
        .all(household) as Row[]
    ).map((r) => ({
      id: String(r.id),
      household: String(r.household),
      from: Number(r.starts_at),
      to: Number(r.ends_at),
      reason: String(r.reason),
      createdBy: String(r.created_by),
      createdAt: Number(r.created_at),
    }));
  }

  insertVisit(v: Visit): void {
    this.db
      .prepare('INSERT INTO alerting_visits (id, household, at, note, by) VALUES (?, ?, ?, ?, ?)')
      .run(v.id, v.household, v.at, v.note, v.by);
  }

  visits(household: string, limit = 100): Visit[] {
    return (
      this.db
        .prepare('SELECT * FROM alerting_visits WHERE household = ? ORDER BY at DESC LIMIT ?')
        .all(household, limit) as Row[]
    ).map((r) => ({
      id: String(r.id),
      household: String(r.household),
      at: Number(r.at),
      note: (r.note as string | null) ?? null,
      by: String(r.by),
    }));
  }

  // ---- evidence access log
  logEvidenceAccess(
    incidentId: string,
    at: number,
    by: string,
    action: string,
    ip: string | null,
    hash: string,
    recipient: string | null = null,
  ): void {
    this.db
      .prepare(
        'INSERT INTO alerting_evidence_access (incident_id, at, by, action, ip, hash, recipient) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(incidentId, at, by, action, ip, hash, recipient);
  }

  evidenceAccess(incidentId: string): EvidenceAccess[] {
    return (
      this.db
        .prepare('SELECT * FROM alerting_evidence_access WHERE incident_id = ? ORDER BY seq')
        .all(incidentId) as Row[]
    ).map((r) => ({
      seq: Number(r.seq),
      at: Number(r.at),
      by: String(r.by),
      action: String(r.action),
      ip: (r.ip as string | null) ?? null,
      hash: String(r.hash),
      recipient: (r.recipient as string | null) ?? null,
    }));
  }
}
