import { TtlCache } from '../common/cache/ttl-cache';

/**
 * Webhook-path cache of which account a Meta id (Instagram or Page id) names,
 * including "no account" (`null`). Entries live a few seconds; every change to
 * an account in this process clears it, so other processes lag by at most the TTL.
 */
export class AccountRefCache<T> extends TtlCache<string, T | null> {
  constructor(now?: () => number) {
    super({ ttlMs: 5_000, maxEntries: 10_000, now });
  }
}
