import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types, type QueryFilter, type UpdateQuery } from 'mongoose';
import { olderThan, type PageCursor } from '../common/pagination/page-cursor';
import { OwnedDataRepository } from '../common/scope/owned-data.repository';
import type { OwnerScope } from '../common/scope/owner-scope';
import { escapeRegex } from '../common/utils/escape-regex';
import { Conversation, type StoredReferral } from './schemas/conversation.schema';
import { StaleConversationWriteError } from './conversation-lock';

export type ConversationRecord = Conversation;
export type ConversationId = ConversationRecord['_id'];

/** Which of an account's visible conversations a list shows. */
export interface InboxFilter {
  /** Part of the participant's username or name (case-insensitive). */
  search?: string;
  /** Only conversations with unread messages. */
  unreadOnly?: boolean;
}

/** A message that may become the conversation's newest. */
export interface ConversationActivity {
  /** Meta's timestamp of the message. */
  timestamp: Date;
  /** Meta's message id (ties between equal timestamps go to the greater id). */
  messageId: string;
  preview: string;
  /** Sent by the participant (counts as unread, opens the reply window). */
  inbound: boolean;
}

export interface ConversationOwner {
  instagramAccount: string;
  owner: string;
  accountInstagramId: string;
}

export interface ParticipantProfile {
  igUsername: string | null;
  name: string | null;
  profilePictureUrl: string | null;
}

/** Preview left in place of a message the user unsent. */
export const DELETED_MESSAGE_PREVIEW = '[message deleted]';

/** Matches a conversation whose newest message is older than the activity. */
function olderThanActivity(activity: ConversationActivity): QueryFilter<Conversation> {
  return {
    $or: [
      { lastMessageTimestamp: null },
      { lastMessageTimestamp: { $lt: activity.timestamp } },
      { lastMessageTimestamp: activity.timestamp, lastMessageId: { $lt: activity.messageId } },
    ],
  };
}

/** Matches a conversation in which a message of this time is visible (not hidden by a DELETE). */
function visibleAt(timestamp: Date): QueryFilter<Conversation> {
  return { $or: [{ visibleFrom: null }, { visibleFrom: { $lte: timestamp } }] };
}

/**
 * A conversation remembers the ids of the messages applied to it, so a retried update applies
 * nothing again. A message stays marked `effectsPending` while its id is remembered and its
 * mark is cleared before the id is forgotten, so how many ids are kept decides only how often
 * marks are cleared (once per {@link APPLIED_MESSAGES_MAX} − {@link APPLIED_MESSAGES_KEPT}
 * messages, in one write) against how large the document grows (about a hundred bytes an id).
 */
const APPLIED_MESSAGES_KEPT = 5;
/** The memory grows to this many ids, then forgets the oldest down to {@link APPLIED_MESSAGES_KEPT}. */
const APPLIED_MESSAGES_MAX = 25;

/**
 * The ids the conversation forgets when the next message is applied to it (the oldest, once
 * its memory is full). A message stays marked `effectsPending` while its id is remembered, so
 * its mark is cleared before the id is forgotten (see {@link ConversationsRepository.applyMessage}).
 */
export function appliedIdsToForget(conversation: ConversationRecord): string[] {
  const applied = conversation.appliedMessageIds ?? [];
  return applied.length >= APPLIED_MESSAGES_MAX
    ? applied.slice(0, applied.length - APPLIED_MESSAGES_KEPT)
    : [];
}

/**
 * The update {@link ConversationsRepository.applyMessage} makes to the conversation as read,
 * without remembering the message as applied; null when nothing changes (a message older than
 * a DELETE that hid the conversation). The same decision as its database conditions
 * (`olderThanActivity`, `visibleAt`).
 */
function decideApply(
  read: ConversationRecord,
  activity: ConversationActivity,
  fence: number,
): (UpdateQuery<Conversation> & { $set?: Record<string, unknown> }) | null {
  const { lastMessageTimestamp: last, lastMessageId: lastId, visibleFrom } = read;
  const time = activity.timestamp.getTime();
  const newest =
    last === null ||
    last === undefined ||
    last.getTime() < time ||
    (last.getTime() === time &&
      lastId !== null &&
      lastId !== undefined &&
      lastId < activity.messageId);
  if (newest) {
    const update = applyActivity(activity);
    return { ...update, $max: { ...update.$max, writerFence: fence } };
  }
  if (visibleFrom !== null && visibleFrom !== undefined && visibleFrom.getTime() > time)
    return null;
  return activity.inbound
    ? { $inc: { unreadCount: 1 }, $max: { lastInboundAt: activity.timestamp, writerFence: fence } }
    : { $max: { writerFence: fence } };
}

