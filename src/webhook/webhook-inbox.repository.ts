import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types, type QueryFilter } from 'mongoose';
import { isDuplicateKeyError } from '../common/database/duplicate-key-error';
import {
  INBOX_STATUSES,
  WebhookInboxEntry,
  type InboxStatus,
} from './schemas/webhook-inbox-entry.schema';

export type NewInboxEntry = Omit<WebhookInboxEntry, '_id' | 'createdAt' | 'updatedAt'>;

export type InboxEntryId = WebhookInboxEntry['_id'];

/** What the conversation job needs of an entry it took. */
export type TakenEntry = Pick<WebhookInboxEntry, '_id' | 'payload' | 'attempts' | 'kind'>;

export type UnroutedEntry = Pick<WebhookInboxEntry, '_id' | 'payload'>;

const TAKEN_FIELDS = { payload: 1, attempts: 1, kind: 1 } as const;

/** Entries not applied yet: waiting, or taken by a job that may have died. */
const UNFINISHED: InboxStatus[] = ['pending', 'processing'];

/** Entries not taken under a newer lease than `token`. */
function fencedBefore(token: number): QueryFilter<WebhookInboxEntry> {
  return { $or: [{ fence: null }, { fence: { $lte: token } }] };
}

export interface InboxProblem {
  _id: Types.ObjectId;
  kind: WebhookInboxEntry['kind'];
  status: InboxStatus;
  attempts: number;
  lastError: string | null;
  receivedAt: Date;
  nextAttemptAt: Date | null;
  processedAt: Date | null;
}

const PROBLEM_FIELDS = {
  kind: 1,
  status: 1,
  attempts: 1,
  lastError: 1,
  receivedAt: 1,
  nextAttemptAt: 1,
  processedAt: 1,
} as const;

/** The part of the driver's bulk write error that names the refused documents. */
interface BulkWriteFailure {
  writeErrors?: { index: number; code?: number }[] | { index: number; code?: number };
}

@Injectable()
export class WebhookInboxRepository {
  constructor(
    @InjectModel(WebhookInboxEntry.name) private readonly model: Model<WebhookInboxEntry>,
  ) {}

  /**
   * Stores the entries in one round trip, skipping those whose dedupe key is
   * already stored; returns the ones stored now.
   */
  async insertNew(entries: NewInboxEntry[]): Promise<NewInboxEntry[]> {
    if (entries.length === 0) return [];
    const now = new Date();
    const documents = entries.map((entry) => ({
      ...entry,
      _id: new Types.ObjectId(),
      createdAt: now,
      updatedAt: now,
    }));
    try {
      await this.model.collection.insertMany(documents, { ordered: false });
      return entries;
    } catch (error) {
      const failures = (error as BulkWriteFailure).writeErrors;
      const list = failures === undefined ? [] : Array.isArray(failures) ? failures : [failures];
      if (list.length === 0 || !list.every((failure) => isDuplicateKeyError(failure))) throw error;
      const duplicates = new Set(list.map((failure) => failure.index));
      return entries.filter((_, index) => !duplicates.has(index));
    }
  }

  /**
   * Takes the conversation's due entries (pending, or processing under a lease that ended),
   * oldest Meta timestamp first, under the lease's fencing token: they become `processing`
   * with one more attempt. Entries already taken under a newer token are left alone.
   */
  async takeDue(
    conversationKey: string,
    token: number,
    now: Date,
    limit: number,
  ): Promise<TakenEntry[]> {
    const due = await this.model
      .find(
        {
          conversationKey,
          status: { $in: UNFINISHED },
          nextAttemptAt: { $lte: now },
          ...fencedBefore(token),
        },
        TAKEN_FIELDS,
      )
      .sort({ eventAt: 1, _id: 1 })
      .limit(limit)
      .lean<TakenEntry[]>()
      .exec();
    if (due.length === 0) return [];
    const ids = due.map((entry) => entry._id);
    const result = await this.model
      .updateMany(
        { _id: { $in: ids }, status: { $in: UNFINISHED }, ...fencedBefore(token) },
        { $set: { status: 'processing', fence: token }, $inc: { attempts: 1 } },
      )
      .exec();
    if (result.modifiedCount === due.length) {
      return due.map((entry) => ({ ...entry, attempts: entry.attempts + 1 }));
    }
    return this.model
      .find({ _id: { $in: ids }, status: 'processing', fence: token }, TAKEN_FIELDS)
      .sort({ eventAt: 1, _id: 1 })
      .lean<TakenEntry[]>()
      .exec();
  }

  /**
   * Ignores the conversation's due entries without taking them (their account is not
   * connected: nothing of the conversation is written).
   */
  async ignoreDue(conversationKey: string, reason: string, now: Date): Promise<number> {
    const result = await this.model
      .updateMany(
        { conversationKey, status: { $in: UNFINISHED }, nextAttemptAt: { $lte: now } },
        {
          $set: { status: 'ignored', lastError: reason, processedAt: now, nextAttemptAt: null },
          $inc: { attempts: 1 },
        },
      )
      .exec();
    return result.modifiedCount;
  }

