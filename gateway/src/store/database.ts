/**
 * The embedded SQLite database (better-sqlite3, WAL). Each module owns its tables and brings its
 * own numbered migrations under a namespace, applied once, in order, in a transaction.
 * WAL with synchronous=NORMAL keeps every committed write across a process crash (SIGKILL);
 * only an OS crash or power cut can lose the last transactions.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { Errors } from '../core/errors.ts';

export type { Database } from 'better-sqlite3';

/**
 * Opens (creating if need be) the database in `dataDir` and proves it can commit a write. A data
 * dir that cannot be created, opened or written fails with one clear `dataDirUnusable` error.
 */
export function openDatabase(dataDir: string, fileName = 'weige.db'): Database {
  let db: Database | null = null;
  try {
    createDir(dataDir);
    db = new BetterSqlite3(path.join(dataDir, fileName));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      namespace TEXT NOT NULL, version INTEGER NOT NULL, applied_at INTEGER NOT NULL,
      PRIMARY KEY (namespace, version))`);
    db.exec('CREATE TABLE IF NOT EXISTS store_probe (id INTEGER PRIMARY KEY, writes INTEGER NOT NULL)');
    probeWrite(db);
    return db;
  } catch (err) {
    db?.close();
    throw Errors.dataDirUnusable(
      `data dir '${path.resolve(dataDir)}' is not usable (${(err as Error).message}): it must be a directory this user can create or write, on a writable file system with free space (WEIGE_DATA_DIR)`,
    );
  }
}

function createDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    // A recursive mkdir says ENOENT under a read-only parent; a plain one says why (EROFS, EACCES).
    mkdirSync(dir);
    throw err;
  }
}

/** A one-row write that proves the store can commit (at start, and to detect recovery). */
export function probeWrite(db: Database): void {
  db.prepare(
    'INSERT INTO store_probe (id, writes) VALUES (1, 1) ON CONFLICT(id) DO UPDATE SET writes = writes + 1',
  ).run();
}

/** Applies the steps of `namespace` not applied yet. Step i is version i + 1; never edit a shipped step. */
export function migrate(db: Database, namespace: string, steps: string[]): void {
  const row = db
    .prepare('SELECT MAX(version) AS v FROM schema_migrations WHERE namespace = ?')
    .get(namespace) as { v: number | null };
  const current = row.v ?? 0;
  const record = db.prepare(
    'INSERT INTO schema_migrations (namespace, version, applied_at) VALUES (?, ?, ?)',
  );
  db.transaction(() => {
    steps.slice(current).forEach((sql, i) => {
      db.exec(sql);
      record.run(namespace, current + i + 1, Date.now());
    });
  })();
}

/** The last id an AUTOINCREMENT table handed out (0 before its first row); deleted rows keep it. */
export function lastAutoincrement(db: Database, table: string): number {
  const row = db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(table) as
    { seq: number } | undefined;
  return row?.seq ?? 0;
}

/** A small key/value table for cursors and module state. */
export class MetaStore {
  constructor(private readonly db: Database) {
    migrate(db, 'meta', ['CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)']);
  }

  get(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)
      ?.value;
  }

  set(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }
}

/**
 * Runs `fn` in a write transaction that holds the write lock from its start (BEGIN IMMEDIATE).
 * The rules worker writes the same file over its own connection: a deferred transaction that
 * read before its first write fails at once with SQLITE_BUSY (no busy_timeout wait) when the
 * worker committed in between, and ingest then refused a burst as `store_unavailable`.
 */
export function writeTransaction<T>(db: Database, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/**
 * Runs `fn` in a write transaction, or directly when one is already open (ingest group-commits a
 * whole burst): a nested better-sqlite3 transaction would cost a SAVEPOINT/RELEASE per call.
 */
export function inTransaction<T>(db: Database, fn: () => T): T {
  return db.inTransaction ? fn() : writeTransaction(db, fn);
}
