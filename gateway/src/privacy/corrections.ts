/**
 * Corrections residents asked for (PIPL Art. 46): a new phone for the resident, new family
 * contacts. Kept in the store over what the site file says until the site file is updated.
 */
import type { Contact, Household } from '../contracts/site.ts';
import { migrate, type Database } from '../store/database.ts';

export interface Correction {
  phone?: string;
  contacts?: Contact[];
}

export class Corrections {
  constructor(private readonly db: Database) {
    migrate(db, 'privacy_corrections', [
      `CREATE TABLE privacy_corrections (household TEXT PRIMARY KEY, doc TEXT NOT NULL, at INTEGER NOT NULL)`,
    ]);
  }

  get(householdId: string): Correction | null {
    const row = this.db
      .prepare('SELECT doc FROM privacy_corrections WHERE household = ?')
      .get(householdId) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Correction) : null;
  }

  save(householdId: string, correction: Correction, at: number): Correction {
    const merged = { ...(this.get(householdId) ?? {}), ...correction };
    this.db
      .prepare(
        `INSERT INTO privacy_corrections (household, doc, at) VALUES (?, ?, ?)
         ON CONFLICT(household) DO UPDATE SET doc = excluded.doc, at = excluded.at`,
      )
      .run(householdId, JSON.stringify(merged), at);
    return merged;
  }

  erase(householdId: string): number {
    return this.db.prepare('DELETE FROM privacy_corrections WHERE household = ?').run(householdId).changes;
  }

  apply(h: Household): Household {
    const c = this.get(h.id);
    if (!c) return h;
    return {
      ...h,
      ...(c.contacts ? { contacts: c.contacts } : {}),
      ...(c.phone && h.resident ? { resident: { ...h.resident, phone: c.phone } } : {}),
    };
  }
}
