import { Injectable } from '@nestjs/common';
import { TtlCache } from '../common/cache/ttl-cache';
import type { Role } from '../common/permissions/permission-catalogue';

/** What authenticating a request needs to know of a user. */
export interface AuthUserState {
  email: string;
  role: Role;
  isDisabled: boolean;
}

/**
 * Short-lived cache of each user's role and disabled flag, so authenticating a
 * request costs no database round trip. Every change of role, disabled flag or
 * deletion calls {@link invalidate}, so it takes effect at once in this process.
 */
@Injectable()
export class AuthUserCache {
  private readonly states = new TtlCache<string, AuthUserState | null>({
    ttlMs: 5_000,
    maxEntries: 10_000,
  });

  get(userId: string, load: () => Promise<AuthUserState | null>): Promise<AuthUserState | null> {
    return this.states.getOrLoad(userId, load);
  }

  invalidate(userId: string): void {
    this.states.delete(userId);
  }
}
