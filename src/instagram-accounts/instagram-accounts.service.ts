import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { RequestContext } from '../audit-logs/audit-logs.service';
import { AuditLogsService } from '../audit-logs/audit-logs.service';
import type { AuditAction } from '../audit-logs/schemas/audit-log.schema';
import { TokenCipher } from '../common/crypto/token-cipher';
import type { AuthUser } from '../common/decorators';
import {
  ConflictError,
  FailedDependencyError,
  NotFoundError,
  ValidationError,
} from '../common/errors';
import { MAX_PAGE_SIZE, type PaginationQueryDto } from '../common/pagination/pagination.dto';
import { adminScope, ownerScope, type OwnerScope } from '../common/scope/owner-scope';
import { MetaApiError } from '../meta/meta-api.error';
import { MetaGraphService } from '../meta/meta-graph.service';
import type { ConnectionType, MetaAccountProfile, MetaCredentials } from '../meta/meta.types';
import { UsersRepository } from '../users/users.repository';
import { AccountsGateway } from './accounts.gateway';
import type { ConnectInstagramAccountDto } from './dto/connect-instagram-account.dto';
import type {
  InstagramAccountOwnerDto,
  InstagramAccountResponseDto,
} from './dto/instagram-account-response.dto';
import type { UpdateInstagramAccountDto } from './dto/update-instagram-account.dto';
import {
  INSTAGRAM_ACCOUNT_REMOVED,
  INSTAGRAM_ACCOUNT_RESTORED,
  type InstagramAccountLifecycleEvent,
} from './instagram-account.events';
import { toInstagramAccountResponse } from './instagram-account.mapper';
import {
  InstagramAccountsRepository,
  type AccountChanges,
  type ConnectionFields,
  type InstagramAccountRecord,
} from './instagram-accounts.repository';

/** Lifetime of a long-lived Instagram Login token. */
const INSTAGRAM_TOKEN_LIFETIME_MS = 60 * 24 * 60 * 60 * 1000;
/** Accounts listed when no `limit` is given: the original service's default, also the maximum. */
export const DEFAULT_ACCOUNTS_PAGE_SIZE = MAX_PAGE_SIZE;

/** Longest stored reason of a refused webhook subscription (Meta's message lists every valid field). */
const MAX_SUBSCRIPTION_ERROR_LENGTH = 2000;

/** Meta errors that mean the offered token (or the ids sent with it) is not usable. */
const REJECTED_TOKEN_KINDS = new Set(['token_invalid', 'invalid_parameter', 'permission']);

const RESOURCE = 'Instagram account';

interface ConnectRequest {
  connectionType: ConnectionType;
  accessToken: string;
  instagramBusinessId?: string;
  pageId?: string;
  /** Facebook Login: values used where Meta's profile has none. */
  fallback: { username?: string; profilePictureUrl?: string; followersCount?: number };
}

function target(accountId: string): { type: string; id: string } {
  return { type: 'instagram_account', id: accountId };
}

/**
 * Connected Instagram professional accounts: connecting (token verified with
 * Meta, stored encrypted), owner-scoped reads and changes, and the contract
 * other modules use to act for an account.
 */
@Injectable()
export class InstagramAccountsService {
  private readonly logger = new Logger(InstagramAccountsService.name);

  constructor(
    private readonly repository: InstagramAccountsRepository,
    private readonly gateway: AccountsGateway,
    private readonly users: UsersRepository,
    private readonly meta: MetaGraphService,
    private readonly cipher: TokenCipher,
    private readonly audit: AuditLogsService,
    private readonly events: EventEmitter2,
  ) {}

