import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

export const INBOX_STATUSES = ['pending', 'processing', 'done', 'failed', 'ignored'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

export const INBOX_KINDS = [
  'message',
  'echo',
  'message_deleted',
  'message_edit',
  'reaction',
  'read',
  'postback',
  'referral',
  'change',
  'unrecognized',
] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];

/**
 * One webhook update, persisted before the delivery is acknowledged and then
 * applied by the job of its conversation (`conversationKey`). Redeliveries of
 * the same update share its `dedupeKey` and are not stored twice.
 */
@Schema({ timestamps: true, collection: 'webhook_inbox' })
export class WebhookInboxEntry {
  _id!: Types.ObjectId;

  /** SHA-256 of the update's identity (account, kind, Meta message id, ...). */
  @Prop({ type: String, required: true })
  dedupeKey!: string;

  @Prop({ type: String, enum: INBOX_KINDS, required: true })
  kind!: InboxKind;

  /** Meta id of the account the update is about, when known. */
  @Prop({ type: String, default: null })
  accountMetaId!: string | null;

  /**
   * `<account Meta id>|<participant id>` of a processable update: the entries of one
   * conversation are applied one at a time, by one job, in `eventAt` order. Null for
   * updates stored as ignored.
   */
  @Prop({ type: String, default: null })
  conversationKey!: string | null;

  /** Meta's timestamp of the event (the order a conversation's entries are applied in). */
  @Prop({ type: Date, default: null })
  eventAt!: Date | null;

  @Prop({ type: String, enum: INBOX_STATUSES, required: true })
  status!: InboxStatus;

  /** Attempts made so far, written with each outcome (Redis counts them in between). */
  @Prop({ type: Number, default: 0 })
  attempts!: number;

  @Prop({ type: String, default: null })
  lastError!: string | null;

  /**
   * When a pending entry is due (a retry waits until then). Which entries a conversation's
   * job takes is kept in Redis; the sweep reads this when Redis lost it.
   */
  @Prop({ type: Date, default: null })
  nextAttemptAt!: Date | null;

  /** When the entry became done, ignored or failed (retention is counted from here). */
  @Prop({ type: Date, default: null })
  processedAt!: Date | null;

  @Prop({ type: Date, required: true })
  receivedAt!: Date;

  /** JSON of `{ object, entryId, entryTime, field, event }` exactly as Meta sent the event. */
  @Prop({ type: String, required: true })
  payload!: string;

  createdAt!: Date;
  updatedAt!: Date;
}

export type WebhookInboxEntryDocument = HydratedDocument<WebhookInboxEntry>;
export const WebhookInboxEntrySchema = SchemaFactory.createForClass(WebhookInboxEntry);

// Receiving: a redelivered update is refused by this index instead of stored twice; the worker
// looks up by dedupe key whether the message a reaction or edit names still waits to be processed.
WebhookInboxEntrySchema.index({ dedupeKey: 1 }, { unique: true });
// Sweep of unfinished entries left behind (not waiting in Redis); retrying entries, soonest
// first. A conversation's job reads its entries by _id.
WebhookInboxEntrySchema.index({ status: 1, nextAttemptAt: 1 });
// Purge of done/ignored entries past retention; GET /v1/webhook/inbox recent failures.
WebhookInboxEntrySchema.index({ status: 1, processedAt: 1 });
