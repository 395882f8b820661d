import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { systemScope } from '../common/scope/owner-scope';
import { ConversationsService } from '../conversations/conversations.service';
import type { InstagramAccountRef } from '../instagram-accounts/instagram-account-ref';
import { messagePreview } from './message-preview';
import { MessagesRepository, type MessageId, type MessageRecord } from './messages.repository';
import type {
  MessageDeletedEvent,
  MessageEditEvent,
  MessageEvent,
  MessagingEvent,
  ReactionEvent,
  ReadEvent,
  Referral,
} from './messaging-events';

/** How long before its echo a send whose outcome we never learned is matched with it. */
const UNCONFIRMED_SEND_WINDOW_MS = 10 * 60 * 1000;
/**
 * A send still pending after this long belongs to an instance that stopped while sending (a
 * live send answers or times out far sooner); younger ones are matched by the send itself.
 */
const PENDING_SEND_STALE_MS = 60 * 1000;

/** Writes made for the messaging webhook of a connected account. */
const WEBHOOK = systemScope('messaging webhook of a connected account');

/**
 * The event names a message that is not stored. The inbox job retries it
 * while that message's own update is still waiting to be processed, and
 * ignores it otherwise (the message was sent before the account was connected).
 */
export class TargetMessageNotFoundError extends Error {
  constructor(readonly messageId: string) {
    super(`No stored message with mid ${messageId}`);
    this.name = 'TargetMessageNotFoundError';
  }
}

/**
 * Applies Instagram messaging events to conversations and messages, one
 * conversation at a time (the caller, the conversation's inbox job, holds its
 * lock). Every operation is idempotent (unique mid per account, conditional
 * updates), so redelivered or replayed events change nothing.
 */
