import { Injectable } from '@nestjs/common';

/**
 * Runs the writes to one conversation one after another within this process.
 * MongoDB applies each single-document update atomically anyway; FerretDB (the
 * embedded development database) applies updates as read-modify-write, so two
 * concurrent updates of one document could lose one of them.
 */
@Injectable()
export class ConversationWriteQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => task());
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

/** Queue key of the conversation between an account and a participant. */
export function conversationKey(instagramAccount: unknown, igUserId: string): string {
  return `${String(instagramAccount)}:${igUserId}`;
}
