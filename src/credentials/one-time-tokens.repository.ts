import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { isDuplicateKeyError } from '../common/database/duplicate-key-error';
import { OneTimeToken, type OneTimeTokenPurpose } from './schemas/one-time-token.schema';

export type OneTimeTokenRecord = OneTimeToken;

@Injectable()
export class OneTimeTokensRepository {
  constructor(@InjectModel(OneTimeToken.name) private readonly model: Model<OneTimeToken>) {}

  /** Stores the user's token for `purpose`, replacing (and so invalidating) any previous one. */
  async replace(input: {
    userId: string;
    purpose: OneTimeTokenPurpose;
    tokenHash: string;
    expiresAt: Date;
  }): Promise<void> {
    const filter = { user: new Types.ObjectId(input.userId), purpose: input.purpose };
    const update = {
      $set: { tokenHash: input.tokenHash, expiresAt: input.expiresAt, usedAt: null },
    };
    try {
      await this.model.updateOne(filter, update, { upsert: true }).exec();
    } catch (error) {
      // A concurrent request inserted the document first: overwrite it instead.
      if (!isDuplicateKeyError(error)) throw error;
      await this.model.updateOne(filter, update).exec();
    }
  }

  /** Marks a usable token used, atomically: a token works once, before it expires. */
  consume(
    purpose: OneTimeTokenPurpose,
    tokenHash: string,
    now: Date,
  ): Promise<OneTimeTokenRecord | null> {
    return this.model
      .findOneAndUpdate(
        { tokenHash, purpose, usedAt: null, expiresAt: { $gt: now } },
        { $set: { usedAt: now } },
        { returnDocument: 'after' },
      )
      .lean<OneTimeTokenRecord>()
      .exec();
  }

  async deleteForUser(userId: string, purpose?: OneTimeTokenPurpose): Promise<void> {
    await this.model
      .deleteMany({ user: new Types.ObjectId(userId), ...(purpose ? { purpose } : {}) })
      .exec();
  }

  async deleteExpired(now: Date): Promise<number> {
    const result = await this.model.deleteMany({ expiresAt: { $lt: now } }).exec();
    return result.deletedCount;
  }
}