@Injectable()
export class MessageIngestionService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly conversations: ConversationsService,
  ) {}

  /**
   * Applies the event; true when it stored a new message. `fence` is the token of the
   * conversation lease the caller holds.
   */
  async ingest(
    account: InstagramAccountRef,
    event: MessagingEvent,
    fence: number,
  ): Promise<boolean> {
    switch (event.kind) {
      case 'message':
        return this.storeMessage(account, event, fence);
      case 'message_deleted':
        await this.deleteMessage(account, event, fence);
        return false;
      case 'message_edit':
        await this.editMessage(account, event);
        return false;
      case 'reaction':
        await this.react(account, event);
        return false;
      case 'read':
        await this.markRead(account, event);
        return false;
      case 'referral':
        await this.recordReferral(account, event.participantId, event.referral, event.timestamp);
        return false;
    }
  }

  /**
   * Removes the message the event stored if its conversation effects were never applied (its
   * update is given up).
   */
  async discardUnapplied(account: InstagramAccountRef, event: MessagingEvent): Promise<void> {
    if (event.kind !== 'message') return;
    const marked = await this.messages.findMarkedPending(WEBHOOK, account.id, event.messageId);
    if (!marked) return;
    if (await this.conversations.remembersApplied(marked.conversation, event.messageId)) return;
    await this.messages.deleteById(WEBHOOK, marked._id);
  }

  /** Resolves once background work started by ingestion (profile fetches) has finished. */
  settled(): Promise<void> {
    return this.conversations.profilesSettled();
  }

  /**
   * Insert, then apply: the message is stored (unique mid) marked `effectsPending`, and the
   * conversation changes only for a message stored now, or for one still marked (stored by an
   * attempt that may have ended before applying them). The conversation applies a message at
   * most once: it remembers the ids it applied, and a mark is cleared before its id is
   * forgotten, so a message is applied exactly when it is marked and not remembered.
   */
  private async storeMessage(
    account: InstagramAccountRef,
    event: MessageEvent,
    fence: number,
  ): Promise<boolean> {
    const inbound = event.direction === 'inbound';
    const { content } = event;
    const conversation = await this.conversations.ensureConversation(account, event.participantId);
    const storedId =
      (!inbound ? await this.adoptUnconfirmedSend(conversation._id, event) : null) ??
      (await this.messages.insertIfNew(WEBHOOK, {
        conversation: conversation._id,
        instagramAccount: conversation.instagramAccount,
        owner: conversation.owner,
        messageId: event.messageId,
        sender: inbound ? 'user' : 'page',
        senderId: inbound ? event.participantId : account.instagramBusinessId,
        text: content.text,
        attachments: content.attachments,
        timestamp: event.timestamp,
        status: content.unsupported ? 'unsupported' : inbound ? 'received' : 'sent',
        replyTo: content.replyTo,
        metadata: content.metadata,
        idempotencyKey: `auto:${randomUUID()}`,
        effectsPending: true,
      }));
    if (storedId || (await this.messages.findMarkedPending(WEBHOOK, account.id, event.messageId))) {
      const forget = this.conversations.appliedIdsToForget(conversation);
      if (forget.length > 0) {
        await this.messages.clearPendingEffects(WEBHOOK, conversation._id, forget);
      }
      await this.conversations.applyMessage(
        conversation,
        {
          timestamp: event.timestamp,
          messageId: event.messageId,
          preview: messagePreview(content),
          inbound,
        },
        fence,
      );
    }
    if (event.referral) {
      await this.recordReferral(account, event.participantId, event.referral, event.timestamp);
    }
    this.conversations.refreshProfileIfStale(conversation, account);
    return storedId !== null;
  }

  /**
   * An echo of a text or an attachment we sent but never learned the outcome of (Meta did not
   * answer in time, or the instance sending it stopped): that message becomes the sent one,
   * instead of a second copy. Meta's Send API has no idempotency key, so it is never sent
   * again. Only an echo carrying what one send part carries (a text alone, or one attachment
   * alone) can be such a send; the repository names the match.
   */
  private async adoptUnconfirmedSend(
    conversationId: MessageRecord['conversation'],
    event: MessageEvent,
  ): Promise<MessageId | null> {
    const { text, attachments } = event.content;
    const [attachment] = attachments;
    const content =
      text !== null && attachments.length === 0
        ? { text }
        : text === null && attachments.length === 1 && attachment
          ? { attachment }
          : null;
    if (!content) return null;
    const adopted = await this.messages.adoptUnconfirmedSend(
      WEBHOOK,
      conversationId,
      { messageId: event.messageId, timestamp: event.timestamp, ...content },
      {
        since: new Date(event.timestamp.getTime() - UNCONFIRMED_SEND_WINDOW_MS),
        pendingBefore: new Date(Date.now() - PENDING_SEND_STALE_MS),
      },
    );
    return adopted?._id ?? null;
  }

  private recordReferral(
    account: InstagramAccountRef,
    participantId: string,
    referral: Referral,
    at: Date,
  ): Promise<void> {
    return this.conversations.recordReferral(account, participantId, { ...referral, at });
  }

  private async deleteMessage(
    account: InstagramAccountRef,
    event: MessageDeletedEvent,
    fence: number,
  ): Promise<void> {
    const before = await this.messages.markDeleted(WEBHOOK, account.id, event.messageId);
    if (!before) {
      if (await this.messages.existsByMid(WEBHOOK, account.id, event.messageId)) return;
      throw new TargetMessageNotFoundError(event.messageId);
    }
    if (
      before.effectsPending &&
      !(await this.conversations.remembersApplied(before.conversation, event.messageId))
    ) {
      // Never applied to the conversation: there is nothing to forget, and it never will be.
      await this.conversations.rememberApplied(before.conversation, event.messageId, fence);
      return;
    }
    await this.conversations.forgetMessage(before.conversation, {
      messageId: event.messageId,
      timestamp: before.timestamp,
      wasUnread: before.sender === 'user' && !before.isRead,
    });
  }

  /** Replaces the text; the conversation's preview follows when the message is its newest. */
  private async editMessage(account: InstagramAccountRef, event: MessageEditEvent): Promise<void> {
    const edited = await this.messages.applyEdit(WEBHOOK, account.id, event.messageId, {
      text: event.text,
      editCount: event.editCount,
      at: event.timestamp,
    });
    if (!edited) {
      if (await this.messages.existsByMid(WEBHOOK, account.id, event.messageId)) return;
      throw new TargetMessageNotFoundError(event.messageId);
    }
    await this.conversations.replacePreviewIfLast(edited.conversation, {
      messageId: event.messageId,
      preview: messagePreview({
        text: edited.text,
        attachments: edited.attachments ?? [],
        metadata: edited.metadata ?? {},
        unsupported: edited.status === 'unsupported',
      }),
    });
  }

  private async react(account: InstagramAccountRef, event: ReactionEvent): Promise<void> {
    const applied = await this.messages.applyReaction(
      WEBHOOK,
      account.id,
      event.messageId,
      event.participantId,
      {
        reaction: event.action === 'react' ? (event.reaction ?? 'love') : null,
        emoji: event.action === 'react' ? event.emoji : null,
        at: event.timestamp,
      },
    );
    if (applied || (await this.messages.existsByMid(WEBHOOK, account.id, event.messageId))) return;
    throw new TargetMessageNotFoundError(event.messageId);
  }

  /**
   * Marks the account's messages read up to the named one (up to the read's
   * time when that message is not stored). Without a conversation nothing the
   * participant could have read is stored.
   */
  private async markRead(account: InstagramAccountRef, event: ReadEvent): Promise<void> {
    const conversation = await this.conversations.findByParticipant(account, event.participantId);
    if (!conversation) throw new TargetMessageNotFoundError(event.messageId);
    const upTo =
      (await this.messages.findTimestampByMid(WEBHOOK, account.id, event.messageId)) ??
      event.timestamp;
    await this.messages.markOutboundRead(WEBHOOK, conversation._id, upTo, event.timestamp);
  }
}
