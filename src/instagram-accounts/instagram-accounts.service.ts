import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AuditLogsService, type RequestContext } from '../audit-logs/audit-logs.service';
import type { AuthUser } from '../common/decorators';
import { FailedDependencyError, NotFoundError, ValidationError } from '../common/errors';
import { MAX_PAGE_SIZE, type PaginationQueryDto } from '../common/pagination/pagination.dto';
import { adminScope, ownerScope, type OwnerScope } from '../common/scope/owner-scope';
import type { MetaCredentials } from '../meta/meta.types';
import { UsersRepository } from '../users/users.repository';
import { accountAuditTarget } from './account-audit-target';
import { AccountConnectionService, type TokenReplacement } from './account-connection.service';
import { AccountsGateway } from './accounts.gateway';
import type { UpdateInstagramAccountDto } from './dto/update-instagram-account.dto';
import { emitAccountLifecycle, INSTAGRAM_ACCOUNT_REMOVED } from './instagram-account.events';
import {
  InstagramAccountsRepository,
  type AccountChanges,
  type InstagramAccountRecord,
} from './instagram-accounts.repository';
import { WebhookSubscriptionService } from './webhook-subscription.service';

/** Accounts listed when no `limit` is given: the original service's default, also the maximum. */
export const DEFAULT_ACCOUNTS_PAGE_SIZE = MAX_PAGE_SIZE;

const RESOURCE = 'Instagram account';

/** Who owns a listed account, shown to admins. */
export interface AccountOwner {
  id: string;
  name: string;
  email: string;
}

/** A listed account; `owner` only in an admin's list. */
export interface ListedAccount {
  account: InstagramAccountRecord;
  owner?: AccountOwner;
}

/**
 * Connected Instagram professional accounts as their owners (and admins) see
 * them: list, read, change and remove. Connecting is AccountConnectionService's.
 */
@Injectable()
export class InstagramAccountsService {
  constructor(
    private readonly repository: InstagramAccountsRepository,
    private readonly gateway: AccountsGateway,
    private readonly connections: AccountConnectionService,
    private readonly subscriptions: WebhookSubscriptionService,
    private readonly users: UsersRepository,
    private readonly audit: AuditLogsService,
    private readonly events: EventEmitter2,
  ) {}

  async list(caller: AuthUser, query: PaginationQueryDto): Promise<ListedAccount[]> {
    const page = { skip: query.skip ?? 0, limit: query.limit ?? DEFAULT_ACCOUNTS_PAGE_SIZE };
    const accounts = await this.repository.list(scopeOf(caller), page);
    if (caller.role !== 'admin') return accounts.map((account) => ({ account }));
    const ownerIds = [...new Set(accounts.map((account) => String(account.user)))];
    const owners = new Map<string, AccountOwner>();
    for (const owner of await this.users.findSummariesByIds(ownerIds)) {
      const id = String(owner._id);
      owners.set(id, { id, name: owner.name, email: owner.email });
    }
    return accounts.map((account) => {
      const owner = owners.get(String(account.user));
      return owner ? { account, owner } : { account };
    });
  }

  /** The account if the caller owns it or is an admin; 404 otherwise (never 403). */
  async findVisible(caller: AuthUser, accountId: string): Promise<InstagramAccountRecord> {
    const account = await this.repository.findVisibleById(scopeOf(caller), accountId);
    if (!account) throw new NotFoundError(RESOURCE);
    return account;
  }

  async update(
    caller: AuthUser,
    accountId: string,
    dto: UpdateInstagramAccountDto,
    context: RequestContext,
  ): Promise<InstagramAccountRecord> {
    const fields = Object.keys(dto).filter(
      (key) => dto[key as keyof UpdateInstagramAccountDto] !== undefined,
    );
    if (fields.length === 0) {
      throw new ValidationError('Nothing to update', [
        { field: 'body', messages: ['send at least one field to change'] },
      ]);
    }
    const scope = scopeOf(caller);
    const account = await this.findVisible(caller, accountId);
    const replacement: TokenReplacement | undefined =
      dto.accessToken === undefined
        ? undefined
        : await this.connections.replaceToken(account, dto.accessToken);
    const changes: AccountChanges = {
      username: dto.username,
      profilePictureUrl: dto.profilePictureUrl,
      followersCount: dto.followersCount,
      isActive: dto.isActive,
      ...replacement?.changes,
    };
    const updated = await this.repository.update(scope, accountId, changes);
    if (!updated) throw new NotFoundError(RESOURCE);
    this.gateway.forgetRefs();
    await this.audit.record({
      action: 'instagram_account.updated',
      context,
      subjectUserId: String(updated.user),
      target: accountAuditTarget(accountId),
      metadata: {
        fields: fields.filter((field) => field !== 'accessToken'),
        ...(replacement ? { tokenReplaced: true } : {}),
      },
    });
    if (!replacement) return updated;
    const subscription = await this.subscriptions.subscribe(
      scope,
      accountId,
      replacement.creds,
      context,
    );
    return { ...updated, ...subscription };
  }

  /** Soft delete: hidden everywhere until the same owner connects the account again. */
  async remove(caller: AuthUser, accountId: string, context: RequestContext): Promise<void> {
    const account = await this.findVisible(caller, accountId);
    const creds = account.reconnectRequired ? undefined : await this.readableCredentials(accountId);
    const removed = await this.repository.markRemoved(scopeOf(caller), accountId, new Date());
    if (!removed) throw new NotFoundError(RESOURCE);
    this.gateway.forgetRefs();
    await emitAccountLifecycle(this.events, INSTAGRAM_ACCOUNT_REMOVED, accountId);
    await this.audit.record({
      action: 'instagram_account.removed',
      context,
      subjectUserId: String(removed.user),
      target: accountAuditTarget(accountId),
      metadata: { instagramBusinessId: removed.instagramBusinessId, username: removed.username },
    });
    if (creds) await this.subscriptions.unsubscribe(accountId, creds);
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
}

/** Admins reach every account, everyone else their own. */
function scopeOf(caller: AuthUser): OwnerScope {
  return caller.role === 'admin' ? adminScope(caller.id) : ownerScope(caller.id);
}
