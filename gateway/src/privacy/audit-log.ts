/**
 * The personal-data access log (PIPL Arts. 51, 55): who read what, about which household or clip,
 * when, from where and why (the incident being handled). Append-only and hash-chained: each
 * entry's hash covers the previous entry's hash, and SQLite triggers refuse any UPDATE and any
 * DELETE that retention has not first anchored (the anchor keeps the hash the chain resumes from).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../alerting/evidence.ts';
import { migrate, type Database } from '../store/database.ts';

export interface AuditInput {
  at: number;
  actor: string;
  roles: string[];
  /** `read`, `export`, `erase`, `correct`, `consent_given`, `consent_withdrawn`, `retention`, `legal_hold`, … */
  action: string;
  /** `household:<id>`, `incident:<id>`, `alert:<id>`, `site`. */
  subject: string;
  /** Fields read, each `name` (full) or `name:masked`. */
  fields: string[];
  ip: string | null;
  /** Why: the incident being handled, a request id, or null. */
  purpose: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditEntry extends AuditInput {
  seq: number;
  prevHash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

export function entryHash(prevHash: string, e: AuditInput & { seq: number }): string {
  const body = canonicalJson({
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    roles: e.roles,
    action: e.action,
    subject: e.subject,
    fields: e.fields,
    ip: e.ip,
    purpose: e.purpose,
    detail: e.detail ?? null,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/** Checks a run of entries (oldest first) links up from `startHash`; the first broken seq or null. */
export function verifyChain(entries: AuditEntry[], startHash: string): number | null {
  let prev = startHash;
  for (const e of entries) {
    if (e.prevHash !== prev || entryHash(prev, e) !== e.hash) return e.seq;
    prev = e.hash;
  }
  return null;
}

type Row = Record<string, unknown>;

export class AuditLog {
  constructor(private readonly db: Database) {
    migrate(db, 'privacy_audit', [
      `CREATE TABLE privacy_audit (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,
        roles TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, fields TEXT NOT NULL, ip TEXT,
        purpose TEXT, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
       CREATE INDEX privacy_audit_subject ON privacy_audit (subject, seq);
       CREATE TABLE privacy_audit_anchor (through_seq INTEGER NOT NULL, hash TEXT NOT NULL, at INTEGER NOT NULL);
       CREATE TRIGGER privacy_audit_no_update BEFORE UPDATE ON privacy_audit
         BEGIN SELECT RAISE(ABORT, 'privacy_audit is append-only'); END;
       CREATE TRIGGER privacy_audit_no_delete BEFORE DELETE ON privacy_audit
         WHEN OLD.seq > (SELECT COALESCE(MAX(through_seq), 0) FROM privacy_audit_anchor)
         BEGIN SELECT RAISE(ABORT, 'privacy_audit is append-only (only anchored retention deletes)'); END;`,
    ]);
  }

  record(input: AuditInput): AuditEntry {
    return this.db.transaction(() => {
      const last = this.db.prepare('SELECT seq, hash FROM privacy_audit ORDER BY seq DESC LIMIT 1').get() as
        { seq: number; hash: string } | undefined;
      const seq = (last?.seq ?? this.anchor().throughSeq) + 1;
      const prevHash = last?.hash ?? this.anchor().hash;
      const hash = entryHash(prevHash, { ...input, seq });
      this.db
        .prepare(
          `INSERT INTO privacy_audit (seq, at, actor, roles, action, subject, fields, ip, purpose, detail, prev_hash, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          seq,
          input.at,
          input.actor,
          JSON.stringify(input.roles),
          input.action,
          input.subject,
          JSON.stringify(input.fields),
          input.ip,
          input.purpose,
          input.detail ? JSON.stringify(input.detail) : null,
          prevHash,
          hash,
        );
      return { ...input, seq, prevHash, hash };
    })();
  }

  entries(filter: { subject?: string; action?: string; since?: number; limit?: number } = {}): AuditEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.subject) {
      where.push('subject = ?');
      args.push(filter.subject);
    }
    if (filter.action) {
      where.push('action = ?');
      args.push(filter.action);
    }
    if (filter.since !== undefined) {
      where.push('at >= ?');
      args.push(filter.since);
    }
    const sql = `SELECT * FROM privacy_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 1_000_000) as Row[]).map(toEntry);
  }

  /** Where the stored chain starts: genesis, or the last entry retention removed. */
  anchor(): { throughSeq: number; hash: string } {
    const row = this.db
      .prepare('SELECT through_seq, hash FROM privacy_audit_anchor ORDER BY through_seq DESC LIMIT 1')
      .get() as { through_seq: number; hash: string } | undefined;
    return row ? { throughSeq: row.through_seq, hash: row.hash } : { throughSeq: 0, hash: GENESIS };
  }

  /** The whole stored chain checked: `{ok, entries, brokenAt}`. */
  verify(): { ok: boolean; entries: number; brokenAt: number | null } {
    const all = this.entries();
    const brokenAt = verifyChain(all, this.anchor().hash);
    return { ok: brokenAt === null, entries: all.length, brokenAt };
  }

  /** Retention: anchors the chain at the newest entry older than `cutoff`, then deletes up to it. */
  pruneBefore(cutoff: number, now: number): number {
    return this.db.transaction(() => {
      const last = this.db
        .prepare('SELECT seq, hash FROM privacy_audit WHERE at < ? ORDER BY seq DESC LIMIT 1')
        .get(cutoff) as { seq: number; hash: string } | undefined;
      if (!last) return 0;
      this.db
        .prepare('INSERT INTO privacy_audit_anchor (through_seq, hash, at) VALUES (?, ?, ?)')
        .run(last.seq, last.hash, now);
      return this.db.prepare('DELETE FROM privacy_audit WHERE seq <= ?').run(last.seq).changes;
    })();
  }
}

function toEntry(r: Row): AuditEntry {
  return {
    seq: Number(r.seq),
    at: Number(r.at),
    actor: String(r.actor),
    roles: JSON.parse(String(r.roles)) as string[],
    action: String(r.action),
    subject: String(r.subject),
    fields: JSON.parse(String(r.fields)) as string[],
    ip: (r.ip as string | null) ?? null,
    purpose: (r.purpose as string | null) ?? null,
    ...(r.detail ? { detail: JSON.parse(String(r.detail)) as Record<string, unknown> } : {}),
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}
