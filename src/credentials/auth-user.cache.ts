import { Injectable, Optional } from '@nestjs/common';
import { TtlCache } from '../common/cache/ttl-cache';
import type { Role } from '../common/permissions/permission-catalogue';
import { ChangeBus } from '../redis/change-bus';

/** What authenticating a request needs to know of a user. */
export interface AuthUserState {
  email: string;
  role: Role;
  isDisabled: boolean;
}

/** Change-bus topic: the payload is the id of a user whose authentication state changed. */
const AUTH_USER_CHANGED = 'auth-user-changed';

/**
 * Short-lived cache of each user's role, email and disabled flag, so authenticating a
 * request costs no database round trip. Every change of role, email, disabled flag or
 * deletion calls {@link invalidate}: the entry goes at once in this process and, over the
 * change bus, on every other instance. The TTL bounds staleness when a notification is lost
 * (Redis unreachable) and in contexts without Redis (the create-admin command).
 */
@Injectable()
export class AuthUserCache {
  private readonly states = new TtlCache<string, AuthUserState | null>({
    ttlMs: 5_000,
    maxEntries: 10_000,
  });

  constructor(@Optional() private readonly bus?: ChangeBus) {
    bus?.on(AUTH_USER_CHANGED, (userId) => this.states.delete(userId));
  }

  get(userId: string, load: () => Promise<AuthUserState | null>): Promise<AuthUserState | null> {
    return this.states.getOrLoad(userId, load);
  }

  /** Forgets the user's state here at once, and on the other instances as soon as Redis delivers. */
  invalidate(userId: string): void {
    this.states.delete(userId);
    if (this.bus) void this.bus.publish(AUTH_USER_CHANGED, userId);
  }
}
