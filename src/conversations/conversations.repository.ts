import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types, type QueryFilter, type UpdateQuery } from 'mongoose';
import type { InboxScope } from './inbox-scope';
import { Conversation, type StoredReferral } from './schemas/conversation.schema';

export type ConversationRecord = Conversation;

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

function participant(instagramAccount: string, igUserId: string): QueryFilter<Conversation> {
  return { instagramAccount: new Types.ObjectId(instagramAccount), igUserId };
}

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
export class ConversationsRepository {
  constructor(@InjectModel(Conversation.name) private readonly model: Model<Conversation>) {}

  /**
   * Creates the conversation with this activity as its newest message, or
   * applies the activity to the existing one when it is newer. Throws a
   * duplicate-key error when the conversation exists and already has a newer
   * message (or was created concurrently).
   */
  async upsertWithActivity(
    owner: ConversationOwner,
    igUserId: string,
    activity: ConversationActivity,
  ): Promise<{ conversation: ConversationRecord; created: boolean }> {
    const result = await this.model
      .findOneAndUpdate(
        { ...participant(owner.instagramAccount, igUserId), ...olderThanActivity(activity) },
        {
          ...applyActivity(activity),
          $setOnInsert: {
            owner: new Types.ObjectId(owner.owner),
            accountInstagramId: owner.accountInstagramId,
          },
        },
        { upsert: true, returnDocument: 'after', includeResultMetadata: true, lean: true },
      )
      .exec();
    const conversation = result.value as ConversationRecord | null;
    if (!conversation) throw new Error('Conversation upsert returned no document');
    return { conversation, created: result.lastErrorObject?.updatedExisting === false };
  }

  /** Applies the activity when it is newer than the conversation's newest message. */
  applyIfNewer(
    instagramAccount: string,
    igUserId: string,
    activity: ConversationActivity,
  ): Promise<ConversationRecord | null> {
    return this.model
      .findOneAndUpdate(
        { ...participant(instagramAccount, igUserId), ...olderThanActivity(activity) },
        applyActivity(activity),
        { returnDocument: 'after' },
      )
      .lean<ConversationRecord>()
      .exec();
  }

  findByParticipant(
    instagramAccount: string,
    igUserId: string,
  ): Promise<ConversationRecord | null> {
    return this.model
      .findOne(participant(instagramAccount, igUserId))
      .lean<ConversationRecord>()
      .exec();
  }

  /** Counts an inbound message older than the newest one, unless a DELETE hid it. */
  async countLateInbound(id: Types.ObjectId, timestamp: Date): Promise<void> {
    await this.model
      .updateOne(
        { _id: id, ...visibleAt(timestamp) },
        { $inc: { unreadCount: 1 }, $max: { lastInboundAt: timestamp } },
      )
      .exec();
  }

  /** A visible conversation within the scope: the owner's own, or any (admin scope). */
  findVisible(scope: InboxScope, id: string): Promise<ConversationRecord | null> {
    return this.model
      .findOne({
        _id: new Types.ObjectId(id),
        ...(scope.kind === 'owner' ? { owner: new Types.ObjectId(scope.ownerId) } : {}),
        hiddenAt: null,
        accountRemoved: { $ne: true },
      })
      .lean<ConversationRecord>()
      .exec();
  }

  /** Hides (or shows again) every conversation of an account removed (or restored) by its owner. */
  async setAccountRemoved(accountId: string, removed: boolean): Promise<void> {
    await this.model
      .updateMany(
        { instagramAccount: new Types.ObjectId(accountId) },
        { $set: { accountRemoved: removed } },
      )
      .exec();
  }

  findPage(
    filter: QueryFilter<Conversation>,
    page: { skip: number; limit: number },
  ): Promise<ConversationRecord[]> {
    return this.model
      .find(filter)
      .sort({ lastMessageTimestamp: -1, _id: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<ConversationRecord[]>()
      .exec();
  }

  count(filter: QueryFilter<Conversation>): Promise<number> {
    return this.model.countDocuments(filter).exec();
  }

  /**
   * Hides the conversation and its messages. Its newest-message time moves to
   * now, so only messages newer than the DELETE bring it back.
   */
  async hide(id: Types.ObjectId, at: Date): Promise<boolean> {
    const result = await this.model
      .updateOne(
        { _id: id, hiddenAt: null },
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

  async resetUnread(id: Types.ObjectId): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { unreadCount: 0 } }).exec();
  }

  async saveProfile(id: Types.ObjectId, profile: ParticipantProfile, at: Date): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { ...profile, profileFetchedAt: at } }).exec();
  }

  /** After the user unsent a message: drop its preview and its unread mark. */
  async forgetMessage(
    id: Types.ObjectId,
    message: { messageId: string; timestamp: Date; wasUnread: boolean },
  ): Promise<void> {
    await this.model
      .updateOne(
        { _id: id, lastMessageId: message.messageId },
        { $set: { lastMessage: DELETED_MESSAGE_PREVIEW } },
      )
      .exec();
    if (!message.wasUnread) return;
    await this.model
      .updateOne(
        { _id: id, unreadCount: { $gt: 0 }, ...visibleAt(message.timestamp) },
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
    owner: ConversationOwner,
    igUserId: string,
    referral: StoredReferral,
  ): Promise<void> {
    const filter = participant(owner.instagramAccount, igUserId);
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
    id: Types.ObjectId,
    messageId: string,
    preview: string,
  ): Promise<void> {
    await this.model
      .updateOne({ _id: id, lastMessageId: messageId }, { $set: { lastMessage: preview } })
      .exec();
  }
}
