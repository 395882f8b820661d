import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { RefreshToken } from './schemas/refresh-token.schema';

export type RefreshTokenRecord = RefreshToken;
export type RefreshTokenId = RefreshTokenRecord['_id'];

@Injectable()
export class RefreshTokensRepository {
  constructor(@InjectModel(RefreshToken.name) private readonly model: Model<RefreshToken>) {}

  async create(input: {
    userId: string;
    family: string;
    tokenHash: string;
    expiresAt: Date;
  }): Promise<RefreshTokenId> {
    const created = await this.model.create({
      user: new Types.ObjectId(input.userId),
      family: input.family,
      tokenHash: input.tokenHash,
      expiresAt: input.expiresAt,
    });
    return created._id;
  }

  /** Marks a usable token used, atomically: of two concurrent presentations only one wins. */
  consume(tokenHash: string, now: Date): Promise<RefreshTokenRecord | null> {
    return this.model
      .findOneAndUpdate(
        { tokenHash, usedAt: null, revokedAt: null, expiresAt: { $gt: now } },
        { $set: { usedAt: now } },
        { returnDocument: 'after' },
      )
      .lean<RefreshTokenRecord>()
      .exec();
  }

  findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
    return this.model.findOne({ tokenHash }).lean<RefreshTokenRecord>().exec();
  }

  /** A token that may still be used: neither used, revoked nor expired. */
  findUsableByHash(tokenHash: string, now: Date): Promise<RefreshTokenRecord | null> {
    return this.model
      .findOne({ tokenHash, usedAt: null, revokedAt: null, expiresAt: { $gt: now } })
      .lean<RefreshTokenRecord>()
      .exec();
  }

  async setReplacedBy(id: RefreshTokenId, replacedBy: RefreshTokenId): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { replacedBy } }).exec();
  }

  async revokeFamily(userId: Types.ObjectId | string, family: string, now: Date): Promise<void> {
    await this.model
      .updateMany(
        { user: new Types.ObjectId(String(userId)), family, revokedAt: null },
        { $set: { revokedAt: now } },
      )
      .exec();
  }

  /** Ends every session of the user, except the login family `keepFamily` when given. */
  async revokeAllForUser(userId: string, now: Date, keepFamily?: string): Promise<void> {
    await this.model
      .updateMany(
        {
          user: new Types.ObjectId(userId),
          revokedAt: null,
          ...(keepFamily ? { family: { $ne: keepFamily } } : {}),
        },
        { $set: { revokedAt: now } },
      )
      .exec();
  }

  async deleteAllForUser(userId: string): Promise<void> {
    await this.model.deleteMany({ user: new Types.ObjectId(userId) }).exec();
  }

  async deleteExpired(now: Date): Promise<number> {
    const result = await this.model.deleteMany({ expiresAt: { $lt: now } }).exec();
    return result.deletedCount;
  }
}
