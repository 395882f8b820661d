import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument } from 'mongoose';
import { HashedToken } from './hashed-token.schema';

export const ONE_TIME_TOKEN_PURPOSES = ['reset-password', 'verify-email'] as const;
export type OneTimeTokenPurpose = (typeof ONE_TIME_TOKEN_PURPOSES)[number];

/**
 * A password-reset or email-verification token, sent by email. Only its SHA-256 hash
 * is stored. A user holds at most one per purpose: issuing a new one overwrites the
 * previous, which therefore stops working.
 */
@Schema({ timestamps: true, collection: 'one_time_tokens' })
export class OneTimeToken extends HashedToken {
  @Prop({ type: String, enum: ONE_TIME_TOKEN_PURPOSES, required: true })
  purpose!: OneTimeTokenPurpose;
}

export type OneTimeTokenDocument = HydratedDocument<OneTimeToken>;
export const OneTimeTokenSchema = SchemaFactory.createForClass(OneTimeToken);

// Reset-password / verify-email: consume a presented token by its hash.
OneTimeTokenSchema.index({ tokenHash: 1 }, { unique: true });
// Issuing a token replaces the user's previous one of the same purpose.
OneTimeTokenSchema.index({ user: 1, purpose: 1 }, { unique: true });
// Daily purge of expired tokens.
OneTimeTokenSchema.index({ expiresAt: 1 });
