import { Types } from 'mongoose';
import type { ConversationActivity } from '../conversations/conversations.repository';
import type { ConversationsService } from '../conversations/conversations.service';
import type { InstagramAccountRef } from '../instagram-accounts/instagram-account-ref';
import { MessageIngestionService } from './message-ingestion.service';
import type { MessagesRepository, NewMessage } from './messages.repository';
import type { MessageEvent, MessagingEvent } from './messaging-events';

const account: InstagramAccountRef = {
  id: new Types.ObjectId().toHexString(),
  userId: new Types.ObjectId().toHexString(),
  connectionType: 'instagram',
  instagramBusinessId: '17841400000000001',
  username: 'shop',
  isActive: true,
  reconnectRequired: false,
};

function dm(mid: string, timestamp: number): MessageEvent {
  return {
    kind: 'message',
    direction: 'inbound',
    accountMetaId: account.instagramBusinessId,
    participantId: '6100000000000001',
    timestamp: new Date(timestamp),
    messageId: mid,
    content: { text: mid, attachments: [], replyTo: null, metadata: {}, unsupported: false },
  };
}

/** The conversation lease token the inbox job holds. */
const FENCE = 1;

/**
 * In-memory messages (unique mid, the effects mark) and one conversation that applies a message
 * only when it does not remember it among those applied already, as the repositories do;
 * `failOnce` makes one step fail once, as a worker dying there would: before applying, or
 * right after.
 */
function setup(failOnce: 'apply' | 'applied') {
  const stored = new Map<string, { _id: Types.ObjectId; effectsPending?: boolean }>();
  const conversation = {
    _id: new Types.ObjectId(),
    instagramAccount: new Types.ObjectId(account.id),
    owner: new Types.ObjectId(account.userId),
    unreadCount: 0,
    appliedMessageIds: [] as string[],
  };
  let failed = false;
  const failHere = (step: 'apply' | 'applied') => {
    if (step !== failOnce || failed) return;
    failed = true;
    throw new Error(`worker died at ${step}`);
  };
  const messages: Record<string, jest.Mock> = {
    insertIfNew: jest.fn((_scope: unknown, message: NewMessage) => {
      if (stored.has(message.messageId)) return Promise.resolve(null);
      const _id = new Types.ObjectId();
      stored.set(message.messageId, { _id, effectsPending: message.effectsPending });
      return Promise.resolve(_id);
    }),
    findMarkedPending: jest.fn((_scope: unknown, _account: string, mid: string) => {
      const message = stored.get(mid);
      return Promise.resolve(
        message?.effectsPending ? { _id: message._id, conversation: conversation._id } : null,
      );
    }),
    clearPendingEffects: jest.fn(() => Promise.resolve()),
  };
  messages.markDeleted = jest.fn((_scope: unknown, _account: string, mid: string) => {
    const message = stored.get(mid);
    if (!message) return Promise.resolve(null);
    return Promise.resolve({
      conversation: conversation._id,
      sender: 'user',
      isRead: false,
      timestamp: new Date(0),
      ...message,
    });
  });
  const conversations = {
    ensureConversation: jest.fn().mockResolvedValue(conversation),
    appliedIdsToForget: jest.fn(() => []),
    applyMessage: jest.fn((_conversation: unknown, activity: ConversationActivity) => {
      failHere('apply');
      if (!conversation.appliedMessageIds.includes(activity.messageId)) {
        conversation.appliedMessageIds.push(activity.messageId);
        if (activity.inbound) conversation.unreadCount++;
      }
      failHere('applied');
      return Promise.resolve();
    }),
    remembersApplied: jest.fn((_id: unknown, mid: string) =>
      Promise.resolve(conversation.appliedMessageIds.includes(mid)),
    ),
    rememberApplied: jest.fn((_id: unknown, mid: string) => {
      conversation.appliedMessageIds.push(mid);
      return Promise.resolve();
    }),
    refreshProfileIfStale: jest.fn(),
    forgetMessage: jest.fn(() => {
      conversation.unreadCount--;
      return Promise.resolve();
    }),
  };
  const ingestion = new MessageIngestionService(
    messages as unknown as MessagesRepository,
    conversations as unknown as ConversationsService,
  );
  return { ingestion, conversation, stored, conversations };
}

