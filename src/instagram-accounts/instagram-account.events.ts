/** Emitted (and awaited) when an owner removes an account: its conversations must disappear. */
export const INSTAGRAM_ACCOUNT_REMOVED = 'instagram-account.removed';

/** Emitted (and awaited) when a removed account is connected again by the same owner. */
export const INSTAGRAM_ACCOUNT_RESTORED = 'instagram-account.restored';

export interface InstagramAccountLifecycleEvent {
  accountId: string;
}
