/**
 * Two connections write the gateway's database: the gateway's and the rules worker's. A deferred
 * transaction that reads before it writes fails at once with SQLITE_BUSY when the other
 * connection committed in between (SQLite gives a stale snapshot no busy_timeout wait), and
 * ingest refused such a burst as `store_unavailable` under load. `writeTransaction` takes the
 * write lock when it begins, so the other connection waits instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, writeTransaction, type Database } from '../../../gateway/src/store/database.ts';

describe('write transactions across two connections', () => {
  let dir: string;
  let gateway: Database;
  let worker: Database;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'weige-wtx-'));
    gateway = openDatabase(dir);
    gateway.exec('CREATE TABLE t (v INTEGER)');
    // The worker's connection, without waiting: whether it must wait is what is tested.
    worker = new BetterSqlite3(path.join(dir, 'weige.db'));
    worker.pragma('busy_timeout = 0');
  });

  afterEach(() => {
    worker.close();
    gateway.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Reads, lets the worker try to commit a write, then writes; returns the worker's outcome. */
  function readThenWrite(run: (fn: () => void) => void): string {
    let workerOutcome = '';
    run(() => {
      gateway.prepare('SELECT count(*) FROM t').get();
      try {
        worker.prepare('INSERT INTO t VALUES (2)').run();
        workerOutcome = 'committed';
      } catch (err) {
        workerOutcome = (err as { code?: string }).code ?? String(err);
      }
      gateway.prepare('INSERT INTO t VALUES (1)').run();
    });
    return workerOutcome;
  }

  it('a deferred transaction fails when the other connection commits between its read and its write', () => {
    let failure: { code?: string } | null = null;
    try {
      readThenWrite((fn) => gateway.transaction(fn)());
    } catch (err) {
      failure = err as { code?: string };
    }
    expect(failure?.code).toMatch(/^SQLITE_BUSY/);
  });

  it('writeTransaction holds the write lock from its start: the other connection waits, nothing fails', () => {
    expect(readThenWrite((fn) => writeTransaction(gateway, fn))).toBe('SQLITE_BUSY');
    expect(gateway.prepare('SELECT v FROM t').all()).toEqual([{ v: 1 }]);
    // Once it has committed, the other connection writes as before.
    worker.prepare('INSERT INTO t VALUES (2)').run();
    expect(gateway.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
  });
});
