import { randomBytes } from 'node:crypto';
import type { Conversation, SimulatorState, StoredMessage } from './state';

/** The conversation store: messages sent through the API or seen in delivered webhooks. */

/** Adds a message to the conversation of the account and user, once per message id. */
export function storeMessage(
  world: SimulatorState,
  accountId: string,
  userId: string,
  message: StoredMessage,
): void {
  const conversation = conversationFor(world, accountId, userId);
  if (conversation.messages.some((m) => m.id === message.id)) return;
  conversation.messages.push(message);
  conversation.messages.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  if (message.createdAt > conversation.updatedAt) conversation.updatedAt = message.createdAt;
}

/** Removes an unsent message from the conversation of the account and user. */
export function deleteMessage(
  world: SimulatorState,
  accountId: string,
  userId: string,
  messageId: string,
): void {
  const conversation = conversationFor(world, accountId, userId);
  conversation.messages = conversation.messages.filter((m) => m.id !== messageId);
}

function conversationFor(world: SimulatorState, accountId: string, userId: string): Conversation {
  for (const conversation of world.conversations.values()) {
    if (conversation.accountId === accountId && conversation.userId === userId) return conversation;
  }
  const id = Buffer.from(
    `ig_t:1:IGMessageThread:${accountId}:${randomBytes(12).toString('hex')}`,
  ).toString('base64url');
  const conversation: Conversation = { id, accountId, userId, updatedAt: new Date(), messages: [] };
  world.conversations.set(id, conversation);
  return conversation;
}
