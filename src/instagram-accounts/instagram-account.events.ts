import type { EventEmitter2 } from '@nestjs/event-emitter';

/** Emitted (and awaited) when an owner removes an account: its conversations must disappear. */
export const INSTAGRAM_ACCOUNT_REMOVED = 'instagram-account.removed';

/** Emitted (and awaited) when a removed account is connected again by the same owner. */
export const INSTAGRAM_ACCOUNT_RESTORED = 'instagram-account.restored';

export interface InstagramAccountLifecycleEvent {
  accountId: string;
}

/** Emits an account lifecycle event and waits for its listeners. */
export async function emitAccountLifecycle(
  events: EventEmitter2,
  event: typeof INSTAGRAM_ACCOUNT_REMOVED | typeof INSTAGRAM_ACCOUNT_RESTORED,
  accountId: string,
): Promise<void> {
  const payload: InstagramAccountLifecycleEvent = { accountId };
  await events.emitAsync(event, payload);
}