function applyActivity(activity: ConversationActivity): UpdateQuery<Conversation> {
  return {
    $set: {
      lastMessage: activity.preview,
      lastMessageTimestamp: activity.timestamp,
      lastMessageId: activity.messageId,
      hiddenAt: null,
    },
    $inc: { unreadCount: activity.inbound ? 1 : 0 },
    ...(activity.inbound ? { $max: { lastInboundAt: activity.timestamp } } : {}),
  };
}

@Injectable()
export class ConversationsRepository extends OwnedDataRepository {
  protected readonly ownerField = 'owner';

  constructor(@InjectModel(Conversation.name) private readonly model: Model<Conversation>) {
    super();
  }

  /**
   * The conversation between the account and the participant, created (without a message)
   * when there is none. Throws a duplicate-key error when it was created concurrently.
   */
  async ensureForParticipant(
    scope: OwnerScope,
    owner: ConversationOwner,
    igUserId: string,
  ): Promise<ConversationRecord> {
    const conversation = await this.model
      .findOneAndUpdate(
        this.participant(scope, owner.instagramAccount, igUserId),
        {
          $setOnInsert: {
            owner: new Types.ObjectId(owner.owner),
            accountInstagramId: owner.accountInstagramId,
          },
        },
        { upsert: true, returnDocument: 'after' },
      )
      .lean<ConversationRecord>()
      .exec();
    if (!conversation) throw new Error('Conversation upsert returned no document');
    return conversation;
  }

  /** The conversation with this id, as stored. */
  findById(scope: OwnerScope, id: ConversationId): Promise<ConversationRecord | null> {
    return this.model.findOne(this.byId(scope, id)).lean<ConversationRecord>().exec();
  }

  /**
   * Applies a stored webhook message to its conversation once: as the newest message when
   * it is newer than the current one, otherwise (inbound) only to the unread count and the
   * reply window, unless a DELETE hid it. Nothing changes for a message the conversation
   * remembers as applied (a retried update); the caller clears the marks of the ids
   * {@link appliedIdsToForget} names first.
   * `fence` is the token of the conversation lease the caller holds: a write under a smaller
   * token than one already written (a holder whose lease was taken over) is refused with
   * {@link StaleConversationWriteError}.
   *
   * `read` is the conversation as the caller read it under that lease. The change is decided
   * from it and written by `_id` on the condition that the conversation is still as read (one
   * round trip, and the one kind of lookup the embedded database answers without reading the
   * whole collection); when something changed it meanwhile, it is decided again by the
   * database.
   */
  async applyMessage(
    scope: OwnerScope,
    read: ConversationRecord,
    activity: ConversationActivity,
    fence: number,
  ): Promise<void> {
    if ((read.writerFence ?? 0) > fence) throw new StaleConversationWriteError(String(read._id));
    const applied = read.appliedMessageIds ?? [];
    if (applied.includes(activity.messageId)) return;
    const change = decideApply(read, activity, fence);
    if (change === null) return;
    const forget = appliedIdsToForget(read).length;
    const remembered =
      forget > 0
        ? { $set: { appliedMessageIds: [...applied.slice(forget), activity.messageId] } }
        : { $push: { appliedMessageIds: activity.messageId } };
    const result = await this.model
      .updateOne(
        {
          ...this.byId(scope, read._id),
          writerFence: read.writerFence ?? null,
          lastMessageId: read.lastMessageId ?? null,
          lastMessageTimestamp: read.lastMessageTimestamp ?? null,
          visibleFrom: read.visibleFrom ?? null,
          appliedMessageIds: { $nin: [activity.messageId] },
        },
        { ...change, ...remembered, $set: { ...change.$set, ...remembered.$set } },
      )
      .exec();
    if (result.matchedCount === 0) await this.applyMessageIfNot(scope, read._id, activity, fence);
  }

