import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types, type QueryFilter } from 'mongoose';
import { isDuplicateKeyError } from '../common/database/duplicate-key-error';
import type { InboxScope } from '../conversations/inbox-scope';
import { Message, type MessageError, type StoredReaction } from './schemas/message.schema';

export type MessageRecord = Message;
export type NewMessage = Omit<
  Message,
  '_id' | 'createdAt' | 'updatedAt' | 'isRead' | 'readAt' | 'reactions' | 'isDeleted' | 'error'
>;

/** What a deleted message looked like before, for the conversation's bookkeeping. */
export interface DeletedMessage {
  conversation: Types.ObjectId;
  sender: Message['sender'];
  isRead: boolean;
  timestamp: Date;
}

/** Attempts to store Meta's id on a sent message while its echo keeps taking the id first. */
const MAX_ECHO_MERGES = 3;

/** Limits a query to the scope: the owner's messages, or any (admin scope). */
function inScope(scope: InboxScope, filter: QueryFilter<Message>): QueryFilter<Message> {
  return scope.kind === 'owner' ? { ...filter, owner: new Types.ObjectId(scope.ownerId) } : filter;
}

function byMid(instagramAccount: string | Types.ObjectId, messageId: string): QueryFilter<Message> {
  return { instagramAccount: new Types.ObjectId(String(instagramAccount)), messageId };
}

@Injectable()
export class MessagesRepository {
  constructor(@InjectModel(Message.name) private readonly model: Model<Message>) {}

  /** Stores a message unless one with its mid exists for the account; true when stored. */
  async insertIfNew(message: NewMessage): Promise<boolean> {
    try {
      await this.model.create(message);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /**
   * Stores the messages of one send in order, in one round trip; throws a
   * duplicate-key error (storing none) when the first one's idempotency key was used.
   */
  async insertPending(messages: NewMessage[]): Promise<MessageRecord[]> {
    const created = await this.model.insertMany(messages, { ordered: true });
    return created.map((message) => message.toObject<MessageRecord>());
  }

  /** The owner's messages stored with these idempotency keys. */
  findByIdempotencyKeys(ownerId: string, idempotencyKeys: string[]): Promise<MessageRecord[]> {
    return this.model
      .find({ owner: new Types.ObjectId(ownerId), idempotencyKey: { $in: idempotencyKeys } })
      .lean<MessageRecord[]>()
      .exec();
  }

  /**
   * Records Meta's id on a message we sent. When the echo webhook of this send
   * was stored first (same mid), the echo copy is removed and what it gathered
   * (Meta's timestamp, read state, reactions) is carried over, so one message remains.
   */
  async markSent(
    id: Types.ObjectId,
    instagramAccount: Types.ObjectId,
    messageId: string,
  ): Promise<MessageRecord> {
    let carried: Partial<Message> = {};
    for (let attempt = 1; ; attempt++) {
      try {
        const sent = await this.model
          .findOneAndUpdate(
            { _id: id },
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
        .findOneAndDelete({ ...byMid(instagramAccount, messageId), _id: { $ne: id } })
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

  async markFailed(id: Types.ObjectId, error: MessageError): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { status: 'failed', error } }).exec();
  }

  /** Marks the message unsent by the user; returns it as it was, or null when absent or already deleted. */
  markDeleted(instagramAccount: string, messageId: string): Promise<DeletedMessage | null> {
    return this.model
      .findOneAndUpdate(
        { ...byMid(instagramAccount, messageId), isDeleted: false },
        { $set: { isDeleted: true, text: null, attachments: [] } },
        { returnDocument: 'before' },
      )
      .lean<DeletedMessage>()
      .exec();
  }

  async existsByMid(instagramAccount: string, messageId: string): Promise<boolean> {
    return (await this.model.exists(byMid(instagramAccount, messageId)).exec()) !== null;
  }

  async findTimestampByMid(instagramAccount: string, messageId: string): Promise<Date | null> {
    const message = await this.model
      .findOne(byMid(instagramAccount, messageId), { timestamp: 1 })
      .lean<{ timestamp: Date }>()
      .exec();
    return message?.timestamp ?? null;
  }

  /**
   * Sets one person's reaction unless a newer reaction event of theirs was
   * applied; false when nothing matched (unknown message or a stale event).
   */
  async applyReaction(
    instagramAccount: string,
    messageId: string,
    reactorId: string,
    reaction: StoredReaction,
  ): Promise<boolean> {
    const path = `reactions.${reactorId}`;
    const result = await this.model
      .updateOne(
        {
          ...byMid(instagramAccount, messageId),
          $or: [{ [path]: { $exists: false } }, { [`${path}.at`]: { $lt: reaction.at } }],
        },
        { $set: { [path]: reaction } },
      )
      .exec();
    return result.matchedCount > 0;
  }

  /** The participant has seen the account's messages up to `upTo`. */
  async markOutboundRead(conversation: Types.ObjectId, upTo: Date, at: Date): Promise<void> {
    await this.model
      .updateMany(
        { conversation, sender: 'page', isRead: false, timestamp: { $lte: upTo } },
        { $set: { isRead: true, readAt: at } },
      )
      .exec();
  }

  async markInboundRead(conversation: Types.ObjectId, at: Date): Promise<void> {
    await this.model
      .updateMany(
        { conversation, sender: 'user', isRead: false },
        { $set: { isRead: true, readAt: at } },
      )
      .exec();
  }

  findPage(
    scope: InboxScope,
    filter: QueryFilter<Message>,
    page: { skip: number; limit: number },
  ): Promise<MessageRecord[]> {
    return this.model
      .find(inScope(scope, filter), { owner: 0, idempotencyKey: 0, __v: 0 })
      .sort({ timestamp: -1, _id: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<MessageRecord[]>()
      .exec();
  }

  count(scope: InboxScope, filter: QueryFilter<Message>): Promise<number> {
    return this.model.countDocuments(inScope(scope, filter)).exec();
  }

  /**
   * Replaces the text of an edited message unless a newer edit was applied
   * (ordered by Meta's `num_edit`, or by time when Meta sent none); null when
   * nothing matched (unknown or deleted message, or a stale edit).
   */
  applyEdit(
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
        { ...byMid(instagramAccount, messageId), isDeleted: false, ...newer },
        update,
        { returnDocument: 'after' },
      )
      .lean<MessageRecord>()
      .exec();
  }
}
