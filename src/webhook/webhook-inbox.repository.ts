import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types, type mongo } from 'mongoose';
import { isDuplicateKeyError } from '../common/database/duplicate-key-error';
import {
  INBOX_STATUSES,
  WebhookInboxEntry,
  type InboxStatus,
} from './schemas/webhook-inbox-entry.schema';
import { WebhookReceipt } from './schemas/webhook-receipt.schema';

export type NewInboxEntry = Omit<WebhookInboxEntry, '_id' | 'createdAt' | 'updatedAt'>;

export type InboxEntryId = WebhookInboxEntry['_id'];

/** An entry as stored, with its id. */
export type StoredInboxEntry = NewInboxEntry & { _id: InboxEntryId };

/** An unfinished entry of a conversation, as the sweep finds it. */
export type UnfinishedEntry = Pick<WebhookInboxEntry, '_id' | 'eventAt'> & {
  conversationKey: string;
};

/** An unfinished entry's update, as its conversation's job reads it when Redis lost it. */
export type UnfinishedUpdate = Pick<WebhookInboxEntry, '_id' | 'payload' | 'attempts' | 'kind'>;

export type UnroutedEntry = Pick<WebhookInboxEntry, '_id' | 'payload'>;

const UPDATE_FIELDS = { payload: 1, attempts: 1, kind: 1, status: 1 } as const;

/**
 * Entries not applied yet: waiting (also while their conversation's job applies them), or
 * `processing`, which earlier versions wrote while applying.
 */
