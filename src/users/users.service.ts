import { Injectable } from '@nestjs/common';
import { AuditLogsService, type RequestContext } from '../audit-logs/audit-logs.service';
import { AuthUserCache } from '../credentials/auth-user.cache';
import { OneTimeTokensRepository } from '../credentials/one-time-tokens.repository';
import { hashOpaqueToken } from '../credentials/opaque-token';
import { PasswordHasher } from '../credentials/password-hasher';
import { RefreshTokensRepository } from '../credentials/refresh-tokens.repository';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import type { Role } from '../common/permissions/permission-catalogue';
import type { CreateUserDto } from './dto/create-user.dto';
import { DEFAULT_USERS_PAGE_SIZE, type ListUsersQueryDto } from './dto/list-users-query.dto';
import type { UpdateMeDto } from './dto/update-me.dto';
import type { UpdateUserDto } from './dto/update-user.dto';
import { UsersRepository, type UserChanges, type UserRecord } from './users.repository';

export interface NewAccount {
  name: string;
  email: string;
  password: string;
  role: Role;
}

export interface UserPage {
  users: UserRecord[];
  total: number;
  limit: number;
  skip: number;
}

export type AdminGrant = 'created' | 'promoted' | 'already-admin';

function isEnabledAdmin(user: { role: Role; isDisabled: boolean }): boolean {
  return user.role === 'admin' && !user.isDisabled;
}

function removesEnabledAdmin(target: UserRecord, access: UserChanges): boolean {
  return (
    isEnabledAdmin(target) && ((access.role ?? 'admin') !== 'admin' || access.isDisabled === true)
  );
}

function lastAdminConflict(): ConflictError {
  return new ConflictError(
    'At least one enabled admin must remain: this change would remove the last one',
  );
}

function withoutPassword<T extends { passwordHash: string }>(user: T): Omit<T, 'passwordHash'> {
  const { passwordHash: _omit, ...rest } = user;
  return rest;
}