  /** Whether an entry with one of these dedupe keys still waits to be processed. */
  async hasUnprocessed(dedupeKeys: string[]): Promise<boolean> {
    const found = await this.model
      .exists({ dedupeKey: { $in: dedupeKeys }, status: { $in: UNFINISHED } })
      .exec();
    return found !== null;
  }

  /** Records entries taken under `token` as applied (nothing changes where a newer lease took them). */
  async markDone(ids: Types.ObjectId[], token: number, at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.model
      .updateMany(
        { _id: { $in: ids }, status: 'processing', fence: token },
        { $set: { status: 'done', processedAt: at, nextAttemptAt: null } },
      )
      .exec();
  }

  async markIgnored(ids: Types.ObjectId[], token: number, reason: string, at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.model
      .updateMany(
        { _id: { $in: ids }, status: 'processing', fence: token },
        { $set: { status: 'ignored', lastError: reason, processedAt: at, nextAttemptAt: null } },
      )
      .exec();
  }

  async scheduleRetry(
    id: Types.ObjectId,
    token: number,
    error: string,
    nextAttemptAt: Date,
  ): Promise<void> {
    await this.model
      .updateOne(
        { _id: id, status: 'processing', fence: token },
        { $set: { status: 'pending', lastError: error, nextAttemptAt } },
      )
      .exec();
  }

  async markFailed(id: Types.ObjectId, token: number, error: string, at: Date): Promise<void> {
    await this.model
      .updateOne(
        { _id: id, status: 'processing', fence: token },
        { $set: { status: 'failed', lastError: error, processedAt: at, nextAttemptAt: null } },
      )
      .exec();
  }

  /** The conversations with unfinished entries due at `cutoff` or earlier (the sweep re-enqueues them). */
  async conversationsDueBefore(cutoff: Date): Promise<string[]> {
    const keys: unknown[] = await this.model
      .distinct('conversationKey', {
        status: { $in: UNFINISHED },
        nextAttemptAt: { $lte: cutoff },
        conversationKey: { $ne: null },
      })
      .exec();
    return keys.filter((key): key is string => typeof key === 'string');
  }

  /**
   * Unfinished entries stored without a conversation key (by a version that had none), for the
   * sweep to route.
   */
  findUnrouted(limit: number): Promise<UnroutedEntry[]> {
    return this.model
      .find({ status: { $in: UNFINISHED }, conversationKey: null }, { payload: 1 })
      .limit(limit)
      .lean<UnroutedEntry[]>()
      .exec();
  }

  /** Gives an unrouted entry its conversation, due at once. */
  async route(id: InboxEntryId, conversationKey: string, eventAt: Date, now: Date): Promise<void> {
    await this.model
      .updateOne(
        { _id: id, conversationKey: null },
        { $set: { conversationKey, eventAt, nextAttemptAt: now } },
      )
      .exec();
  }

  /** An unrouted entry that belongs to no conversation: ignored. */
  async ignoreUnrouted(id: InboxEntryId, reason: string, at: Date): Promise<void> {
    await this.model
      .updateOne(
        { _id: id, conversationKey: null, status: { $in: UNFINISHED } },
        { $set: { status: 'ignored', lastError: reason, processedAt: at, nextAttemptAt: null } },
      )
      .exec();
  }

  /** Resolves once the database answers a ping. */
  async ping(): Promise<void> {
    const db = this.model.db.db;
    if (!db) throw new Error('Not connected to the database');
    await db.command({ ping: 1 });
  }

  async purgeProcessedBefore(cutoff: Date): Promise<number> {
    const result = await this.model
      .deleteMany({ status: { $in: ['done', 'ignored'] }, processedAt: { $lt: cutoff } })
      .exec();
    return result.deletedCount;
  }

  async countByStatus(): Promise<Record<InboxStatus, number>> {
    const counts = await Promise.all(
      INBOX_STATUSES.map((status) => this.model.countDocuments({ status }).exec()),
    );
    return Object.fromEntries(INBOX_STATUSES.map((status, i) => [status, counts[i]])) as Record<
      InboxStatus,
      number
    >;
  }

  /** Entries that gave up (newest first) and failed entries waiting for or in a retry (soonest first). */
  async recentProblems(
    limit: number,
  ): Promise<{ failed: InboxProblem[]; retrying: InboxProblem[] }> {
    const [failed, retrying] = await Promise.all([
      this.model
        .find({ status: 'failed' }, PROBLEM_FIELDS)
        .sort({ processedAt: -1 })
        .limit(limit)
        .lean<InboxProblem[]>()
        .exec(),
      this.model
        .find({ status: { $in: UNFINISHED }, lastError: { $ne: null } }, PROBLEM_FIELDS)
        .sort({ nextAttemptAt: 1 })
        .limit(limit)
        .lean<InboxProblem[]>()
        .exec(),
    ]);
    return { failed, retrying };
  }
}
