/**
 * The street uplink's durable outbox (SQLite): every incident change and alert is staged in the
 * transaction that stored it (the bus's `publicationStaged`), device health, site-mode switches
 * and answers to street actions as they happen. Rows carry a gap-free sequence that is the
 * idempotency key at the hub; they are deleted once the hub says it stored them. The downlink
 * cursor (the last street action applied) lives beside it.
 */
import type { UplinkKind } from '../contracts/hub.ts';
import type { Database, MetaStore } from '../store/database.ts';
import { migrate } from '../store/database.ts';

export interface StagedRecord {
  seq: number;
  kind: UplinkKind;
  at: number;
  payload: string;
}

const DOWNLINK_CURSOR = 'street_link.downlink_cursor';

type Row = Record<string, unknown>;

export class UplinkOutbox {
  constructor(
    private readonly db: Database,
    private readonly meta: MetaStore,
  ) {
    migrate(db, 'street_link', [
      // AUTOINCREMENT: a seq is never reused, even after the rows before it were deleted.
      `CREATE TABLE street_uplink_outbox (
         seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, at INTEGER NOT NULL, payload TEXT NOT NULL)`,
    ]);
  }

  stage(kind: UplinkKind, body: unknown, at: number): void {
    this.db
      .prepare('INSERT INTO street_uplink_outbox (kind, at, payload) VALUES (?, ?, ?)')
      .run(kind, at, JSON.stringify(body));
  }

  pending(limit: number): StagedRecord[] {
    return (
      this.db.prepare('SELECT * FROM street_uplink_outbox ORDER BY seq LIMIT ?').all(limit) as Row[]
    ).map((r) => ({
      seq: Number(r.seq),
      kind: r.kind as UplinkKind,
      at: Number(r.at),
      payload: String(r.payload),
    }));
  }

  pendingCount(): number {
    return Number((this.db.prepare('SELECT COUNT(*) AS n FROM street_uplink_outbox').get() as Row).n);
  }

  /** The hub stored everything up to `seq`. */
  forgetThrough(seq: number): void {
    this.db.prepare('DELETE FROM street_uplink_outbox WHERE seq <= ?').run(seq);
  }

  downlinkCursor(): number {
    return Number(this.meta.get(DOWNLINK_CURSOR) ?? 0);
  }

  setDownlinkCursor(seq: number): void {
    this.meta.set(DOWNLINK_CURSOR, String(seq));
  }
}
