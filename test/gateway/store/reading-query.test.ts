/**
 * `SqliteReadingStore.query` keeps one prepared statement per query shape (issue 16: the rules
 * rebuild their windows with a query per registered device at start, and preparing each took
 * most of a 100 k-device start). A statement reused with other arguments must still answer each
 * query for its own arguments, whatever shapes came before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../gateway/src/store/database.ts';
import { SqliteReadingStore } from '../../../gateway/src/store/reading-store.ts';
import type { Reading } from '../../../gateway/src/contracts/readings.ts';
import { testNow } from '../../helpers/clock.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'weige-reading-query-'));
const db = openDatabase(dir);
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = testNow() - 3600_000;
const reading = (deviceId: string, n: number, port: number | null = null): Reading => ({
  siteId: 'site-a',
  deviceId,
  kind: 'water_meter',
  ts: T0 + n * 60_000,
  port,
  values: { total_m3: 100 + n },
  labels: {},
});

const store = new SqliteReadingStore(db);
store.insert([
  ...[0, 1, 2, 3].map((n) => reading('wm-1', n)),
  ...[0, 1].map((n) => reading('wm-2', n)),
  ...[0, 1].map((n) => reading('pile-1', n, 2)),
  reading('pile-1', 1, 3),
]);
const total = (rs: Reading[]): number[] => rs.map((r) => r.values.total_m3!);

describe('reading queries', () => {
  it('answer each device and range for its own arguments when a shape repeats', () => {
    const newest = (deviceId: string): number[] =>
      total(store.query({ siteId: 'site-a', deviceId, order: 'desc', limit: 1 }));
    expect(newest('wm-1')).toEqual([103]);
    expect(newest('wm-2')).toEqual([101]);
    expect(newest('wm-9')).toEqual([]);
    expect(
      total(store.query({ siteId: 'site-a', deviceId: 'wm-1', from: T0 + 60_000, to: T0 + 120_000 })),
    ).toEqual([101, 102]);
    expect(total(store.query({ siteId: 'site-a', deviceId: 'wm-2', from: T0 }))).toEqual([100, 101]);
  });

  it('keep the port, sequence and continuation conditions apart between shapes', () => {
    const pile = { siteId: 'site-a', deviceId: 'pile-1' };
    expect(total(store.query({ ...pile, port: 2 }))).toEqual([100, 101]);
    expect(total(store.query({ ...pile, port: 3 }))).toEqual([101]);
    expect(total(store.query(pile))).toEqual([100, 101, 101]);
    // wm-1's readings are the first four stored: sequence numbers 1–4.
    expect(total(store.query({ siteId: 'site-a', deviceId: 'wm-1', throughSeq: 2 }))).toEqual([100, 101]);
    expect(
      total(store.query({ siteId: 'site-a', deviceId: 'wm-1', after: { ts: T0 + 60_000, port: null } })),
    ).toEqual([102, 103]);
    expect(
      total(
        store.query({
          siteId: 'site-a',
          deviceId: 'wm-1',
          order: 'desc',
          after: { ts: T0 + 120_000, port: null },
        }),
      ),
    ).toEqual([101, 100]);
  });

  it('prepare a shape once, not at every call', () => {
    const prepare = vi.spyOn(db, 'prepare');
    const shape = (deviceId: string) =>
      store.query({ siteId: 'site-a', deviceId, order: 'desc', limit: 1, throughSeq: 99 });
    expect(total(shape('wm-1'))).toEqual([103]);
    const afterFirst = prepare.mock.calls.length;
    for (const id of ['wm-2', 'wm-1', 'pile-1', 'wm-9']) shape(id);
    expect(afterFirst).toBe(1);
    expect(prepare.mock.calls.length).toBe(afterFirst);
    prepare.mockRestore();
  });

  it('name each device of the site with readings once, and no device of another site', () => {
    store.insert([{ ...reading('wm-other', 0), siteId: 'site-b' }]);
    expect([...store.devicesWithReadings('site-a')].sort()).toEqual(['pile-1', 'wm-1', 'wm-2']);
    expect([...store.devicesWithReadings('site-b')]).toEqual(['wm-other']);
    expect(store.devicesWithReadings('site-c').size).toBe(0);
  });
});
