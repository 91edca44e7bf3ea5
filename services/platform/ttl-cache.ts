/**
 * A small in-memory cache of asynchronous answers that expire after `ttlMs`. Concurrent misses for one key
 * share a single load (a burst of identical requests costs one query), and a failed load is not kept.
 * With `ttlMs` 0 every call loads.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { readonly expiresAt: number; readonly value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    /** Beyond this many keys the cache starts over rather than grow without bound. @default 1000 */
    private readonly maxEntries = 1_000,
  ) {}

  /** The cached answer for `key`, or the result of `load` (then cached). */
  get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.ttlMs === 0) return load();
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expiresAt > now) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = load();
    const entry = { expiresAt: now + this.ttlMs, value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
  }
}
