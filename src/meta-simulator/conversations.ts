import { randomBytes } from 'node:crypto';
import type { Conversation, SimulatorState } from './state';

/**
 * The conversation store: per account and user, the ids of the messages sent
 * through the API or seen in delivered webhooks, and the time of the latest.
 */

/** Counts a message in the conversation of the account and user, once per message id. */
export function recordMessage(
  world: SimulatorState,
  accountId: string,
  userId: string,
  messageId: string,
  at: Date,
): void {
  const conversation = conversationFor(world, accountId, userId);
  if (conversation.messageIds.has(messageId)) return;
  conversation.messageIds.add(messageId);
  if (at > conversation.updatedAt) conversation.updatedAt = at;
}

/** Forgets an unsent message in the conversation of the account and user. */
export function deleteMessage(
  world: SimulatorState,
  accountId: string,
  userId: string,
  messageId: string,
): void {
  conversationFor(world, accountId, userId).messageIds.delete(messageId);
}

function conversationFor(world: SimulatorState, accountId: string, userId: string): Conversation {
  for (const conversation of world.conversations.values()) {
    if (conversation.accountId === accountId && conversation.userId === userId) return conversation;
  }
  const id = Buffer.from(
    `ig_t:1:IGMessageThread:${accountId}:${randomBytes(12).toString('hex')}`,
  ).toString('base64url');
  const conversation: Conversation = {
    id,
    accountId,
    userId,
    updatedAt: new Date(),
    messageIds: new Set(),
  };
  world.conversations.set(id, conversation);
  return conversation;
}