  /** {@link applyMessage} decided by the database, for a conversation that changed meanwhile. */
  private async applyMessageIfNot(
    scope: OwnerScope,
    id: ConversationId,
    activity: ConversationActivity,
    fence: number,
  ): Promise<void> {
    const notApplied = {
      ...this.byId(scope, id),
      appliedMessageIds: { $ne: activity.messageId },
      $and: [{ $or: [{ writerFence: null }, { writerFence: { $lte: fence } }] }],
    };
    const applied = { $push: { appliedMessageIds: activity.messageId } };
    const newest = applyActivity(activity);
    const asNewest = await this.model
      .updateOne(
        { ...notApplied, ...olderThanActivity(activity) },
        { ...newest, ...applied, $max: { ...newest.$max, writerFence: fence } },
      )
      .exec();
    const matched =
      asNewest.matchedCount > 0 ||
      (
        await this.model
          .updateOne(
            { ...notApplied, ...visibleAt(activity.timestamp) },
            activity.inbound
              ? {
                  ...applied,
                  $inc: { unreadCount: 1 },
                  $max: { lastInboundAt: activity.timestamp, writerFence: fence },
                }
              : { ...applied, $max: { writerFence: fence } },
          )
          .exec()
      ).matchedCount > 0;
    if (matched) return;
    if (await this.model.exists({ _id: id, writerFence: { $gt: fence } }).exec()) {
      throw new StaleConversationWriteError(String(id));
    }
  }

  /**
   * Remembers the message as applied without any effect (it was unsent before its effects
   * were applied), so a retried update never applies them. Under the lease whose token is
   * `fence`.
   */
  async rememberApplied(
    scope: OwnerScope,
    id: ConversationId,
    messageId: string,
    fence: number,
  ): Promise<void> {
    const result = await this.model
      .updateOne(
        {
          ...this.byId(scope, id),
          appliedMessageIds: { $ne: messageId },
          $or: [{ writerFence: null }, { writerFence: { $lte: fence } }],
        },
        { $push: { appliedMessageIds: messageId }, $max: { writerFence: fence } },
      )
      .exec();
    if (result.matchedCount > 0) return;
    if (await this.model.exists({ _id: id, writerFence: { $gt: fence } }).exec()) {
      throw new StaleConversationWriteError(String(id));
    }
  }

  /** Applies the activity when it is newer than the conversation's newest message. */
  applyIfNewer(
    scope: OwnerScope,
    instagramAccount: string,
    igUserId: string,
    activity: ConversationActivity,
  ): Promise<ConversationRecord | null> {
    return this.model
      .findOneAndUpdate(
        { ...this.participant(scope, instagramAccount, igUserId), ...olderThanActivity(activity) },
        applyActivity(activity),
        { returnDocument: 'after' },
      )
      .lean<ConversationRecord>()
      .exec();
  }

  findByParticipant(
    scope: OwnerScope,
    instagramAccount: string,
    igUserId: string,
  ): Promise<ConversationRecord | null> {
    return this.model
      .findOne(this.participant(scope, instagramAccount, igUserId))
      .lean<ConversationRecord>()
      .exec();
  }

  /** A visible conversation within the scope: the owner's own, or any (admin scope). */
  findVisible(scope: OwnerScope, id: string): Promise<ConversationRecord | null> {
    return this.model
      .findOne({
        ...this.byId(scope, new Types.ObjectId(id)),
        hiddenAt: null,
        accountRemoved: { $ne: true },
      })
      .lean<ConversationRecord>()
      .exec();
  }

  /** Hides (or shows again) every conversation of an account removed (or restored) by its owner. */
  async setAccountRemoved(scope: OwnerScope, accountId: string, removed: boolean): Promise<void> {
    await this.model
      .updateMany(
        { ...this.ownerFilter(scope), instagramAccount: new Types.ObjectId(accountId) },
        { $set: { accountRemoved: removed } },
      )
      .exec();
  }

