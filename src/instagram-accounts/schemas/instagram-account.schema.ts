import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Schema as MongooseSchema, Types } from 'mongoose';
import type { ConnectionType } from '../../meta/meta.types';

/** An access token encrypted with AES-256-GCM; `keyId` names the key, for rotation. */
export class EncryptedSecret {
  keyId!: string;
  /** base64, 12 random bytes */
  iv!: string;
  /** base64 auth tag */
  tag!: string;
  /** base64 ciphertext */
  data!: string;
}

@Schema({ timestamps: true, collection: 'instagram_accounts' })
export class InstagramAccount {
  _id!: Types.ObjectId;

  /** Owner. */
  @Prop({ type: MongooseSchema.Types.ObjectId, ref: 'User', required: true })
  user!: Types.ObjectId;

  @Prop({ type: String, enum: ['facebook', 'instagram'], required: true })
  connectionType!: ConnectionType;

  /** Facebook Page id (facebook connections). */
  @Prop()
  pageId?: string;

  /** Instagram professional account id: the id webhooks name as recipient. */
  @Prop({ required: true })
  instagramBusinessId!: string;

  @Prop({ required: true })
  username!: string;

  @Prop()
  name?: string;

  @Prop()
  profilePictureUrl?: string;

  @Prop({ default: 0 })
  followersCount!: number;

  /** Never selected unless asked for explicitly (`+accessToken`). */
  @Prop({
    type: { keyId: String, iv: String, tag: String, data: String },
    _id: false,
    select: false,
    required: true,
  })
  accessToken!: EncryptedSecret;

  @Prop({ type: Date })
  tokenExpiresAt?: Date;

  /** When the stored token was issued or last refreshed. */
  @Prop({ type: Date })
  tokenIssuedAt?: Date;

  /** The owner's switch: inactive accounts keep their data but are not served by automations. */
  @Prop({ default: true })
  isActive!: boolean;

  /** Meta rejected the token (code 190) or a refresh failed: the owner must reconnect. */
  @Prop({ default: false })
  reconnectRequired!: boolean;

  @Prop({ default: false })
  webhookSubscribed!: boolean;

  /** Meta's message when it refused the latest webhook subscription; null once subscribed. */
  @Prop({ type: String, default: null })
  webhookSubscriptionError?: string | null;

  /** Set when the owner removed the account; hidden everywhere until the same owner reconnects. */
  @Prop({ type: Date, default: null })
  removedAt!: Date | null;

  createdAt!: Date;
  updatedAt!: Date;
}

export type InstagramAccountDocument = HydratedDocument<InstagramAccount>;
export const InstagramAccountSchema = SchemaFactory.createForClass(InstagramAccount);

// Connect (duplicate check, by anyone, removed included) and webhook matching by recipient id.
InstagramAccountSchema.index({ instagramBusinessId: 1 }, { unique: true });
// Webhook matching of Facebook-Login accounts by Page id.
InstagramAccountSchema.index({ pageId: 1 });
// GET /v1/instagram for a user: their accounts, newest first.
InstagramAccountSchema.index({ user: 1, removedAt: 1, createdAt: -1 });
// GET /v1/instagram for an admin: every account not removed, newest first.
InstagramAccountSchema.index({ removedAt: 1, createdAt: -1 });
// Daily token refresh job: Instagram-Login tokens by expiry.
InstagramAccountSchema.index({ connectionType: 1, tokenExpiresAt: 1 });
