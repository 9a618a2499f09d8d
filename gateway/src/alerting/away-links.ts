/**
 * Family links for 外出报备 (issue 13): a worker issues a household's family a link that records
 * "away until …" without a login. Only the token's sha256 is stored; a link lasts until it expires.
 */
import { createHash, randomBytes } from 'node:crypto';
import { migrate, type Database } from '../store/database.ts';

export interface AwayLink {
  id: string;
  household: string;
  issuedBy: string;
  issuedAt: number;
  expiresAt: number;
}

const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex');

export class AwayLinks {
  constructor(private readonly db: Database) {
    migrate(db, 'away_links', [
      `CREATE TABLE away_links (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, household TEXT NOT NULL,
        issued_by TEXT NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);`,
    ]);
  }

  /** Stores a new link and returns its token (shown once, in the link). */
  issue(link: AwayLink): string {
    const token = randomBytes(24).toString('base64url');
    this.db
      .prepare(
        'INSERT INTO away_links (id, token_hash, household, issued_by, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(link.id, hashOf(token), link.household, link.issuedBy, link.issuedAt, link.expiresAt);
    return token;
  }

  /** The link a token opens, if it has not expired by `now`. */
  open(token: string, now: number): AwayLink | null {
    const row = this.db
      .prepare('SELECT * FROM away_links WHERE token_hash = ? AND expires_at > ?')
      .get(hashOf(token), now) as Record<string, string | number> | undefined;
    return row
      ? {
          id: row.id as string,
          household: row.household as string,
          issuedBy: row.issued_by as string,
          issuedAt: row.issued_at as number,
          expiresAt: row.expires_at as number,
        }
      : null;
  }
}