  async connect(
    caller: AuthUser,
    dto: ConnectInstagramAccountDto,
    context: RequestContext,
  ): Promise<InstagramAccountResponseDto> {
    const request = this.parseConnectRequest(dto);
    const creds: MetaCredentials = {
      accessToken: request.accessToken,
      connectionType: request.connectionType,
      // Instagram Login reads `/me`: the account id is learnt from the profile.
      instagramBusinessId: request.instagramBusinessId ?? 'me',
      ...(request.pageId ? { pageId: request.pageId } : {}),
      pacingKey: `connect:${caller.id}`,
    };
    const profile = await this.verifyToken(creds);
    if (request.instagramBusinessId !== undefined && profile.id !== request.instagramBusinessId) {
      throw new ValidationError('The access token belongs to a different Instagram account', [
        { field: 'instagramBusinessId', messages: ['does not match the account of the token'] },
      ]);
    }
    const now = new Date();
    const fields: ConnectionFields = {
      connectionType: request.connectionType,
      instagramBusinessId: profile.id,
      ...(request.pageId ? { pageId: request.pageId } : {}),
      username: profile.username || request.fallback.username || profile.id,
      ...(profile.name ? { name: profile.name } : {}),
      profilePictureUrl: profile.profilePictureUrl ?? request.fallback.profilePictureUrl,
      followersCount: profile.followersCount ?? request.fallback.followersCount ?? 0,
      accessToken: this.cipher.encrypt(request.accessToken),
      ...this.tokenDates(request.connectionType, now),
      tokenIssuedAt: now,
    };
    const { account, action, reactivated } = await this.store(caller.id, fields);
    this.gateway.forgetRefs();
    const accountId = String(account._id);
    await this.audit.record({
      action,
      context,
      target: target(accountId),
      metadata: {
        connectionType: fields.connectionType,
        instagramBusinessId: fields.instagramBusinessId,
        username: fields.username,
        ...(reactivated ? { reactivated: true } : {}),
      },
    });
    const subscription = await this.subscribeWebhooks(
      accountId,
      { ...creds, instagramBusinessId: fields.instagramBusinessId, pacingKey: accountId },
      context,
    );
    return toInstagramAccountResponse({ ...account, ...subscription });
  }

  async list(caller: AuthUser, query: PaginationQueryDto): Promise<InstagramAccountResponseDto[]> {
    const page = { skip: query.skip ?? 0, limit: query.limit ?? DEFAULT_ACCOUNTS_PAGE_SIZE };
    const accounts = await this.repository.list(this.scopeOf(caller), page);
    if (caller.role !== 'admin')
      return accounts.map((account) => toInstagramAccountResponse(account));
    const ownerIds = [...new Set(accounts.map((account) => String(account.user)))];
    const owners = new Map<string, InstagramAccountOwnerDto>();
    for (const owner of await this.users.findSummariesByIds(ownerIds)) {
      const id = String(owner._id);
      owners.set(id, { id, name: owner.name, email: owner.email });
    }
    return accounts.map((account) =>
      toInstagramAccountResponse(account, owners.get(String(account.user))),
    );
  }

  async get(caller: AuthUser, accountId: string): Promise<InstagramAccountResponseDto> {
    return toInstagramAccountResponse(await this.findVisible(caller, accountId));
  }

  async update(
    caller: AuthUser,
    accountId: string,
    dto: UpdateInstagramAccountDto,
    context: RequestContext,
  ): Promise<InstagramAccountResponseDto> {
    const fields = Object.keys(dto).filter(
      (key) => dto[key as keyof UpdateInstagramAccountDto] !== undefined,
    );
    if (fields.length === 0) {
      throw new ValidationError('Nothing to update', [
        { field: 'body', messages: ['send at least one field to change'] },
      ]);
    }
    const account = await this.findVisible(caller, accountId);
    const changes: AccountChanges = {
      username: dto.username,
      profilePictureUrl: dto.profilePictureUrl,
      followersCount: dto.followersCount,
      isActive: dto.isActive,
    };
    let newCreds: MetaCredentials | undefined;
    if (dto.accessToken !== undefined) {
      newCreds = {
        accessToken: dto.accessToken,
        connectionType: account.connectionType,
        instagramBusinessId: account.instagramBusinessId,
        ...(account.pageId ? { pageId: account.pageId } : {}),
        pacingKey: accountId,
      };
      const profile = await this.verifyToken(newCreds);
      if (profile.id !== account.instagramBusinessId) {
        throw new ValidationError('The access token belongs to a different Instagram account', [
          { field: 'accessToken', messages: ['must belong to the connected Instagram account'] },
        ]);
      }
      const now = new Date();
      Object.assign(changes, {
        ...(profile.username ? { username: profile.username } : {}),
        ...(profile.name ? { name: profile.name } : {}),
        ...(profile.profilePictureUrl ? { profilePictureUrl: profile.profilePictureUrl } : {}),
        ...(profile.followersCount !== undefined ? { followersCount: profile.followersCount } : {}),
        accessToken: this.cipher.encrypt(dto.accessToken),
        tokenIssuedAt: now,
        tokenExpiresAt: this.tokenDates(account.connectionType, now).tokenExpiresAt ?? null,
        reconnectRequired: false,
      });
    }
    const updated = await this.repository.update(this.scopeOf(caller), accountId, changes);
    if (!updated) throw new NotFoundError(RESOURCE);
    this.gateway.forgetRefs();
    await this.audit.record({
      action: 'instagram_account.updated',
      context,
      subjectUserId: String(updated.user),
      target: target(accountId),
      metadata: {
        fields: fields.filter((field) => field !== 'accessToken'),
        ...(newCreds ? { tokenReplaced: true } : {}),
      },
    });
    if (!newCreds) return toInstagramAccountResponse(updated);
    const subscription = await this.subscribeWebhooks(accountId, newCreds, context);
    return toInstagramAccountResponse({ ...updated, ...subscription });
  }

