import { LRUCache } from 'lru-cache';

export interface TtlCacheOptions {
  /** Entries kept at most; setting one more evicts the least recently used. */
  maxEntries: number;
  /** How long an entry is served after it was set, in ms. Omitted: until evicted or deleted. */
  ttlMs?: number;
  /** The clock, in ms (tests pass their own). */
  now?: () => number;
}

/**
 * A bounded in-process cache with a time to live, on `lru-cache`. Values may be
 * `null` (a cached "nothing there"); `get` answers `undefined` only for a miss.
 * An expired entry is a miss. `delete` and `clear` take effect at once, also
 * over a {@link getOrLoad} still loading: what it loaded is answered but not kept.
 */
export class TtlCache<K extends NonNullable<unknown>, V> {
  private readonly entries: LRUCache<K, { value: V }>;
  /** Bumped by every `delete` and `clear`, so a load that started before one is not kept. */
  private invalidations = 0;

  constructor(options: TtlCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries <= 0) {
      throw new RangeError('maxEntries must be a positive integer');
    }
    if (options.ttlMs !== undefined && (!Number.isInteger(options.ttlMs) || options.ttlMs <= 0)) {
      throw new RangeError('ttlMs must be a positive integer');
    }
    const { now } = options;
    this.entries = new LRUCache<K, { value: V }>({
      max: options.maxEntries,
      ...(options.ttlMs === undefined ? {} : { ttl: options.ttlMs }),
      // Read the clock on every check instead of caching it for a millisecond.
      ttlResolution: 0,
      ...(now ? { perf: { now } } : {}),
    });
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): void {
    this.entries.set(key, { value });
  }

  /** The cached value, or what `load` answers, which is then kept (unless invalidated meanwhile). */
  async getOrLoad(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) return hit.value;
    const before = this.invalidations;
    const value = await load();
    if (this.invalidations === before) this.set(key, value);
    return value;
  }

  delete(key: K): void {
    this.invalidations += 1;
    this.entries.delete(key);
  }

  clear(): void {
    this.invalidations += 1;
    this.entries.clear();
  }
}
