import { Prop } from '@nestjs/mongoose';
import { Schema as MongooseSchema, Types } from 'mongoose';

/**
 * What every token sent to a user shares in storage: its owner, the SHA-256 hash (never the
 * token), when it expires and when it was used. Each kind of token extends it with its own
 * fields and collection.
 */
export abstract class HashedToken {
  _id!: Types.ObjectId;

  @Prop({ type: MongooseSchema.Types.ObjectId, ref: 'User', required: true })
  user!: Types.ObjectId;

  /** Hex SHA-256 of the token. */
  @Prop({ required: true })
  tokenHash!: string;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;

  @Prop({ type: Date, default: null })
  usedAt!: Date | null;

  createdAt!: Date;
  updatedAt!: Date;
}