  /** A page of the account's visible conversations, newest activity first. */
  findInboxPage(
    scope: OwnerScope,
    accountId: string,
    filter: InboxFilter,
    page: { skip: number; limit: number; before?: PageCursor },
  ): Promise<ConversationRecord[]> {
    const conditions = this.inboxConditions(filter);
    if (page.before) conditions.push(olderThan('lastMessageTimestamp', page.before));
    return this.model
      .find(this.inbox(scope, accountId, filter, conditions))
      .sort({ lastMessageTimestamp: -1, _id: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<ConversationRecord[]>()
      .exec();
  }

  /** How many of the account's visible conversations the filter shows. */
  countInbox(scope: OwnerScope, accountId: string, filter: InboxFilter): Promise<number> {
    return this.model
      .countDocuments(this.inbox(scope, accountId, filter, this.inboxConditions(filter)))
      .exec();
  }

  /**
   * Hides the conversation and its messages. Its newest-message time moves to
   * now, so only messages newer than the DELETE bring it back.
   */
  async hide(scope: OwnerScope, id: ConversationId, at: Date): Promise<boolean> {
    const result = await this.model
      .updateOne(
        { ...this.byId(scope, id), hiddenAt: null },
        {
          $set: {
            hiddenAt: at,
            visibleFrom: at,
            lastMessage: null,
            lastMessageId: null,
            unreadCount: 0,
          },
          $max: { lastMessageTimestamp: at },
        },
      )
      .exec();
    return result.matchedCount > 0;
  }

  async resetUnread(scope: OwnerScope, id: ConversationId): Promise<void> {
    await this.model.updateOne(this.byId(scope, id), { $set: { unreadCount: 0 } }).exec();
  }

  async saveProfile(
    scope: OwnerScope,
    id: ConversationId,
    profile: ParticipantProfile,
    at: Date,
  ): Promise<void> {
    await this.model
      .updateOne(this.byId(scope, id), { $set: { ...profile, profileFetchedAt: at } })
      .exec();
  }

  /** After the user unsent a message: drop its preview and its unread mark. */
  async forgetMessage(
    scope: OwnerScope,
    id: ConversationId,
    message: { messageId: string; timestamp: Date; wasUnread: boolean },
  ): Promise<void> {
    await this.model
      .updateOne(
        { ...this.byId(scope, id), lastMessageId: message.messageId },
        { $set: { lastMessage: DELETED_MESSAGE_PREVIEW } },
      )
      .exec();
    if (!message.wasUnread) return;
    await this.model
      .updateOne(
        { ...this.byId(scope, id), unreadCount: { $gt: 0 }, ...visibleAt(message.timestamp) },
        { $inc: { unreadCount: -1 } },
      )
      .exec();
  }

  /**
   * The participant came through an ig.me link or an ad: opens the reply
   * window (creating the conversation, without a message, when there is none)
   * and keeps the referral unless a newer one is stored. Throws a duplicate-key
   * error when the conversation was created concurrently.
   *
   * The window: Meta's m.me link documentation (Messenger Platform, "m.me
   * Links") says following a link into an existing conversation "will reset
   * the 24-hour standard messaging window, allowing your messaging app to
   * reply", with a `messaging_referrals` webhook; Instagram's ig.me links
   * send the same event (`messaging_referral`, Instagram Messaging webhooks:
   * "an ig.me link with a referral parameter is clicked by a customer in an
   * existing conversation").
   */
  async recordReferral(
    scope: OwnerScope,
    owner: ConversationOwner,
    igUserId: string,
    referral: StoredReferral,
  ): Promise<void> {
    const filter = this.participant(scope, owner.instagramAccount, igUserId);
    await this.model
      .updateOne(
        filter,
        {
          $max: { lastInboundAt: referral.at },
          $setOnInsert: {
            owner: new Types.ObjectId(owner.owner),
            accountInstagramId: owner.accountInstagramId,
          },
        },
        { upsert: true },
      )
      .exec();
    await this.model
      .updateOne(
        { ...filter, $or: [{ referral: null }, { 'referral.at': { $lt: referral.at } }] },
        { $set: { referral } },
      )
      .exec();
  }

  /** The preview of an edited message, when it is still the conversation's newest. */
  async replacePreviewIfLast(
    scope: OwnerScope,
    id: ConversationId,
    messageId: string,
    preview: string,
  ): Promise<void> {
    await this.model
      .updateOne(
        { ...this.byId(scope, id), lastMessageId: messageId },
        { $set: { lastMessage: preview } },
      )
      .exec();
  }

  private byId(scope: OwnerScope, id: ConversationId): QueryFilter<Conversation> {
    return { ...this.ownerFilter(scope), _id: id };
  }

  /** The one conversation between the account and the participant. */
  private participant(
    scope: OwnerScope,
    instagramAccount: string,
    igUserId: string,
  ): QueryFilter<Conversation> {
    return {
      ...this.ownerFilter(scope),
      instagramAccount: new Types.ObjectId(instagramAccount),
      igUserId,
    };
  }

  /**
   * The account's conversations an inbox shows (not hidden, account not removed) that
   * match the filter and the extra conditions.
   */
  private inbox(
    scope: OwnerScope,
    accountId: string,
    filter: InboxFilter,
    conditions: QueryFilter<Conversation>[],
  ): QueryFilter<Conversation> {
    return {
      ...this.ownerFilter(scope),
      instagramAccount: new Types.ObjectId(accountId),
      hiddenAt: null,
      accountRemoved: { $ne: true },
      ...(filter.unreadOnly ? { unreadCount: { $gt: 0 } } : {}),
      ...(conditions.length > 0 ? { $and: conditions } : {}),
    };
  }

  private inboxConditions(filter: InboxFilter): QueryFilter<Conversation>[] {
    if (!filter.search) return [];
    const pattern = { $regex: escapeRegex(filter.search), $options: 'i' };
    return [{ $or: [{ igUsername: pattern }, { name: pattern }] }];
  }
}
