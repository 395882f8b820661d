import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { isDuplicateKeyError } from '../common/database/duplicate-key-error';
import {
  INBOX_STATUSES,
  WebhookInboxEntry,
  type InboxStatus,
} from './schemas/webhook-inbox-entry.schema';

export type NewInboxEntry = Omit<WebhookInboxEntry, 'createdAt' | 'updatedAt'>;

/** What the worker needs of a claimed entry. */
export type ClaimedEntry = Pick<WebhookInboxEntry, '_id' | 'payload' | 'attempts' | 'kind'>;

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
    const documents = entries.map((entry) => ({ ...entry, createdAt: now, updatedAt: now }));
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

  /** Claims the due entry that waited longest: a pending one, or one whose claim expired. */
  claimNext(now: Date, claimMs: number): Promise<ClaimedEntry | null> {
    return this.model
      .findOneAndUpdate(
        { status: { $in: ['pending', 'processing'] }, nextAttemptAt: { $lte: now } },
        {
          $set: {
            status: 'processing',
            claimedAt: now,
            nextAttemptAt: new Date(now.getTime() + claimMs),
          },
          $inc: { attempts: 1 },
        },
        { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
      )
      .lean<ClaimedEntry>()
      .exec();
  }

  /** Whether an entry with one of these dedupe keys still waits to be processed. */
  async hasUnprocessed(dedupeKeys: string[]): Promise<boolean> {
    const found = await this.model
      .exists({ dedupeKey: { $in: dedupeKeys }, status: { $in: ['pending', 'processing'] } })
      .exec();
    return found !== null;
  }

  async markDone(ids: Types.ObjectId[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.model
      .updateMany(
        { _id: { $in: ids } },
        { $set: { status: 'done', processedAt: at, nextAttemptAt: null } },
      )
      .exec();
  }

  async markIgnored(ids: Types.ObjectId[], reason: string, at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.model
      .updateMany(
        { _id: { $in: ids } },
        { $set: { status: 'ignored', lastError: reason, processedAt: at, nextAttemptAt: null } },
      )
      .exec();
  }

  async scheduleRetry(id: Types.ObjectId, error: string, nextAttemptAt: Date): Promise<void> {
    await this.model
      .updateOne({ _id: id }, { $set: { status: 'pending', lastError: error, nextAttemptAt } })
      .exec();
  }

  async markFailed(id: Types.ObjectId, error: string, at: Date): Promise<void> {
    await this.model
      .updateOne(
        { _id: id },
        { $set: { status: 'failed', lastError: error, processedAt: at, nextAttemptAt: null } },
      )
      .exec();
  }

  /** Hands claimed entries back (shutting down): due at once for the next worker. */
  async release(ids: Types.ObjectId[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.model
      .updateMany(
        { _id: { $in: ids }, status: 'processing' },
        { $set: { status: 'pending', nextAttemptAt: at } },
      )
      .exec();
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
        .find(
          { status: { $in: ['pending', 'processing'] }, lastError: { $ne: null } },
          PROBLEM_FIELDS,
        )
        .sort({ nextAttemptAt: 1 })
        .limit(limit)
        .lean<InboxProblem[]>()
        .exec(),
    ]);
    return { failed, retrying };
  }
}