  /** Soft delete: hidden everywhere until the same owner connects the account again. */
  async remove(caller: AuthUser, accountId: string, context: RequestContext): Promise<void> {
    const account = await this.findVisible(caller, accountId);
    const creds = account.reconnectRequired ? undefined : await this.readableCredentials(accountId);
    const removed = await this.repository.markRemoved(this.scopeOf(caller), accountId, new Date());
    if (!removed) throw new NotFoundError(RESOURCE);
    this.gateway.forgetRefs();
    await this.emitLifecycle(INSTAGRAM_ACCOUNT_REMOVED, accountId);
    await this.audit.record({
      action: 'instagram_account.removed',
      context,
      subjectUserId: String(removed.user),
      target: target(accountId),
      metadata: { instagramBusinessId: removed.instagramBusinessId, username: removed.username },
    });
    if (!creds) return;
    try {
      await this.gateway.callMeta(accountId, (c) => this.meta.unsubscribeWebhooks(c), creds);
    } catch (error) {
      if (!(error instanceof MetaApiError)) throw error;
      this.logger.warn(
        `Could not unsubscribe webhooks of removed Instagram account ${accountId}: ${error.kind}`,
      );
    }
  }

  /** The account if the caller owns it or is an admin; 404 otherwise (never 403). */
  async findVisible(caller: AuthUser, accountId: string): Promise<InstagramAccountRecord> {
    const account = await this.repository.findVisibleById(this.scopeOf(caller), accountId);
    if (!account) throw new NotFoundError(RESOURCE);
    return account;
  }

  /** The account's credentials, or undefined when its stored token cannot be read. */
  private async readableCredentials(accountId: string): Promise<MetaCredentials | undefined> {
    try {
      return await this.gateway.getCredentials(accountId);
    } catch (error) {
      if (error instanceof FailedDependencyError) return undefined;
      throw error;
    }
  }

  private scopeOf(caller: AuthUser): OwnerScope {
    return caller.role === 'admin' ? adminScope(caller.id) : ownerScope(caller.id);
  }

  private parseConnectRequest(dto: ConnectInstagramAccountDto): ConnectRequest {
    const facebook = dto.pageAccessToken !== undefined;
    const instagram = dto.accessToken !== undefined;
    if (facebook === instagram) {
      throw new ValidationError(
        'Send either pageAccessToken with pageId and instagramBusinessId (Facebook Login) or accessToken (Instagram Login)',
        [
          {
            field: facebook ? 'accessToken' : 'pageAccessToken',
            messages: [facebook ? 'exactly one token is accepted' : 'a token is required'],
          },
        ],
      );
    }
    if (dto.pageAccessToken !== undefined) {
      const missing = (['pageId', 'instagramBusinessId'] as const).filter(
        (field) => dto[field] === undefined,
      );
      if (missing.length > 0) {
        throw new ValidationError(
          'Facebook Login needs pageId and instagramBusinessId',
          missing.map((field) => ({
            field,
            messages: [`${field} is required with pageAccessToken`],
          })),
        );
      }
      return {
        connectionType: 'facebook',
        accessToken: dto.pageAccessToken,
        instagramBusinessId: dto.instagramBusinessId,
        pageId: dto.pageId,
        fallback: {
          username: dto.username,
          profilePictureUrl: dto.profilePictureUrl,
          followersCount: dto.followersCount,
        },
      };
    }
    const foreign = (['pageId', 'username', 'profilePictureUrl', 'followersCount'] as const).filter(
      (field) => dto[field] !== undefined,
    );
    if (foreign.length > 0) {
      throw new ValidationError(
        'Instagram Login takes accessToken and optionally instagramBusinessId only',
        foreign.map((field) => ({
          field,
          messages: [`${field} is not accepted with accessToken`],
        })),
      );
    }
    return {
      connectionType: 'instagram',
      accessToken: dto.accessToken as string,
      instagramBusinessId: dto.instagramBusinessId,
      fallback: {},
    };
  }

