import { TtlCache } from '../common/cache/ttl-cache';
import type { ChangeBus } from '../redis/change-bus';

/** Change-bus topic: some account changed (removed, restored, token replaced, reconnect flag). */
const ACCOUNT_REFS_CHANGED = 'account-refs-changed';

/**
 * Webhook-path cache of which account a Meta id (Instagram or Page id) names,
 * including "no account" (`null`). `clear()`, called after every change to an account,
 * empties it here at once and, over the change bus, on every other instance. Entries live a
 * minute: that bounds staleness when a notification is lost, which takes Redis being
 * unreachable — and then no webhook job runs either.
 */
export class AccountRefCache<T> extends TtlCache<string, T | null> {
  constructor(
    private readonly bus?: ChangeBus,
    now?: () => number,
  ) {
    super({ ttlMs: 60_000, maxEntries: 10_000, now });
    bus?.on(ACCOUNT_REFS_CHANGED, () => super.clear());
  }

  /** Forgets every entry here, and on the other instances as soon as Redis delivers. */
  override clear(): void {
    super.clear();
    if (this.bus) void this.bus.publish(ACCOUNT_REFS_CHANGED, '');
  }
}
