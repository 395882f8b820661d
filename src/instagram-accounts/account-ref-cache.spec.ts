import { AccountRefCache } from './account-ref-cache';

describe('AccountRefCache', () => {
  it('answers from the cache, including a cached miss, until the entry expires', () => {
    let now = 1_000;
    const cache = new AccountRefCache<string>(undefined, () => now);
    cache.set('178414', 'account-a');
    cache.set('999', null);
    expect(cache.get('178414')).toBe('account-a');
    expect(cache.get('999')).toBeNull();
    expect(cache.get('unknown')).toBeUndefined();
    now += 59_000;
    expect(cache.get('178414')).toBe('account-a');
    now += 1_001;
    expect(cache.get('178414')).toBeUndefined();
  });

  it('forgets everything when cleared', () => {
    const cache = new AccountRefCache<string>();
    cache.set('178414', 'account-a');
    cache.clear();
    expect(cache.get('178414')).toBeUndefined();
  });
});