  /** The profile the token gives access to; a token Meta refuses is the caller's input error. */
  private async verifyToken(creds: MetaCredentials): Promise<MetaAccountProfile> {
    try {
      return await this.meta.getOwnProfile(creds);
    } catch (error) {
      if (error instanceof MetaApiError && REJECTED_TOKEN_KINDS.has(error.kind)) {
        throw new ValidationError(
          `Meta rejected the access token: ${error.message}`,
          error.details,
        );
      }
      throw error;
    }
  }

  private tokenDates(connectionType: ConnectionType, now: Date): { tokenExpiresAt?: Date } {
    return connectionType === 'instagram'
      ? { tokenExpiresAt: new Date(now.getTime() + INSTAGRAM_TOKEN_LIFETIME_MS) }
      : {};
  }

  private async store(
    ownerId: string,
    fields: ConnectionFields,
  ): Promise<{ account: InstagramAccountRecord; action: AuditAction; reactivated: boolean }> {
    const existing = await this.repository.findByInstagramBusinessId(fields.instagramBusinessId);
    if (!existing) {
      const account = await this.repository.create(ownerId, fields);
      if (!account) throw this.alreadyConnected();
      return { account, action: 'instagram_account.connected', reactivated: false };
    }
    if (String(existing.user) !== ownerId) {
      throw new ConflictError('This Instagram account is connected by another user');
    }
    const id = String(existing._id);
    if (existing.removedAt) {
      const account = await this.repository.reactivate(ownerId, id, fields);
      if (!account) throw this.alreadyConnected();
      await this.emitLifecycle(INSTAGRAM_ACCOUNT_RESTORED, id);
      return { account, action: 'instagram_account.connected', reactivated: true };
    }
    if (existing.reconnectRequired) {
      const account = await this.repository.reconnect(ownerId, id, fields);
      if (!account) throw this.alreadyConnected();
      return { account, action: 'instagram_account.reconnected', reactivated: false };
    }
    throw this.alreadyConnected();
  }

  private async emitLifecycle(event: string, accountId: string): Promise<void> {
    const payload: InstagramAccountLifecycleEvent = { accountId };
    await this.events.emitAsync(event, payload);
  }

  private alreadyConnected(): ConflictError {
    return new ConflictError('This Instagram account is already connected');
  }

  /** Subscribes the account's webhooks; a failure is recorded with Meta's reason, never thrown. */
  private async subscribeWebhooks(
    accountId: string,
    creds: MetaCredentials,
    context: RequestContext,
  ): Promise<{ webhookSubscribed: boolean; webhookSubscriptionError: string | null }> {
    try {
      await this.gateway.callMeta(accountId, (c) => this.meta.subscribeWebhooks(c), creds);
      await this.repository.setWebhookSubscribed(accountId, true, null);
      return { webhookSubscribed: true, webhookSubscriptionError: null };
    } catch (error) {
      if (!(error instanceof MetaApiError)) throw error;
      this.logger.warn(
        `Webhook subscription failed for Instagram account ${accountId}: ${error.kind}`,
      );
      const reason = error.message.slice(0, MAX_SUBSCRIPTION_ERROR_LENGTH);
      await this.repository.setWebhookSubscribed(accountId, false, reason);
      await this.audit.record({
        action: 'instagram_account.webhook_subscription_failed',
        context,
        target: target(accountId),
        metadata: {
          reason: error.kind,
          ...(error.code !== undefined ? { metaCode: error.code } : {}),
        },
      });
      return { webhookSubscribed: false, webhookSubscriptionError: reason };
    }
  }
}