const UNFINISHED: InboxStatus[] = ['pending', 'processing'];

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
    @InjectModel(WebhookReceipt.name) private readonly receipts: Model<WebhookReceipt>,
  ) {}

  /**
   * Stores the entries, skipping those whose dedupe key is already stored; returns the ones
   * stored now. A redelivered update is refused by the inbox while its entry is there, and by
   * its receipt once the entry was applied and removed (an entry stored again then is removed
   * at once). Two inserts: the inbox's entries, then their receipts.
   */
  async insertNew(entries: NewInboxEntry[]): Promise<StoredInboxEntry[]> {
    if (entries.length === 0) return [];
    const now = new Date();
    const documents = entries.map((entry) => ({
      ...entry,
      _id: new Types.ObjectId(),
      createdAt: now,
      updatedAt: now,
    }));
    const stored = await insertSkippingDuplicates(
      (docs) => this.model.collection.insertMany(docs, { ordered: false }),
      documents,
    );
    const received = await insertSkippingDuplicates(
      (docs) => this.receiptCollection().insertMany(docs, { ordered: false }),
      stored.map((entry): WebhookReceipt => ({
        _id: entry.dedupeKey,
        receivedAt: entry.receivedAt,
      })),
    );
    const receivedNow = new Set(received.map((receipt) => receipt._id));
    const redelivered = stored.filter((entry) => !receivedNow.has(entry.dedupeKey));
    if (redelivered.length > 0) {
      await this.model.deleteMany({ _id: { $in: redelivered.map((entry) => entry._id) } }).exec();
    }
    return stored.filter((entry) => receivedNow.has(entry.dedupeKey));
  }

  /** The receipts, as the driver's collection (their `_id` is the dedupe key, a string). */
  private receiptCollection(): mongo.Collection<WebhookReceipt> {
    return this.receipts.collection as unknown as mongo.Collection<WebhookReceipt>;
  }

  /**
   * The given entries (hex ids) that are still unfinished, with their updates, each read by
   * `_id` alone (the one lookup the embedded database answers without reading every stored
   * entry); the ids of the others (finished, or no longer stored).
   */
  async findUnfinished(ids: string[]): Promise<{ found: UnfinishedUpdate[]; gone: string[] }> {
    const found: UnfinishedUpdate[] = [];
    const gone: string[] = [];
    for (const id of ids) {
      const entry = await this.model
        .findOne({ _id: new Types.ObjectId(id) }, UPDATE_FIELDS)
        .lean<UnfinishedUpdate & Pick<WebhookInboxEntry, 'status'>>()
        .exec();
      if (entry && UNFINISHED.includes(entry.status)) {
        found.push({
          _id: entry._id,
          kind: entry.kind,
          payload: entry.payload,
          attempts: entry.attempts,
        });
      } else gone.push(id);
    }
    return { found, gone };
  }

  /** Ignores the given unfinished entries (hex ids) without applying them; how many. */
  async ignoreWaiting(ids: string[], reason: string, now: Date): Promise<number> {
    const result = await this.model
      .updateMany(
        { _id: { $in: toObjectIds(ids) }, status: { $in: UNFINISHED } },
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

  /**
   * The entries were applied: they leave the inbox, which keeps only what is unfinished or
   * needs looking at (failed, ignored); their receipts stay for the retention.
   */
  async removeApplied(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.model.deleteMany({ _id: { $in: toObjectIds(ids) } }).exec();
  }

  /** Records unfinished entries as ignored, for a reason their content decides. */
  async markIgnored(ids: string[], attempts: number, reason: string, at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.model
      .updateMany(
        { _id: { $in: toObjectIds(ids) }, status: { $in: UNFINISHED } },
        {
          $set: {
            status: 'ignored',
            attempts,
            lastError: reason,
            processedAt: at,
            nextAttemptAt: null,
          },
        },
      )
      .exec();
  }

  /** The entry's attempt failed; it is due again at `nextAttemptAt`. */
  async scheduleRetry(
    id: string,
    attempts: number,
    error: string,
    nextAttemptAt: Date,
  ): Promise<void> {
    await this.model
      .updateOne(
        { _id: new Types.ObjectId(id) },
        { $set: { status: 'pending', attempts, lastError: error, nextAttemptAt } },
      )
      .exec();
  }

  /** The entry's last attempt failed: it is given up, `failed` or `ignored`. */
  async giveUp(
    id: string,
    status: 'failed' | 'ignored',
    attempts: number,
    error: string,
    at: Date,
  ): Promise<void> {
    await this.model
      .updateOne(
        { _id: new Types.ObjectId(id) },
        { $set: { status, attempts, lastError: error, processedAt: at, nextAttemptAt: null } },
      )
      .exec();
  }

  /** Unfinished entries due at `cutoff` or earlier (the sweep enqueues them again). */
  findUnfinishedDueBefore(cutoff: Date): Promise<UnfinishedEntry[]> {
    return this.model
      .find(
        {
          status: { $in: UNFINISHED },
          nextAttemptAt: { $lte: cutoff },
          conversationKey: { $ne: null },
        },
        { conversationKey: 1, eventAt: 1 },
      )
      .lean<UnfinishedEntry[]>()
      .exec();
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

  /** Deletes ignored entries and receipts past retention (and done entries of earlier versions); how many. */
  async purgeProcessedBefore(cutoff: Date): Promise<number> {
    const entries = await this.model
      .deleteMany({ status: { $in: ['done', 'ignored'] }, processedAt: { $lt: cutoff } })
      .exec();
    const receipts = await this.receipts.deleteMany({ receivedAt: { $lt: cutoff } }).exec();
    return entries.deletedCount + receipts.deletedCount;
  }

  /**
   * Entries by status; `done` counts the updates received within the retention whose entries
   * were applied and removed (receipts without an entry), and done entries of earlier versions.
   */
  async countByStatus(): Promise<Record<InboxStatus, number>> {
    const [counts, receipts] = await Promise.all([
      Promise.all(INBOX_STATUSES.map((status) => this.model.countDocuments({ status }).exec())),
      this.receipts.estimatedDocumentCount().exec(),
    ]);
    const byStatus = Object.fromEntries(
      INBOX_STATUSES.map((status, i) => [status, counts[i]]),
    ) as Record<InboxStatus, number>;
    const entries = counts.reduce((sum, count) => sum + count, 0);
    return { ...byStatus, done: byStatus.done + Math.max(0, receipts - entries) };
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

function toObjectIds(ids: string[]): Types.ObjectId[] {
  return ids.map((id) => new Types.ObjectId(id));
}

/**
 * Inserts the documents in one round trip, skipping those a unique index refuses as
 * duplicates; returns the ones inserted.
 */
async function insertSkippingDuplicates<T>(
  insertMany: (documents: T[]) => Promise<unknown>,
  documents: T[],
): Promise<T[]> {
  if (documents.length === 0) return [];
  try {
    await insertMany(documents);
    return documents;
  } catch (error) {
    const failures = (error as BulkWriteFailure).writeErrors;
    const list = failures === undefined ? [] : Array.isArray(failures) ? failures : [failures];
    if (list.length === 0 || !list.every((failure) => isDuplicateKeyError(failure))) throw error;
    const duplicates = new Set(list.map((failure) => failure.index));
    return documents.filter((_, index) => !duplicates.has(index));
  }
}
