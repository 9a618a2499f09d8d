/**
 * A memo of a pure function of a string key (a topic, say), emptied when it reaches `limit`
 * keys: the keys may come from outside (a device can publish under any suffix of its own topic),
 * so the memo must not grow without end. A key whose computation throws is not remembered.
 */
export class BoundedMemo<V> {
  private readonly values = new Map<string, V>();

  constructor(private readonly limit: number) {}

  get(key: string, compute: (key: string) => V): V {
    const known = this.values.get(key);
    if (known !== undefined) return known;
    const value = compute(key);
    if (this.values.size >= this.limit) this.values.clear();
    this.values.set(key, value);
    return value;
  }

  clear(): void {
    this.values.clear();
  }
}
