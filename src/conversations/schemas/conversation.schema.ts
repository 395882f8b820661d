import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Schema as MongooseSchema, Types } from 'mongoose';

/** The newest ig.me link or ad the participant came to the conversation from. */
export class StoredReferral {
  /** `SHORTLINKS` (ig.me link), `ADS`, ... as Meta sends it. */
  source!: string | null;
  /** `OPEN_THREAD`. */
  type!: string | null;
  /** The `ref` parameter of the link or ad. */
  ref!: string | null;
  adId!: string | null;
  /** Meta's timestamp of the referral; an older one never replaces a newer one. */
  at!: Date;
}

const ReferralSchema = new MongooseSchema<StoredReferral>(
  {
    source: { type: String, default: null },
    type: { type: String, default: null },
    ref: { type: String, default: null },
    adId: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * One thread between a connected account and one Instagram user (IGSID).
 * `lastMessage*`, `unreadCount` and `lastInboundAt` are only changed by
 * conditional single-document updates, so events applied in any order end in
 * the same state.
 */
@Schema({ timestamps: true, collection: 'conversations' })
export class Conversation {
  _id!: Types.ObjectId;

  @Prop({ type: MongooseSchema.Types.ObjectId, ref: 'InstagramAccount', required: true })
  instagramAccount!: Types.ObjectId;

  /** Owner of the account, copied here so owner-scoped reads need no second lookup. */
  @Prop({ type: MongooseSchema.Types.ObjectId, ref: 'User', required: true })
  owner!: Types.ObjectId;

  /** The account's Instagram id, to check that the account is still connected. */
  @Prop({ type: String, required: true })
  accountInstagramId!: string;

  /** The participant's Instagram-scoped id (IGSID). */
  @Prop({ type: String, required: true })
  igUserId!: string;

  @Prop({ type: String, default: null })
  igUsername!: string | null;

  @Prop({ type: String, default: null })
  name!: string | null;

  @Prop({ type: String, default: null })
  profilePictureUrl!: string | null;

  /** When the participant's profile was last fetched from Meta. */
  @Prop({ type: Date, default: null })
  profileFetchedAt!: Date | null;

  /** Preview of the newest message: text cut to 500 characters, or `[N attachment(s)]`. */
  @Prop({ type: String, default: null })
  lastMessage!: string | null;

  /** Meta's timestamp of the newest message (after a DELETE: the time it was hidden). */
  @Prop({ type: Date, default: null })
  lastMessageTimestamp!: Date | null;

  /** Meta message id of the newest message; breaks ties between equal timestamps. */
  @Prop({ type: String, default: null })
  lastMessageId!: string | null;

  /**
   * Meta ids of the latest webhook messages whose effects (newest message, unread count, reply
   * window) were applied here, oldest first: a retried update applies its message's effects
   * only once.
   */
  @Prop({ type: [String], default: [] })
  appliedMessageIds!: string[];

  /**
   * The largest conversation-lease token a webhook message was applied under: a worker whose
   * lease was taken over (its token is smaller) can no longer apply one.
   */
  @Prop({ type: Number, default: null })
  writerFence!: number | null;

  /** Inbound messages not yet marked read. */
  @Prop({ type: Number, default: 0 })
  unreadCount!: number;

  /** Meta's timestamp of the newest inbound message or referral: opens the reply window. */
  @Prop({ type: Date, default: null })
  lastInboundAt!: Date | null;

  /** Set by DELETE; cleared when a newer message arrives. */
  @Prop({ type: Date, default: null })
  hiddenAt!: Date | null;

  /** The account was removed by its owner: hidden with it until the owner reconnects it. */
  @Prop({ type: Boolean, default: false })
  accountRemoved!: boolean;

  /** Absent until the participant comes through an ig.me link or an ad. */
  @Prop({ type: ReferralSchema })
  referral?: StoredReferral;

  /** Messages older than this stay hidden after a DELETE. */
  @Prop({ type: Date, default: null })
  visibleFrom!: Date | null;

  createdAt!: Date;
  updatedAt!: Date;
}

export type ConversationDocument = HydratedDocument<Conversation>;
export const ConversationSchema = SchemaFactory.createForClass(Conversation);

// Webhook ingestion: the one conversation per (account, participant), created by upsert.
ConversationSchema.index({ instagramAccount: 1, igUserId: 1 }, { unique: true });
// GET /v1/conversations/:accountId: visible conversations, newest activity first, cursor by (time, _id).
ConversationSchema.index({ instagramAccount: 1, hiddenAt: 1, lastMessageTimestamp: -1, _id: -1 });
