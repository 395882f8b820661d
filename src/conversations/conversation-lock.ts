import { Injectable } from '@nestjs/common';
import { ClusterLock, type Lease } from '../redis/cluster-lock';

/**
 * Runs the writes to one conversation one at a time across every instance (a
 * {@link ClusterLock} lease per conversation): the webhook inbox job of the
 * conversation and the API's writes (mark read, send, hide, profile) take the
 * same lease. FerretDB (the embedded development database) applies concurrent
 * updates of one document as read-modify-write and could lose one of them.
 */
@Injectable()
export class ConversationLock {
  constructor(private readonly lock: ClusterLock) {}

  run<T>(key: string, work: (lease: Lease) => Promise<T>): Promise<T> {
    return this.lock.run(`conversation:${key}`, work);
  }
}

/** A write to a conversation under a lease another worker has taken over since. */
export class StaleConversationWriteError extends Error {
  constructor(conversationId: string) {
    super(`Conversation ${conversationId} is written under a newer lease`);
    this.name = StaleConversationWriteError.name;
  }
}

/** Lock key of the conversation between an account (its database id) and a participant. */
export function conversationKey(instagramAccount: unknown, igUserId: string): string {
  return `${String(instagramAccount)}:${igUserId}`;
}
