/**
 * The group commit's two lanes (issue 16): urgent items (camera events, tracks) are committed in
 * their own transaction ahead of queued bulk telemetry, and still resolve only once committed.
 */
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../gateway/src/ingest/group-commit.ts';

/** A group commit whose transactions are recorded; `failOn` makes a transaction holding that item throw. */
function recorded(failOn?: string) {
  const transactions: string[][] = [];
  let current: string[] = [];
  const log: string[] = [];
  const commit = new GroupCommit<string>(
    (item) => {
      current.push(item);
      if (item === failOn) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
    },
    (fn) => {
      current = [];
      fn();
      transactions.push(current);
    },
    {
      committed: () => log.push(`committed ${transactions.at(-1)!.join(',')}`),
      failed: (err) => {
        log.push(`rolled back ${current.join(',')}`);
        return err as Error;
      },
    },
  );
  return { commit, transactions, log };
}

describe('group commit lanes', () => {
  it('commits an urgent item in its own transaction before the telemetry queued ahead of it', async () => {
    const { commit, transactions, log } = recorded();
    const settled: string[] = [];
    const track = (item: string, p: Promise<void>): Promise<void> => p.then(() => void settled.push(item));
    const backlog = ['t1', 't2', 't3'].map((t) => track(t, commit.enqueue(t)));
    const event = track('event', commit.enqueue('event', true));
    expect(commit.depth).toBe(4);

    await event;
    // The event is stored and resolved (its PUBACK) while the backlog still waits for its commit.
    expect(transactions).toEqual([['event']]);
    expect(settled).toEqual(['event']);
    expect(commit.depth).toBe(3);

    await Promise.all(backlog);
    expect(transactions).toEqual([['event'], ['t1', 't2', 't3']]);
    expect(log).toEqual(['committed event', 'committed t1,t2,t3']);
  });

  it('does not resolve an urgent item whose transaction rolled back, and commits the backlog apart', async () => {
    const { commit, transactions } = recorded('event');
    const backlog = commit.enqueue('t1');
    const event = commit.enqueue('event', true);
    await expect(event).rejects.toThrow('disk I/O error');
    await expect(backlog).resolves.toBeUndefined();
    expect(transactions).toEqual([['t1']]);
  });

  it('counts both lanes in its depth, which bounds what ingest takes', () => {
    const { commit } = recorded();
    for (let i = 0; i < 5; i++) void commit.enqueue(`t${i}`);
    for (let i = 0; i < 3; i++) void commit.enqueue(`e${i}`, true);
    expect(commit.depth).toBe(8);
  });
});
