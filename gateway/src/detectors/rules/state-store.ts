/**
 * Rule instance state (pending since, firing, cooldown) in SQLite, so an alert that was firing
 * before a restart can still clear, and a `for:` timer keeps its start. Sample windows are not
 * stored here: they are rebuilt from the stored readings and events at start.
 */
import { migrate, writeTransaction, type Database } from '../../store/database.ts';
import type { FeedCursor, FeedCursorStore } from './rule-feed.ts';

export type InstanceStatus = 'idle' | 'pending' | 'firing' | 'clearing';

export interface InstanceState {
  ruleId: string;
  subjectKey: string;
  status: InstanceStatus;
  /** When the current pending or clearing phase began (event time). */
  since: number | null;
  /** Event time of the last evaluation; older inputs only update windows. */
  lastEvalTs: number;
  lastFiredAt: number | null;
  /** Device and dedupe key of the open firing (for its clear). */
  deviceId: string | null;
  dedupeKey: string | null;
}

export interface RuleStatePersistence {
  loadAll(): InstanceState[];
  save(states: InstanceState[]): void;
  remove(keys: Array<{ ruleId: string; subjectKey: string }>): void;
}

export class SqliteRuleStateStore implements RuleStatePersistence, FeedCursorStore {
  constructor(
    private readonly db: Database,
    private readonly siteId: string,
  ) {
    migrate(db, 'rules', [
      `CREATE TABLE rule_state (
         site_id TEXT NOT NULL, rule_id TEXT NOT NULL, subject_key TEXT NOT NULL,
         state TEXT NOT NULL, updated_at INTEGER NOT NULL,
         PRIMARY KEY (site_id, rule_id, subject_key))`,
      `CREATE TABLE rule_feed (
         site_id TEXT PRIMARY KEY, reading_seq INTEGER NOT NULL, event_id INTEGER NOT NULL)`,
    ]);
  }

  loadCursor(): FeedCursor | null {
    const row = this.db
      .prepare('SELECT reading_seq, event_id FROM rule_feed WHERE site_id = ?')
      .get(this.siteId) as { reading_seq: number; event_id: number } | undefined;
    return row ? { readingSeq: row.reading_seq, eventId: row.event_id } : null;
  }

  saveCursor(cursor: FeedCursor): void {
    this.db
      .prepare(
        `INSERT INTO rule_feed (site_id, reading_seq, event_id) VALUES (?, ?, ?)
         ON CONFLICT(site_id) DO UPDATE SET reading_seq = excluded.reading_seq, event_id = excluded.event_id`,
      )
      .run(this.siteId, cursor.readingSeq, cursor.eventId);
  }

  transaction(fn: () => void): void {
    writeTransaction(this.db, fn);
  }

  loadAll(): InstanceState[] {
    const rows = this.db.prepare('SELECT state FROM rule_state WHERE site_id = ?').all(this.siteId) as Array<{
      state: string;
    }>;
    return rows.map((r) => JSON.parse(r.state) as InstanceState);
  }

  save(states: InstanceState[]): void {
    const stmt = this.db.prepare(
      `INSERT INTO rule_state (site_id, rule_id, subject_key, state, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(site_id, rule_id, subject_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
    const now = Date.now();
    writeTransaction(this.db, () => {
      for (const s of states) stmt.run(this.siteId, s.ruleId, s.subjectKey, JSON.stringify(s), now);
    });
  }

  remove(keys: Array<{ ruleId: string; subjectKey: string }>): void {
    const stmt = this.db.prepare(
      'DELETE FROM rule_state WHERE site_id = ? AND rule_id = ? AND subject_key = ?',
    );
    writeTransaction(this.db, () => {
      for (const k of keys) stmt.run(this.siteId, k.ruleId, k.subjectKey);
    });
  }
}
