import { TtlCache } from '../common/cache/ttl-cache';
import type { ChangeBus } from '../redis/change-bus';

/** Change-bus topic: some account changed (removed, restored, token replaced, reconnect flag). */
const ACCOUNT_REFS_CHANGED = 'account-refs-changed';

/**
 * Webhook-path cache of which account a Meta id (Instagram or Page id) names,
 * including "no account" (`null`). Entries live a few seconds. `clear()`, called after
 * every change to an account, empties it here at once and, over the change bus, on every
 * other instance; the TTL bounds staleness when a notification is lost (Redis unreachable).
 */
export class AccountRefCache<T> extends TtlCache<string, T | null> {
  constructor(
    private readonly bus?: ChangeBus,
    now?: () => number,
  ) {
    super({ ttlMs: 5_000, maxEntries: 10_000, now });
    bus?.on(ACCOUNT_REFS_CHANGED, () => super.clear());
  }

  /** Forgets every entry here, and on the other instances as soon as Redis delivers. */
  override clear(): void {
    super.clear();
    if (this.bus) void this.bus.publish(ACCOUNT_REFS_CHANGED, '');
  }
}