/** Profile and administration rules; session-ending side effects of each change live here too. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly oneTimeTokens: OneTimeTokensRepository,
    private readonly passwords: PasswordHasher,
    private readonly cache: AuthUserCache,
    private readonly audit: AuditLogsService,
  ) {}

  async getById(userId: string): Promise<UserRecord> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundError('User');
    return user;
  }

  /** Registration and admin creation. Throws {@link ConflictError} when the email is taken. */
  async createAccount(input: NewAccount): Promise<UserRecord> {
    if (await this.users.findByEmail(input.email)) {
      throw new ConflictError('Email is already registered');
    }
    return this.users.create({
      name: input.name,
      email: input.email,
      passwordHash: await this.passwords.hash(input.password),
      role: input.role,
    });
  }

  async createByAdmin(dto: CreateUserDto, context: RequestContext): Promise<UserRecord> {
    const user = await this.createAccount(dto);
    await this.audit.record({
      action: 'user.created',
      context,
      subjectUserId: String(user._id),
      metadata: { email: user.email, role: user.role },
    });
    return user;
  }

  async list(query: ListUsersQueryDto): Promise<UserPage> {
    const limit = query.limit ?? DEFAULT_USERS_PAGE_SIZE;
    const skip = query.skip ?? 0;
    const filter = { role: query.role, search: query.search || undefined };
    const [users, total] = await Promise.all([
      this.users.list(filter, { limit, skip }),
      this.users.count(filter),
    ]);
    return { users, total, limit, skip };
  }

  /**
   * The caller's own profile. An email change marks the address unverified; a password
   * change needs the current password and signs out every other session (all of them
   * unless `refreshToken` names the caller's current one).
   */
  async updateMe(userId: string, dto: UpdateMeDto, context: RequestContext): Promise<UserRecord> {
    const current = await this.users.findByIdWithPassword(userId);
    if (!current) throw new NotFoundError('User');
    const changes: UserChanges = {};
    if (dto.name !== undefined && dto.name !== current.name) changes.name = dto.name;
    if (dto.email !== undefined && dto.email !== current.email) {
      changes.email = dto.email;
      changes.isEmailVerified = false;
    }
    if (dto.password !== undefined) {
      if (!dto.currentPassword) {
        throw new ValidationError('The current password is required to change the password', [
          {
            field: 'currentPassword',
            messages: ['currentPassword is required to change the password'],
          },
        ]);
      }
      if (!(await this.passwords.verify(dto.currentPassword, current.passwordHash))) {
        throw new ValidationError('The current password is incorrect', [
          { field: 'currentPassword', messages: ['currentPassword is incorrect'] },
        ]);
      }
      changes.passwordHash = await this.passwords.hash(dto.password);
    }
    if (Object.keys(changes).length === 0) return withoutPassword(current);

    const updated = await this.users.update(userId, changes);
    if (!updated) throw new NotFoundError('User');
    await this.afterProfileChange(current, changes, context);
    if (changes.passwordHash) {
      const keep = dto.refreshToken
        ? await this.sessionFamily(userId, dto.refreshToken)
        : undefined;
      await this.endSessions(userId, keep);
      await this.oneTimeTokens.deleteForUser(userId, 'reset-password');
      await this.audit.record({
        action: 'user.password_changed',
        context,
        subjectUserId: userId,
        metadata: { keptCurrentSession: keep !== undefined },
      });
    }
    return updated;
  }

  /**
   * An administrator's change to any user. Changes that would leave no enabled admin
   * (demoting or disabling the last one) are refused with 409.
   */
  async updateByAdmin(
    userId: string,
    dto: UpdateUserDto,
    context: RequestContext,
  ): Promise<UserRecord> {
    const target = await this.getById(userId);
    const access: UserChanges = {};
    if (dto.role !== undefined && dto.role !== target.role) access.role = dto.role;
    if (dto.isDisabled !== undefined && dto.isDisabled !== target.isDisabled) {
      access.isDisabled = dto.isDisabled;
    }
    const profile: UserChanges = {};
    if (dto.name !== undefined && dto.name !== target.name) profile.name = dto.name;
    if (dto.email !== undefined && dto.email !== target.email) {
      profile.email = dto.email;
      profile.isEmailVerified = false;
    }
    if (dto.password !== undefined) profile.passwordHash = await this.passwords.hash(dto.password);

    // Refusals come before any write: the last-admin check, then the email (unique index).
    await this.assertAdminRemains(target, access);
    let updated = target;
    if (Object.keys(profile).length > 0) {
      updated = (await this.users.update(userId, profile)) ?? throwNotFound();
      await this.afterProfileChange(target, profile, context);
    }
    if (Object.keys(access).length > 0) updated = await this.changeAccess(target, access);
    if (access.role) {
      await this.audit.record({
        action: 'user.role_changed',
        context,
        subjectUserId: userId,
        metadata: { from: target.role, to: access.role },
      });
    }
    if (access.isDisabled !== undefined) {
      if (access.isDisabled) await this.endSessions(userId);
      await this.audit.record({
        action: access.isDisabled ? 'user.disabled' : 'user.enabled',
        context,
        subjectUserId: userId,
      });
    }
    if (profile.passwordHash) {
      await this.endSessions(userId);
      await this.oneTimeTokens.deleteForUser(userId, 'reset-password');
      await this.audit.record({
        action: 'user.password_changed',
        context,
        subjectUserId: userId,
        metadata: { byAdmin: true },
      });
    }
    return updated;
  }

  /** Hard-deletes the user and their tokens. The last enabled admin cannot be deleted. */
  async deleteByAdmin(userId: string, context: RequestContext): Promise<void> {
    const target = await this.getById(userId);
    if (isEnabledAdmin(target)) await this.changeAccess(target, { isDisabled: true });
    if (!(await this.users.deleteById(userId))) throw new NotFoundError('User');
    this.cache.invalidate(userId);
    await this.refreshTokens.deleteAllForUser(userId);
    await this.oneTimeTokens.deleteForUser(userId);
    await this.audit.record({
      action: 'user.deleted',
      context,
      subjectUserId: userId,
      metadata: { email: target.email, role: target.role },
    });
  }

  /**
   * Makes `email` an enabled admin: creates the account, or promotes (and enables) an
   * existing one, setting its password when one is given.
   */
  async grantAdmin(input: {
    email: string;
    name: string;
    password?: string;
  }): Promise<{ grant: AdminGrant; user: UserRecord }> {
    const context: RequestContext = { userAgent: 'create-admin command' };
    const existing = await this.users.findByEmail(input.email);
    if (!existing) {
      if (!input.password) throw new ValidationError('A password is required to create an admin');
      const user = await this.createAccount({ ...input, password: input.password, role: 'admin' });
      await this.audit.record({
        action: 'user.created',
        context,
        subjectUserId: String(user._id),
        metadata: { email: user.email, role: 'admin' },
      });
      return { grant: 'created', user };
    }
    const userId = String(existing._id);
    const user = await this.updateByAdmin(
      userId,
      { role: 'admin', isDisabled: false, password: input.password },
      context,
    );
    return { grant: isEnabledAdmin(existing) ? 'already-admin' : 'promoted', user };
  }

  /** Refuses (409) a change that would take away the last enabled admin. */
  private async assertAdminRemains(target: UserRecord, access: UserChanges): Promise<void> {
    if (removesEnabledAdmin(target, access)) {
      if ((await this.users.countEnabledAdmins(String(target._id))) === 0)
        throw lastAdminConflict();
    }
  }

  /**
   * Applies a role or disabled-flag change. One that takes an enabled admin away is
   * checked before and after writing (no transactions): if concurrent changes left no
   * enabled admin, this one is undone and refused.
   */
  private async changeAccess(target: UserRecord, access: UserChanges): Promise<UserRecord> {
    const userId = String(target._id);
    await this.assertAdminRemains(target, access);
    const updated = (await this.users.update(userId, access)) ?? throwNotFound();
    this.cache.invalidate(userId);
    if (removesEnabledAdmin(target, access) && (await this.users.countEnabledAdmins()) === 0) {
      await this.users.update(userId, { role: target.role, isDisabled: target.isDisabled });
      this.cache.invalidate(userId);
      throw lastAdminConflict();
    }
    return updated;
  }

  private async afterProfileChange(
    before: UserRecord,
    changes: UserChanges,
    context: RequestContext,
  ): Promise<void> {
    const userId = String(before._id);
    const fields = (['name', 'email'] as const).filter((field) => changes[field] !== undefined);
    if (changes.email) {
      this.cache.invalidate(userId);
      await this.oneTimeTokens.deleteForUser(userId, 'verify-email');
    }
    if (fields.length > 0) {
      await this.audit.record({
        action: 'user.updated',
        context,
        subjectUserId: userId,
        metadata: {
          fields,
          ...(changes.email ? { previousEmail: before.email, email: changes.email } : {}),
        },
      });
    }
  }

  /** The login family of `refreshToken`, when it is a usable token of this user. */
  private async sessionFamily(userId: string, refreshToken: string): Promise<string | undefined> {
    const record = await this.refreshTokens.findUsableByHash(
      hashOpaqueToken(refreshToken),
      new Date(),
    );
    return record && String(record.user) === userId ? record.family : undefined;
  }

  private endSessions(userId: string, keepFamily?: string): Promise<void> {
    return this.refreshTokens.revokeAllForUser(userId, new Date(), keepFamily);
  }
}

function throwNotFound(): never {
  throw new NotFoundError('User');
}
