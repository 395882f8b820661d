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
 * processed by the inbox worker. Redeliveries of the same update share its
 * `dedupeKey` and are not stored twice.
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

  @Prop({ type: String, enum: INBOX_STATUSES, required: true })
  status!: InboxStatus;

  /** Processing attempts started so far. */
  @Prop({ type: Number, default: 0 })
  attempts!: number;

  @Prop({ type: String, default: null })
  lastError!: string | null;

  /**
   * When the entry is due: for a pending entry its next attempt, for a
   * processing one the end of its claim (a worker that died is taken over then).
   */
  @Prop({ type: Date, default: null })
  nextAttemptAt!: Date | null;

  /** When a worker last claimed the entry. */
  @Prop({ type: Date, default: null })
  claimedAt!: Date | null;

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
// Worker claims (pending entries due, processing entries whose claim expired); retrying entries.
WebhookInboxEntrySchema.index({ status: 1, nextAttemptAt: 1 });
// Purge of done/ignored entries past retention; GET /v1/webhook/inbox recent failures.
WebhookInboxEntrySchema.index({ status: 1, processedAt: 1 });
