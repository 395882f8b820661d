import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  it('serves an entry, a cached null included, until its time to live has passed', () => {
    let now = 1_000;
    const cache = new TtlCache<string, string | null>({
      maxEntries: 10,
      ttlMs: 5_000,
      now: () => now,
    });
    cache.set('a', 'value');
    cache.set('b', null);
    expect(cache.get('a')).toBe('value');
    expect(cache.get('b')).toBeNull();
    expect(cache.has('b')).toBe(true);
    expect(cache.get('unknown')).toBeUndefined();
    now += 5_000;
    expect(cache.get('a')).toBe('value');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.has('b')).toBe(false);
  });

  it('keeps entries without a time to live until they are evicted', () => {
    let now = 0;
    const cache = new TtlCache<string, boolean>({ maxEntries: 2, now: () => now });
    cache.set('a', true);
    now += 365 * 24 * 60 * 60 * 1000;
    expect(cache.get('a')).toBe(true);
  });

  it('evicts the least recently used entry when full, keeping the others', () => {
    const cache = new TtlCache<string, number>({ maxEntries: 2, ttlMs: 60_000 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('loads a missing entry once and answers it from the cache afterwards', async () => {
    const cache = new TtlCache<string, string | null>({ maxEntries: 10, ttlMs: 60_000 });
    const load = jest.fn(() => Promise.resolve(null));
    await expect(cache.getOrLoad('a', load)).resolves.toBeNull();
    await expect(cache.getOrLoad('a', load)).resolves.toBeNull();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not keep what a load answered when the key was deleted while it ran', async () => {
    const cache = new TtlCache<string, string>({ maxEntries: 10, ttlMs: 60_000 });
    let finish!: (value: string) => void;
    const loading = cache.getOrLoad('a', () => new Promise<string>((r) => (finish = r)));
    cache.delete('a');
    finish('before the change');
    await expect(loading).resolves.toBe('before the change');
    expect(cache.get('a')).toBeUndefined();
  });

  it('forgets one key on delete and everything on clear', () => {
    const cache = new TtlCache<string, number>({ maxEntries: 10, ttlMs: 60_000 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('refuses a size or time to live that is not a positive integer', () => {
    expect(() => new TtlCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new TtlCache({ maxEntries: 10, ttlMs: 0 })).toThrow(RangeError);
  });
});
