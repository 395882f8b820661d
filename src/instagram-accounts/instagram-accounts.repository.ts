import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types, type UpdateQuery } from 'mongoose';
import { isDuplicateKeyError } from '../common/database/duplicate-key-error';
import { OwnedDataRepository } from '../common/scope/owned-data.repository';
import { ownerOf, type OwnerScope } from '../common/scope/owner-scope';
import type { ConnectionType } from '../meta/meta.types';
import { InstagramAccount, type EncryptedSecret } from './schemas/instagram-account.schema';

/** An account as read by default: the encrypted token is never selected. */
export type InstagramAccountRecord = Omit<InstagramAccount, 'accessToken'>;

/** What is needed to call Meta for an account. */
export type InstagramAccountToken = Pick<
  InstagramAccount,
  '_id' | 'user' | 'connectionType' | 'instagramBusinessId' | 'pageId' | 'accessToken'
>;

/** An Instagram-Login account whose token is due for a refresh. */
export type RefreshCandidate = Pick<
  InstagramAccount,
  '_id' | 'user' | 'accessToken' | 'tokenIssuedAt' | 'tokenExpiresAt'
>;

/** Everything stored when a token is (re)connected. */
export interface ConnectionFields {
  connectionType: ConnectionType;
  instagramBusinessId: string;
  pageId?: string;
  username: string;
  name?: string;
  profilePictureUrl?: string;
  followersCount: number;
  accessToken: EncryptedSecret;
  tokenIssuedAt: Date;
  tokenExpiresAt?: Date;
}

/** Owner-editable fields plus, when the token changes, the token fields. */
export interface AccountChanges {
  username?: string;
  name?: string;
  profilePictureUrl?: string;
  followersCount?: number;
  isActive?: boolean;
  accessToken?: EncryptedSecret;
  tokenIssuedAt?: Date;
  /** `null` removes the expiry (Page tokens do not expire). */
  tokenExpiresAt?: Date | null;
  reconnectRequired?: boolean;
}

const NOT_REMOVED = { removedAt: null };

/** Fields a connection may lack; a new connection without them clears the old values. */
const OPTIONAL_CONNECTION_FIELDS = [
  'pageId',
  'name',
  'profilePictureUrl',
  'tokenExpiresAt',
] as const;

/** `$set` of the connection plus `$unset` of the optional fields it does not have. */
function connectionUpdate(fields: ConnectionFields): UpdateQuery<InstagramAccount> {
  const $set: Record<string, unknown> = { reconnectRequired: false };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) $set[key] = value;
  const $unset: Record<string, 1> = {};
  for (const field of OPTIONAL_CONNECTION_FIELDS)
    if (fields[field] === undefined) $unset[field] = 1;
  return Object.keys($unset).length > 0 ? { $set, $unset } : { $set };
}

@Injectable()
export class InstagramAccountsRepository extends OwnedDataRepository {
  protected readonly ownerField = 'user';

  constructor(@InjectModel(InstagramAccount.name) private readonly model: Model<InstagramAccount>) {
    super();
  }

  findVisibleById(scope: OwnerScope, id: string): Promise<InstagramAccountRecord | null> {
    return this.model.findOne(this.visible(scope, id)).lean<InstagramAccountRecord>().exec();
  }

  /** Any account in scope with this Instagram id, removed ones included (one per id, by index). */
  findByInstagramBusinessId(
    scope: OwnerScope,
    instagramBusinessId: string,
  ): Promise<InstagramAccountRecord | null> {
    return this.model
      .findOne({ ...this.ownerFilter(scope), instagramBusinessId })
      .lean<InstagramAccountRecord>()
      .exec();
  }

  /** The account a webhook entry names, by Instagram id or Page id. */
  findForWebhook(scope: OwnerScope, metaId: string): Promise<InstagramAccountRecord | null> {
    return this.model
      .findOne({
        ...this.ownerFilter(scope),
        ...NOT_REMOVED,
        $or: [{ instagramBusinessId: metaId }, { pageId: metaId }],
      })
      .lean<InstagramAccountRecord>()
      .exec();
  }

  findTokenById(scope: OwnerScope, id: string): Promise<InstagramAccountToken | null> {
    return this.model
      .findOne(this.visible(scope, id), {
        user: 1,
        connectionType: 1,
        instagramBusinessId: 1,
        pageId: 1,
        accessToken: 1,
      })
      .lean<InstagramAccountToken>()
      .exec();
  }

