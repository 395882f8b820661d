import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types, type QueryFilter } from 'mongoose';
import { isDuplicateKeyError } from '../common/database/duplicate-key-error';
import { olderThan, type PageCursor } from '../common/pagination/page-cursor';
import { OwnedDataRepository } from '../common/scope/owned-data.repository';
import { ownerOf, type OwnerScope } from '../common/scope/owner-scope';
import {
  LOCAL_MESSAGE_ID_PREFIX,
  Message,
  type MessageAttachment,
  type MessageError,
  type StoredReaction,
} from './schemas/message.schema';

export type MessageRecord = Message;
export type MessageId = MessageRecord['_id'];
export type NewMessage = Omit<
  Message,
  '_id' | 'createdAt' | 'updatedAt' | 'isRead' | 'readAt' | 'reactions' | 'isDeleted' | 'error'
>;

/** What a deleted message looked like before, for the conversation's bookkeeping. */
export interface DeletedMessage {
  _id: MessageId;
  conversation: Types.ObjectId;
  sender: Message['sender'];
  isRead: boolean;
  timestamp: Date;
  /** Its effects on the conversation were never applied. */
  effectsPending?: boolean;
}

/** Which messages of a conversation a list shows. */
export interface ConversationMessages {
  conversation: MessageRecord['conversation'];
  /** Messages older than this stay hidden (the conversation was deleted then); null for none. */
  visibleFrom: Date | null;
  /** Also the messages Meta refused to send (`status: failed`). */
  includeFailed: boolean;
}

/** What an echo that may be a send whose outcome we never learned carries: a text or one attachment. */
export type UnconfirmedSendEcho = { messageId: string; timestamp: Date } & (
  { text: string } | { attachment: MessageAttachment }
);

/** Attempts to store Meta's id on a sent message while its echo keeps taking the id first. */
const MAX_ECHO_MERGES = 3;

@Injectable()
export class MessagesRepository extends OwnedDataRepository {
  protected readonly ownerField = 'owner';

  constructor(@InjectModel(Message.name) private readonly model: Model<Message>) {
    super();
  }

  /** Stores a message unless one with its mid exists for the account; true when stored. */
  async insertIfNew(scope: OwnerScope, message: NewMessage): Promise<MessageId | null> {
    this.assertWithin(scope, [message]);
    try {
      const created = await this.model.create(message);
      return created._id;
    } catch (error) {
      if (isDuplicateKeyError(error)) return null;
      throw error;
    }
  }

  /**
   * The message with this mid if it is still marked `effectsPending` (its effects are not
   * applied yet unless its conversation remembers its id as applied).
   */
  findMarkedPending(
    scope: OwnerScope,
    instagramAccount: string,
    messageId: string,
  ): Promise<Pick<MessageRecord, '_id' | 'conversation'> | null> {
    return this.model
      .findOne(
        { ...this.byMid(scope, instagramAccount, messageId), effectsPending: true },
        { conversation: 1 },
      )
      .lean<Pick<MessageRecord, '_id' | 'conversation'>>()
      .exec();
  }

  /**
   * Clears the `effectsPending` marks of the conversation's messages with these mids: their
   * effects are applied, and the conversation is about to forget their ids.
   */
  async clearPendingEffects(
    scope: OwnerScope,
    conversation: MessageRecord['conversation'],
    messageIds: string[],
  ): Promise<void> {
    await this.model
      .updateMany(
        {
          ...this.ownerFilter(scope),
          conversation,
          messageId: { $in: messageIds },
          effectsPending: true,
        },
        { $unset: { effectsPending: 1 } },
      )
      .exec();
  }

  /**
   * The echo of a send whose outcome we never learned adopts the oldest message of ours that
   * it can be, and only such a message: in the same conversation, sent by the account, without
   * Meta's id yet (`local:`), created since `since`, and either still pending before
   * `pendingBefore` (the instance sending it stopped) or failed because Meta did not answer in
   * time or the instance stopped (`unconfirmed`) — never one Meta refused. Its content must be
   * the echo's: a text echo has our text and no attachment; an attachment echo (no text, one
   * attachment) has our one attachment's type — Meta's echo names its own copy of the media,
   * never the URL we sent, so the type is all that can be compared, and the message takes
   * Meta's attachment as Meta reports it. The message takes Meta's id and time and becomes
   * sent, with its conversation effects pending; null when there is none.
   */
  adoptUnconfirmedSend(
    scope: OwnerScope,
    conversation: MessageRecord['conversation'],
    echo: UnconfirmedSendEcho,
    bounds: { since: Date; pendingBefore: Date },
  ): Promise<MessageRecord | null> {
    const content =
      'text' in echo
        ? { filter: { text: echo.text, attachments: { $size: 0 } }, update: {} }
        : {
            filter: {
              text: null,
              attachments: { $size: 1 },
              'attachments.type': echo.attachment.type,
            },
            update: { attachments: [echo.attachment] },
          };
    return this.model
      .findOneAndUpdate(
        {
          ...this.ownerFilter(scope),
          conversation,
          sender: 'page',
          ...content.filter,
          messageId: { $regex: `^${LOCAL_MESSAGE_ID_PREFIX}` },
          createdAt: { $gte: bounds.since },
          $or: [
            { status: 'pending', createdAt: { $lte: bounds.pendingBefore } },
            {
              status: 'failed',
              'error.answer.details.reason': { $in: ['timeout', 'unconfirmed'] },
            },
          ],
        },
        {
          $set: {
            ...content.update,
            messageId: echo.messageId,
            status: 'sent',
            error: null,
            timestamp: echo.timestamp,
            effectsPending: true,
          },
        },
        { sort: { createdAt: 1 }, returnDocument: 'after' },
      )
      .lean<MessageRecord>()
      .exec();
  }