/** The participant unsends the message, a second after it. */
function unsent(event: MessageEvent): MessagingEvent {
  return {
    kind: 'message_deleted',
    accountMetaId: event.accountMetaId,
    participantId: event.participantId,
    timestamp: new Date(event.timestamp.getTime() + 1000),
    messageId: event.messageId,
  };
}

describe('MessageIngestionService: insert, then apply', () => {
  it('counts a message once when its update is retried after the attempt failed before applying it', async () => {
    const { ingestion, conversation, conversations } = setup('apply');
    const event = dm('m-1', 1000);
    await expect(ingestion.ingest(account, event, FENCE)).rejects.toThrow(/died at apply/);
    expect(conversation.unreadCount).toBe(0);

    await expect(ingestion.ingest(account, event, FENCE)).resolves.toBe(false);
    expect(conversation.unreadCount).toBe(1);
    await ingestion.ingest(account, event, FENCE);
    expect(conversation.unreadCount).toBe(1);
    expect(conversations.applyMessage).toHaveBeenCalledTimes(3);
  });

  it('counts a message once when the attempt failed right after applying it', async () => {
    const { ingestion, conversation } = setup('applied');
    const event = dm('m-1', 1000);
    await expect(ingestion.ingest(account, event, FENCE)).rejects.toThrow(/died at applied/);
    expect(conversation.unreadCount).toBe(1);

    await ingestion.ingest(account, event, FENCE);
    await ingestion.ingest(account, event, FENCE);
    expect(conversation.unreadCount).toBe(1);
  });

  it('applies nothing for a redelivered message whose effects were applied', async () => {
    const { ingestion, conversation } = setup('applied');
    await expect(ingestion.ingest(account, dm('m-1', 1000), FENCE)).rejects.toThrow();
    await ingestion.ingest(account, dm('m-1', 1000), FENCE);
    await expect(ingestion.ingest(account, dm('m-2', 2000), FENCE)).resolves.toBe(true);
    await ingestion.ingest(account, dm('m-1', 1000), FENCE);
    expect(conversation.unreadCount).toBe(2);
  });

  it('clears the marks of the messages whose ids the conversation forgets before applying the next', async () => {
    const { ingestion, conversations } = setup('apply');
    conversations.appliedIdsToForget.mockReturnValue(['m-old'] as never);
    const order: string[] = [];
    const messages = (ingestion as unknown as { messages: Record<string, jest.Mock> }).messages;
    messages.clearPendingEffects.mockImplementation(() => {
      order.push('clear');
      return Promise.resolve();
    });
    conversations.applyMessage.mockImplementation(() => {
      order.push('apply');
      return Promise.resolve();
    });
    await ingestion.ingest(account, dm('m-1', 1000), FENCE);
    expect(messages.clearPendingEffects).toHaveBeenCalledWith(
      expect.anything(),
      expect.any(Types.ObjectId),
      ['m-old'],
    );
    expect(order).toEqual(['clear', 'apply']);
  });

  it('never counts a message unsent before its effects were applied', async () => {
    const { ingestion, conversation, conversations } = setup('apply');
    const event = dm('m-1', 1000);
    await expect(ingestion.ingest(account, event, FENCE)).rejects.toThrow(/died at apply/);
    await ingestion.ingest(account, unsent(event), FENCE);
    await ingestion.ingest(account, event, FENCE);
    expect(conversation.unreadCount).toBe(0);
    expect(conversations.forgetMessage).not.toHaveBeenCalled();
    expect(conversations.rememberApplied).toHaveBeenCalledWith(expect.anything(), 'm-1', FENCE);
  });

  it('forgets the unread mark of an applied message that is unsent while still marked', async () => {
    const { ingestion, conversation, conversations } = setup('applied');
    const event = dm('m-1', 1000);
    await expect(ingestion.ingest(account, event, FENCE)).rejects.toThrow(/died at applied/);
    await ingestion.ingest(account, unsent(event), FENCE);
    expect(conversations.forgetMessage).toHaveBeenCalled();
    expect(conversation.unreadCount).toBe(0);
  });
});
