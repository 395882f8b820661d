import { Injectable } from '@nestjs/common';
import type { UserAuthState } from '../users/users.repository';

const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * Short-lived cache of each user's role and disabled flag, so authenticating a
 * request costs no database round trip. Every change of role, disabled flag or
 * deletion calls {@link invalidate}, so it takes effect at once in this process.
 */
@Injectable()
export class AuthUserCache {
  private readonly entries = new Map<string, { state: UserAuthState | null; expires: number }>();

  async get(
    userId: string,
    load: () => Promise<UserAuthState | null>,
  ): Promise<UserAuthState | null> {
    const hit = this.entries.get(userId);
    if (hit && hit.expires > Date.now()) return hit.state;
    const state = await load();
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(userId, { state, expires: Date.now() + TTL_MS });
    return state;
  }

  invalidate(userId: string): void {
    this.entries.delete(userId);
  }
}