  /** Marks failed, with this error, the messages still pending that were stored before `before`. */
  async failPendingBefore(scope: OwnerScope, before: Date, error: MessageError): Promise<number> {
    const result = await this.model
      .updateMany(
        { ...this.ownerFilter(scope), status: 'pending', createdAt: { $lt: before } },
        { $set: { status: 'failed', error } },
      )
      .exec();
    return result.modifiedCount;
  }

  /** Deletes the message (one whose conversation effects were never applied). */
  async deleteById(scope: OwnerScope, id: MessageId): Promise<void> {
    await this.model.deleteOne({ ...this.ownerFilter(scope), _id: id }).exec();
  }

  /**
   * Stores the messages of one send in order, in one round trip; throws a
   * duplicate-key error (storing none) when the first one's idempotency key was used.
   */
  async insertPending(scope: OwnerScope, messages: NewMessage[]): Promise<MessageRecord[]> {
    this.assertWithin(scope, messages);
    const created = await this.model.insertMany(messages, { ordered: true });
    return created.map((message) => message.toObject<MessageRecord>());
  }

  /** The scope's messages stored with these idempotency keys (unique per owner). */
  findByIdempotencyKeys(scope: OwnerScope, idempotencyKeys: string[]): Promise<MessageRecord[]> {
    return this.model
      .find({ ...this.ownerFilter(scope), idempotencyKey: { $in: idempotencyKeys } })
      .lean<MessageRecord[]>()
      .exec();
  }

  /**
   * Records Meta's id on a message we sent. When the echo webhook of this send
   * was stored first (same mid), the echo copy is removed and what it gathered
   * (Meta's timestamp, read state, reactions) is carried over, so one message remains.
   */
  async markSent(
    scope: OwnerScope,
    id: MessageId,
    instagramAccount: MessageRecord['instagramAccount'],
    messageId: string,
  ): Promise<MessageRecord> {
    let carried: Partial<Message> = {};
    for (let attempt = 1; ; attempt++) {
      try {
        const sent = await this.model
          .findOneAndUpdate(
            { ...this.ownerFilter(scope), _id: id },
            { $set: { ...carried, messageId, status: 'sent', error: null } },
            { returnDocument: 'after' },
          )
          .lean<MessageRecord>()
          .exec();
        if (!sent) throw new Error(`Message ${String(id)} disappeared while being sent`);
        return sent;
      } catch (error) {
        if (!isDuplicateKeyError(error) || attempt >= MAX_ECHO_MERGES) throw error;
      }
      const echo = await this.model
        .findOneAndDelete({ ...this.byMid(scope, instagramAccount, messageId), _id: { $ne: id } })
        .lean<MessageRecord>()
        .exec();
      if (echo) {
        carried = {
          timestamp: echo.timestamp,
          isRead: echo.isRead,
          readAt: echo.readAt,
          reactions: echo.reactions ?? {},
        };
      }
    }
  }

  async markFailed(scope: OwnerScope, id: MessageId, error: MessageError): Promise<void> {
    await this.model
      .updateOne({ ...this.ownerFilter(scope), _id: id }, { $set: { status: 'failed', error } })
      .exec();
  }

  /** Deletes messages of a send that never went out (still pending). */
  async deleteUnsent(scope: OwnerScope, ids: MessageId[]): Promise<void> {
    await this.model
      .deleteMany({ ...this.ownerFilter(scope), _id: { $in: ids }, status: 'pending' })
      .exec();
  }

  /** Marks the message unsent by the user; returns it as it was, or null when absent or already deleted. */
  markDeleted(
    scope: OwnerScope,
    instagramAccount: string,
    messageId: string,
  ): Promise<DeletedMessage | null> {
    return this.model
      .findOneAndUpdate(
        { ...this.byMid(scope, instagramAccount, messageId), isDeleted: false },
        { $set: { isDeleted: true, text: null, attachments: [] } },
        { returnDocument: 'before' },
      )
      .lean<DeletedMessage>()
      .exec();
  }

  async existsByMid(
    scope: OwnerScope,
    instagramAccount: string,
    messageId: string,
  ): Promise<boolean> {
    return (
      (await this.model.exists(this.byMid(scope, instagramAccount, messageId)).exec()) !== null
    );
  }

