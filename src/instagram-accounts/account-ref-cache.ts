const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * Webhook-path cache of which account a Meta id (Instagram or Page id) names,
 * including "no account". Entries live a few seconds; every change to an
 * account in this process clears it, so other processes lag by at most the TTL.
 */
export class AccountRefCache<T> {
  private readonly entries = new Map<string, { value: T | null; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(metaId: string): { value: T | null } | undefined {
    const hit = this.entries.get(metaId);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.entries.delete(metaId);
      return undefined;
    }
    return { value: hit.value };
  }

  set(metaId: string, value: T | null): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(metaId, { value, expires: this.now() + TTL_MS });
  }

  clear(): void {
    this.entries.clear();
  }
}
