/** Legal holds on incidents (PIPL Art. 47 exception: evidence a case needs is kept past retention and erasure). */
import { migrate, type Database } from '../store/database.ts';

export interface LegalHold {
  incidentId: string;
  by: string;
  at: number;
  reason: string;
}

export class LegalHolds {
  constructor(private readonly db: Database) {
    migrate(db, 'privacy_holds', [
      `CREATE TABLE privacy_legal_holds (incident_id TEXT PRIMARY KEY, by TEXT NOT NULL, at INTEGER NOT NULL,
        reason TEXT NOT NULL)`,
    ]);
  }

  place(h: LegalHold): void {
    this.db
      .prepare(
        `INSERT INTO privacy_legal_holds (incident_id, by, at, reason) VALUES (?, ?, ?, ?)
         ON CONFLICT(incident_id) DO UPDATE SET by = excluded.by, at = excluded.at, reason = excluded.reason`,
      )
      .run(h.incidentId, h.by, h.at, h.reason);
  }

  release(incidentId: string): boolean {
    return (
      this.db.prepare('DELETE FROM privacy_legal_holds WHERE incident_id = ?').run(incidentId).changes > 0
    );
  }

  isHeld(incidentId: string): boolean {
    return Boolean(
      this.db.prepare('SELECT 1 FROM privacy_legal_holds WHERE incident_id = ?').get(incidentId),
    );
  }

  list(): LegalHold[] {
    return (
      this.db.prepare('SELECT * FROM privacy_legal_holds ORDER BY at').all() as Array<Record<string, unknown>>
    ).map((r) => ({
      incidentId: String(r.incident_id),
      by: String(r.by),
      at: Number(r.at),
      reason: String(r.reason),
    }));
  }
}