  async findTimestampByMid(
    scope: OwnerScope,
    instagramAccount: string,
    messageId: string,
  ): Promise<Date | null> {
    const message = await this.model
      .findOne(this.byMid(scope, instagramAccount, messageId), { timestamp: 1 })
      .lean<{ timestamp: Date }>()
      .exec();
    return message?.timestamp ?? null;
  }

  /**
   * Sets one person's reaction unless a newer reaction event of theirs was
   * applied; false when nothing matched (unknown message or a stale event).
   */
  async applyReaction(
    scope: OwnerScope,
    instagramAccount: string,
    messageId: string,
    reactorId: string,
    reaction: StoredReaction,
  ): Promise<boolean> {
    const path = `reactions.${reactorId}`;
    const result = await this.model
      .updateOne(
        {
          ...this.byMid(scope, instagramAccount, messageId),
          $or: [{ [path]: { $exists: false } }, { [`${path}.at`]: { $lt: reaction.at } }],
        },
        { $set: { [path]: reaction } },
      )
      .exec();
    return result.matchedCount > 0;
  }

  /** The participant has seen the account's messages up to `upTo`. */
  async markOutboundRead(
    scope: OwnerScope,
    conversation: MessageRecord['conversation'],
    upTo: Date,
    at: Date,
  ): Promise<void> {
    await this.model
      .updateMany(
        {
          ...this.ownerFilter(scope),
          conversation,
          sender: 'page',
          isRead: false,
          timestamp: { $lte: upTo },
        },
        { $set: { isRead: true, readAt: at } },
      )
      .exec();
  }

  async markInboundRead(
    scope: OwnerScope,
    conversation: MessageRecord['conversation'],
    at: Date,
  ): Promise<void> {
    await this.model
      .updateMany(
        { ...this.ownerFilter(scope), conversation, sender: 'user', isRead: false },
        { $set: { isRead: true, readAt: at } },
      )
      .exec();
  }

  /** A page of the conversation's messages, newest first. */
  findConversationPage(
    scope: OwnerScope,
    messages: ConversationMessages,
    page: { skip: number; limit: number; before?: PageCursor },
  ): Promise<MessageRecord[]> {
    const filter = this.conversationMessages(scope, messages);
    return this.model
      .find(page.before ? { ...filter, $and: [olderThan('timestamp', page.before)] } : filter, {
        owner: 0,
        idempotencyKey: 0,
        __v: 0,
      })
      .sort({ timestamp: -1, _id: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<MessageRecord[]>()
      .exec();
  }

  /** How many of the conversation's messages a list shows. */
  countConversationMessages(scope: OwnerScope, messages: ConversationMessages): Promise<number> {
    return this.model.countDocuments(this.conversationMessages(scope, messages)).exec();
  }

  /**
   * Replaces the text of an edited message unless a newer edit was applied
   * (ordered by Meta's `num_edit`, or by time when Meta sent none); null when
   * nothing matched (unknown or deleted message, or a stale edit).
   */
  applyEdit(
    scope: OwnerScope,
    instagramAccount: string,
    messageId: string,
    edit: { text: string; editCount: number | null; at: Date },
  ): Promise<MessageRecord | null> {
    const newer =
      edit.editCount === null
        ? { $or: [{ editedAt: { $exists: false } }, { editedAt: { $lt: edit.at } }] }
        : { $or: [{ editCount: { $exists: false } }, { editCount: { $lt: edit.editCount } }] };
    const update =
      edit.editCount === null
        ? { $set: { text: edit.text, editedAt: edit.at }, $inc: { editCount: 1 } }
        : { $set: { text: edit.text, editedAt: edit.at, editCount: edit.editCount } };
    return this.model
      .findOneAndUpdate(
        { ...this.byMid(scope, instagramAccount, messageId), isDeleted: false, ...newer },
        update,
        { returnDocument: 'after' },
      )
      .lean<MessageRecord>()
      .exec();
  }

  /** The message with Meta's id (or our local one) on the account. */
  private byMid(
    scope: OwnerScope,
    instagramAccount: string | Types.ObjectId,
    messageId: string,
  ): QueryFilter<Message> {
    return {
      ...this.ownerFilter(scope),
      instagramAccount: new Types.ObjectId(String(instagramAccount)),
      messageId,
    };
  }

  private conversationMessages(
    scope: OwnerScope,
    messages: ConversationMessages,
  ): QueryFilter<Message> {
    return {
      ...this.ownerFilter(scope),
      conversation: messages.conversation,
      ...(messages.visibleFrom ? { timestamp: { $gte: messages.visibleFrom } } : {}),
      // Only messages the account sent can fail; the sender was answered with the error.
      ...(messages.includeFailed ? {} : { status: { $ne: 'failed' } }),
    };
  }

  /** Messages are stored only in their owner's scope (or a scope spanning owners). */
  private assertWithin(scope: OwnerScope, messages: NewMessage[]): void {
    const owner = ownerOf(scope);
    if (owner !== undefined && messages.some((message) => String(message.owner) !== owner)) {
      throw new Error('A message is stored only in the scope of its owner');
    }
  }
}