  list(
    scope: OwnerScope,
    page: { skip: number; limit: number },
  ): Promise<InstagramAccountRecord[]> {
    return this.model
      .find({ ...this.ownerFilter(scope), ...NOT_REMOVED })
      .sort({ createdAt: -1, _id: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<InstagramAccountRecord[]>()
      .exec();
  }

  /**
   * Stores a new account of the scope's owner; null when an account with this
   * Instagram id is already stored (unique index).
   */
  async create(
    scope: OwnerScope,
    fields: ConnectionFields,
  ): Promise<InstagramAccountRecord | null> {
    try {
      const created = await this.model.create({ ...fields, user: this.ownerIdOf(scope) });
      const { accessToken: _secret, ...record } = created.toObject();
      return record;
    } catch (error) {
      if (isDuplicateKeyError(error)) return null;
      throw error;
    }
  }

  /** Brings back an account its owner removed; null when it is not (or no longer) removed. */
  reactivate(
    scope: OwnerScope,
    id: string,
    fields: ConnectionFields,
  ): Promise<InstagramAccountRecord | null> {
    const update = connectionUpdate(fields);
    update.$set = { ...update.$set, removedAt: null, isActive: true, webhookSubscribed: false };
    return this.updateAndRead(
      { _id: new Types.ObjectId(id), ...this.ownerFilter(scope), removedAt: { $ne: null } },
      update,
    );
  }

  /** Stores a new token on an account waiting for it; null when it is not waiting. */
  reconnect(
    scope: OwnerScope,
    id: string,
    fields: ConnectionFields,
  ): Promise<InstagramAccountRecord | null> {
    return this.updateAndRead(
      { ...this.visible(scope, id), reconnectRequired: true },
      connectionUpdate(fields),
    );
  }

  update(
    scope: OwnerScope,
    id: string,
    changes: AccountChanges,
  ): Promise<InstagramAccountRecord | null> {
    const $set: Record<string, unknown> = {};
    const $unset: Record<string, 1> = {};
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      if (value === null) $unset[key] = 1;
      else $set[key] = value;
    }
    return this.updateAndRead(this.visible(scope, id), {
      $set,
      ...(Object.keys($unset).length > 0 ? { $unset } : {}),
    });
  }

  markRemoved(scope: OwnerScope, id: string, at: Date): Promise<InstagramAccountRecord | null> {
    return this.updateAndRead(this.visible(scope, id), {
      $set: { removedAt: at, webhookSubscribed: false },
    });
  }

  /** Records the outcome of a webhook subscription: subscribed, or Meta's reason for refusing. */
  async setWebhookSubscribed(
    scope: OwnerScope,
    id: string,
    subscribed: boolean,
    error: string | null,
  ): Promise<void> {
    await this.model
      .updateOne(this.visible(scope, id), {
        $set: { webhookSubscribed: subscribed, webhookSubscriptionError: error },
      })
      .exec();
  }

  /** Sets the flag; returns the account only when this call changed it. */
  flagReconnectRequired(scope: OwnerScope, id: string): Promise<InstagramAccountRecord | null> {
    return this.updateAndRead(
      { ...this.visible(scope, id), reconnectRequired: { $ne: true } },
      { $set: { reconnectRequired: true } },
    );
  }

  /**
   * Instagram-Login accounts with a working token issued before `issuedBefore`
   * and expiring before `expiresBefore`, in id order after `afterId`.
   */
  findDueForRefresh(
    scope: OwnerScope,
    query: {
      issuedBefore: Date;
      expiresBefore: Date;
      afterId?: string;
      limit: number;
    },
  ): Promise<RefreshCandidate[]> {
    return this.model
      .find(
        {
          ...this.ownerFilter(scope),
          connectionType: 'instagram',
          tokenExpiresAt: { $lt: query.expiresBefore },
          tokenIssuedAt: { $lt: query.issuedBefore },
          reconnectRequired: { $ne: true },
          ...NOT_REMOVED,
          ...(query.afterId ? { _id: { $gt: new Types.ObjectId(query.afterId) } } : {}),
        },
        { user: 1, accessToken: 1, tokenIssuedAt: 1, tokenExpiresAt: 1 },
      )
      .sort({ _id: 1 })
      .limit(query.limit)
      .lean<RefreshCandidate[]>()
      .exec();
  }

  /** Stores a refreshed token unless another process refreshed it since `previousIssuedAt`. */
  async storeRefreshedToken(
    scope: OwnerScope,
    id: string,
    previousIssuedAt: Date | undefined,
    token: { accessToken: EncryptedSecret; tokenIssuedAt: Date; tokenExpiresAt: Date },
  ): Promise<boolean> {
    const result = await this.model
      .updateOne(
        { ...this.visible(scope, id), tokenIssuedAt: previousIssuedAt ?? null },
        { $set: token },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** The account with this id in scope, unless removed. */
  private visible(scope: OwnerScope, id: string): Record<string, unknown> {
    return { _id: new Types.ObjectId(id), ...this.ownerFilter(scope), ...NOT_REMOVED };
  }

  /** A new account belongs to one owner: only an owner scope may create it. */
  private ownerIdOf(scope: OwnerScope): Types.ObjectId {
    const ownerId = ownerOf(scope);
    if (ownerId === undefined) {
      throw new Error(`An Instagram account is created in its owner's scope, not "${scope.kind}"`);
    }
    return new Types.ObjectId(ownerId);
  }

  /**
   * Applies `update` to the account matching `filter` and reads it back; null
   * when nothing matched. (The embedded database cannot project findAndModify
   * results, and the token must never be read back.)
   */
  private async updateAndRead(
    filter: Record<string, unknown>,
    update: UpdateQuery<InstagramAccount>,
  ): Promise<InstagramAccountRecord | null> {
    const result = await this.model.updateOne(filter, update).exec();
    if (result.matchedCount === 0) return null;
    return this.model.findById(filter._id).lean<InstagramAccountRecord>().exec();
  }
}
