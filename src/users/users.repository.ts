import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types, type QueryFilter } from 'mongoose';
import { isDuplicateKeyError } from '../common/database/duplicate-key-error';
import { ConflictError } from '../common/errors';
import type { Role } from '../common/permissions/permission-catalogue';
import { escapeRegex } from '../common/utils/escape-regex';
import { User } from './schemas/user.schema';

export type UserRecord = Omit<User, 'passwordHash'>;
export type UserWithPassword = User;

/** What the JWT strategy needs on every request. */
export interface UserAuthState {
  _id: Types.ObjectId;
  email: string;
  role: Role;
  isDisabled: boolean;
}

export interface UserChanges {
  name?: string;
  email?: string;
  passwordHash?: string;
  role?: Role;
  isDisabled?: boolean;
  isEmailVerified?: boolean;
}

export interface UserListFilter {
  role?: Role;
  /** Case-insensitive substring of the name or email. */
  search?: string;
}

const EMAIL_TAKEN = 'Email is already registered';

function toListQuery(filter: UserListFilter): QueryFilter<User> {
  const query: QueryFilter<User> = {};
  if (filter.role) query.role = filter.role;
  if (filter.search) {
    const pattern = { $regex: escapeRegex(filter.search), $options: 'i' };
    query.$or = [{ name: pattern }, { email: pattern }];
  }
  return query;
}

@Injectable()
export class UsersRepository {
  constructor(@InjectModel(User.name) private readonly model: Model<User>) {}

  findAuthStateById(id: string): Promise<UserAuthState | null> {
    return this.model
      .findById(id, { email: 1, role: 1, isDisabled: 1 })
      .lean<UserAuthState>()
      .exec();
  }

  findById(id: string): Promise<UserRecord | null> {
    return this.model.findById(id).lean<UserRecord>().exec();
  }

  findByIdWithPassword(id: string): Promise<UserWithPassword | null> {
    return this.model.findById(id).select('+passwordHash').lean<UserWithPassword>().exec();
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    return this.model.findOne({ email: email.toLowerCase() }).lean<UserRecord>().exec();
  }

  findByEmailWithPassword(email: string): Promise<UserWithPassword | null> {
    return this.model
      .findOne({ email: email.toLowerCase() })
      .select('+passwordHash')
      .lean<UserWithPassword>()
      .exec();
  }

  /** Throws {@link ConflictError} when the email is taken. */
  async create(input: {
    name: string;
    email: string;
    passwordHash: string;
    role?: Role;
    isEmailVerified?: boolean;
  }): Promise<UserRecord> {
    try {
      const created = await this.model.create({ ...input, email: input.email.toLowerCase() });
      const { passwordHash: _omit, ...rest } = created.toObject();
      return rest;
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new ConflictError(EMAIL_TAKEN);
      throw error;
    }
  }

  /**
   * Applies `changes` and returns the updated user (null if it does not exist). Throws
   * {@link ConflictError} when the new email is taken.
   */
  async update(id: string, changes: UserChanges): Promise<UserRecord | null> {
    try {
      // No projection: findAndModify with one is outside the portable subset.
      const updated = await this.model
        .findByIdAndUpdate(id, { $set: changes }, { returnDocument: 'after', runValidators: true })
        .select('+passwordHash')
        .lean<UserWithPassword>()
        .exec();
      if (!updated) return null;
      const { passwordHash: _omit, ...rest } = updated;
      return rest;
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new ConflictError(EMAIL_TAKEN);
      throw error;
    }
  }

  async deleteById(id: string): Promise<boolean> {
    const result = await this.model.deleteOne({ _id: new Types.ObjectId(id) }).exec();
    return result.deletedCount === 1;
  }

  /** Newest first. */
  list(filter: UserListFilter, page: { limit: number; skip: number }): Promise<UserRecord[]> {
    return this.model
      .find(toListQuery(filter))
      .sort({ createdAt: -1, _id: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<UserRecord[]>()
      .exec();
  }

  count(filter: UserListFilter): Promise<number> {
    return this.model.countDocuments(toListQuery(filter)).exec();
  }

  /** Admins who can still sign in, optionally not counting one of them. */
  countEnabledAdmins(exceptId?: string): Promise<number> {
    return this.model
      .countDocuments({
        role: 'admin',
        isDisabled: false,
        ...(exceptId ? { _id: { $ne: new Types.ObjectId(exceptId) } } : {}),
      })
      .exec();
  }

  /** Name and email of each listed user (one query), e.g. owners shown beside their resources. */
  findSummariesByIds(ids: string[]): Promise<Pick<User, '_id' | 'name' | 'email'>[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.model
      .find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } }, { name: 1, email: 1 })
      .lean<Pick<User, '_id' | 'name' | 'email'>[]>()
      .exec();
  }
}
