import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Schema as MongooseSchema, Types } from 'mongoose';
import { HashedToken } from './hashed-token.schema';

/**
 * One refresh token. Only its SHA-256 hash is stored. Every login starts a new
 * `family`; each refresh marks the presented token used and issues its successor in
 * the same family, so presenting a used token again reveals a replay and revokes the
 * whole family.
 */
@Schema({ timestamps: true, collection: 'refresh_tokens' })
export class RefreshToken extends HashedToken {
  /** Random id shared by every token descending from one login. */
  @Prop({ required: true })
  family!: string;

  @Prop({ type: Date, default: null })
  revokedAt!: Date | null;

  /** The token issued when this one was used. */
  @Prop({ type: MongooseSchema.Types.ObjectId, default: null })
  replacedBy!: Types.ObjectId | null;
}

export type RefreshTokenDocument = HydratedDocument<RefreshToken>;
export const RefreshTokenSchema = SchemaFactory.createForClass(RefreshToken);

// Refresh and logout: look a presented token up by its hash.
RefreshTokenSchema.index({ tokenHash: 1 }, { unique: true });
// Revoking a family (replay, logout) and a user's sessions (password change, reset, disable).
RefreshTokenSchema.index({ user: 1, family: 1 });
// Daily purge of expired tokens.
RefreshTokenSchema.index({ expiresAt: 1 });
