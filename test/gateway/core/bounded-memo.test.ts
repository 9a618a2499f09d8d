import { describe, expect, it } from 'vitest';
import { BoundedMemo } from '../../../gateway/src/core/bounded-memo.ts';

describe('BoundedMemo', () => {
  it('computes a key once, starts over at its limit, and forgets a computation that threw', () => {
    const memo = new BoundedMemo<number>(2);
    let calls = 0;
    const length = (k: string): number => {
      calls++;
      return k.length;
    };
    expect([memo.get('a', length), memo.get('a', length), memo.get('bb', length)]).toEqual([1, 1, 2]);
    expect(calls).toBe(2);
    memo.get('ccc', length); // the third key empties the memo first
    memo.get('a', length);
    expect(calls).toBe(4);
    const fail = (): number => {
      throw new Error('unknown topic');
    };
    expect(() => memo.get('x', fail)).toThrow('unknown topic');
    expect(memo.get('x', length)).toBe(1);
  });
});
