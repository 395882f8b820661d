import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Schema as MongooseSchema, Types } from 'mongoose';

export const MESSAGE_SENDERS = ['user', 'page'] as const;
export type MessageSender = (typeof MESSAGE_SENDERS)[number];

export const MESSAGE_STATUSES = ['received', 'pending', 'sent', 'failed', 'unsupported'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Prefix of the placeholder `messageId` of a message Meta has not accepted (yet). */
export const LOCAL_MESSAGE_ID_PREFIX = 'local:';

export class MessageAttachment {
  /** image, video, audio, file, ig_post, share, ig_reel, ig_story, story_mention, sticker, ... */
  type!: string;
  /** The media's link (`payload.url`; for `ig_story`, `payload.story_media_url`). */
  url!: string | null;
  /** Instagram media id of a shared post, reel or story (`ig_post_media_id`, `reel_video_id`, `story_media_id`). */
  mediaId?: string;
  /** Caption of a shared post or reel (`payload.title`). */
  title?: string;
}

/** What a send was answered with; a retry with the same Idempotency-Key gets it again. */
export interface SendAnswer {
  status: number;
  message: string;
  details: unknown[];
}

export class MessageError {
  code!: number | null;
  subcode!: number | null;
  message!: string;
  answer?: SendAnswer;
}

export class MessageReplyTo {
  /** The message replied to. */
  mid?: string;
  /** The story replied to. */
  story?: { id: string; url: string | null };
}

const AttachmentSchema = new MongooseSchema<MessageAttachment>(
  {
    type: { type: String, required: true },
    url: { type: String, default: null },
    mediaId: { type: String },
    title: { type: String },
  },
  { _id: false },
);

/** One person's reaction; `reaction: null` records a withdrawn one (so an older event cannot revive it). */
export interface StoredReaction {
  reaction: string | null;
  emoji: string | null;
  at: Date;
}

@Schema({ timestamps: true, collection: 'messages' })
export class Message {
  _id!: Types.ObjectId;

  @Prop({ type: MongooseSchema.Types.ObjectId, ref: 'Conversation', required: true })
  conversation!: Types.ObjectId;

  @Prop({ type: MongooseSchema.Types.ObjectId, ref: 'InstagramAccount', required: true })
  instagramAccount!: Types.ObjectId;

  /** Owner of the account (idempotency keys are unique per owner). */
  @Prop({ type: MongooseSchema.Types.ObjectId, ref: 'User', required: true })
  owner!: Types.ObjectId;

  /** Meta's message id (`mid`); `local:<uuid>` until Meta accepted a message we send. */
  @Prop({ type: String, required: true })
  messageId!: string;

  @Prop({ type: String, enum: MESSAGE_SENDERS, required: true })
  sender!: MessageSender;

  /** IGSID of the participant, or the account's Instagram id for messages the account sent. */
  @Prop({ type: String, required: true })
  senderId!: string;

  @Prop({ type: String, default: null })
  text!: string | null;

  @Prop({ type: [AttachmentSchema], default: [] })
  attachments!: MessageAttachment[];

  /** Meta's timestamp (for messages we send: when we stored it). */
  @Prop({ type: Date, required: true })
  timestamp!: Date;

  /** Inbound: read by the account. Outbound: seen by the participant. */
  @Prop({ type: Boolean, default: false })
  isRead!: boolean;

  @Prop({ type: Date, default: null })
  readAt!: Date | null;

  @Prop({ type: String, enum: MESSAGE_STATUSES, required: true })
  status!: MessageStatus;

  @Prop({
    type: { code: Number, subcode: Number, message: String, answer: MongooseSchema.Types.Mixed },
    _id: false,
    default: null,
  })
  error!: MessageError | null;

  @Prop({ type: MongooseSchema.Types.Mixed, default: null })
  replyTo!: MessageReplyTo | null;

  /** Reactions keyed by the reacting person's Instagram id. */
  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  reactions!: Record<string, StoredReaction>;

  @Prop({ type: Boolean, default: false })
  isDeleted!: boolean;

  /** Times the text was edited (Meta's `num_edit`); absent for a message never edited. */
  @Prop({ type: Number })
  editCount?: number;

  /** Meta's timestamp of the newest edit applied; absent for a message never edited. */
  @Prop({ type: Date })
  editedAt?: Date;

  /** Postback and referral payloads, quick-reply payloads, the HUMAN_AGENT tag. */
  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  metadata!: Record<string, unknown>;

  /**
   * Set on a message stored from a webhook. Its effects on the conversation (unread count,
   * newest message, reply window) are applied once the conversation remembers its mid among
   * the ids it applied; the mark is cleared before the conversation forgets that id, so a
   * marked message its conversation does not remember has no effects yet, and a retried update
   * whose message is already stored applies them then. Absent on messages stored by the API.
   */
  @Prop({ type: Boolean })
  effectsPending?: boolean;

  /** `client:<Idempotency-Key>` for API sends that carried one, otherwise `auto:<uuid>`. */
  @Prop({ type: String, required: true })
  idempotencyKey!: string;

  createdAt!: Date;
  updatedAt!: Date;
}

export type MessageDocument = HydratedDocument<Message>;
export const MessageSchema = SchemaFactory.createForClass(Message);

// Exactly-once ingestion: one message per Meta mid and account; echo and reaction lookups by mid.
MessageSchema.index({ instagramAccount: 1, messageId: 1 }, { unique: true });
// GET /v1/messages/:conversationId newest first with a (timestamp, _id) cursor; read marking.
MessageSchema.index({ conversation: 1, timestamp: -1, _id: -1 });
// POST /v1/messages with an Idempotency-Key: the first message stored with the key.
MessageSchema.index({ owner: 1, idempotencyKey: 1 }, { unique: true });
