import { createHmac, randomBytes } from 'node:crypto';
import { type GraphContext, page } from './graph-context';
import { pickLoose, requestedFields } from './graph-shapes';
import { graphTime, unsupportedRequest } from './simulator-http';
import type { Conversation, SimulatorState, StoredAttachment, StoredMessage } from './state';

/**
 * The conversation store (messages sent through the API or seen in delivered
 * webhooks) and the Conversations API that reads it.
 */

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

/** `GET /{id}/conversations?platform=instagram`: the account's conversations, latest first. */
export function listConversations(ctx: GraphContext): unknown {
  const { world, query } = ctx;
  if (ctx.host === 'graph' && query.platform !== 'instagram') return page(ctx, []);
  const accountId = ctx.account.instagramBusinessId;
  const fields = requestedFields(query, ['id']);
  const items = [...world.conversations.values()]
    .filter((c) => c.accountId === accountId && c.messages.length > 0)
    .filter((c) => query.user_id === undefined || c.userId === query.user_id)
    .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())
    .map((c) =>
      pickLoose(
        {
          id: c.id,
          updated_time: graphTime(c.updatedAt),
          participants: {
            data: [participant(world, c.userId), participant(world, accountId)],
          },
        },
        fields,
      ),
    );
  return page(ctx, items);
}

/** `GET /{conversation-id}/messages`: the conversation's messages, latest first. */
export function listMessages(ctx: GraphContext, conversationId: string): unknown {
  const { world } = ctx;
  const conversation = world.conversations.get(conversationId);
  if (!conversation || conversation.accountId !== ctx.account.instagramBusinessId) {
    throw unsupportedRequest(ctx.method, conversationId);
  }
  const fields = requestedFields(ctx.query, ['id', 'created_time']);
  const items = [...conversation.messages].reverse().map((m) =>
    pickLoose(
      {
        id: m.id,
        created_time: graphTime(m.createdAt),
        from: participant(world, m.fromId),
        to: { data: [participant(world, m.toId)] },
        message: m.text ?? '',
        ...(m.attachments.length > 0
          ? {
              attachments: {
                data: m.attachments.map((a, i) => conversationAttachment(a, `${m.id}_${i}`)),
              },
            }
          : {}),
      },
      fields,
    ),
  );
  return page(ctx, items);
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

function participant(world: SimulatorState, id: string): { username: string; id: string } {
  const account = world.accounts.get(id);
  if (account) return { username: account.username, id };
  return { username: world.users.get(id)?.username ?? id, id };
}

/** An attachment as the Conversations API returns it, with an id stable for `key`. */
function conversationAttachment(a: StoredAttachment, key: string): Record<string, unknown> {
  const id = createHmac('sha256', 'attachment').update(key).digest('hex').slice(0, 16);
  switch (a.type) {
    case 'image':
      return {
        id,
        mime_type: 'image/png',
        name: `image-${id}.png`,
        image_data: { url: a.url, preview_url: a.url, width: 1, height: 1 },
      };
    case 'video':
      return {
        id,
        mime_type: 'video/mp4',
        name: `video-${id}.mp4`,
        video_data: { url: a.url, preview_url: a.url, width: 1, height: 1 },
      };
    case 'audio':
      return { id, mime_type: 'audio/mpeg', name: `audio-${id}.mp3`, file_url: a.url };
    default:
      return { id, mime_type: 'application/octet-stream', name: `file-${id}`, file_url: a.url };
  }
}
