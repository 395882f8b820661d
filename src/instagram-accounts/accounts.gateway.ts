import { Injectable, Logger } from '@nestjs/common';
import { AuditLogsService } from '../audit-logs/audit-logs.service';
import { TokenCipher, TokenDecryptionError } from '../common/crypto/token-cipher';
import { FailedDependencyError, NotFoundError } from '../common/errors';
import { systemScope, type OwnerScope } from '../common/scope/owner-scope';
import { isObjectIdString } from '../common/utils/object-id';
import { MetaApiError } from '../meta/meta-api.error';
import type { MetaCredentials } from '../meta/meta.types';
import { ChangeBus } from '../redis/change-bus';
import { AccountRefCache } from './account-ref-cache';
import { toInstagramAccountRef, type InstagramAccountRef } from './instagram-account-ref';
import { InstagramAccountsRepository } from './instagram-accounts.repository';

const RESOURCE = 'Instagram account';
/** Webhooks name an account by its Meta id, whoever owns it. */
const WEBHOOK_ROUTING = systemScope('webhook routing by Meta id');
/** The account-id methods act for an account the caller already resolved, or for upkeep. */
const ACTING_FOR_ACCOUNT = systemScope('acting for an account the caller resolved');

/**
 * What other modules need of a connected account: find it (for a caller, or for
 * a webhook), act for it at Meta with its stored token, and flag it for
 * reconnection when Meta no longer accepts that token.
 */
@Injectable()
export class AccountsGateway {
  private readonly logger = new Logger(AccountsGateway.name);
  private readonly refCache: AccountRefCache<InstagramAccountRef>;

  constructor(
    private readonly repository: InstagramAccountsRepository,
    private readonly cipher: TokenCipher,
    private readonly audit: AuditLogsService,
    changes: ChangeBus,
  ) {
    this.refCache = new AccountRefCache(changes);
  }

  /** The account if the scope reaches it; 404 otherwise (never 403). */
  async findOwnedRef(scope: OwnerScope, accountId: string): Promise<InstagramAccountRef> {
    const account = isObjectIdString(accountId)
      ? await this.repository.findVisibleById(scope, accountId)
      : null;
    if (!account) throw new NotFoundError(RESOURCE);
    return toInstagramAccountRef(account);
  }

  /** The connected account a webhook entry names by Instagram or Page id; null when none. */
  findRefForWebhook(metaId: string): Promise<InstagramAccountRef | null> {
    return this.refCache.getOrLoad(metaId, async () => {
      const account = await this.repository.findForWebhook(WEBHOOK_ROUTING, metaId);
      return account ? toInstagramAccountRef(account) : null;
    });
  }

  /** Forgets the accounts read for webhooks, after a change to any account. */
  forgetRefs(): void {
    this.refCache.clear();
  }

  /**
   * The account's stored token, decrypted; an unreadable token flags the
   * account for reconnection and fails with 424.
   */
  async getCredentials(accountId: string): Promise<MetaCredentials> {
    const account = isObjectIdString(accountId)
      ? await this.repository.findTokenById(ACTING_FOR_ACCOUNT, accountId)
      : null;
    if (!account) throw new NotFoundError(RESOURCE);
    let accessToken: string;
    try {
      accessToken = this.cipher.decrypt(account.accessToken);
    } catch (error) {
      if (!(error instanceof TokenDecryptionError)) throw error;
      this.logger.error(
        `Stored token of Instagram account ${accountId} is unreadable: ${error.message}`,
      );
      await this.markReconnectRequired(accountId, 'token_undecryptable');
      throw new FailedDependencyError(
        'The stored access token cannot be read: reconnect the Instagram account',
        [{ reason: 'token_undecryptable' }],
      );
    }
    return {
      accessToken,
      connectionType: account.connectionType,
      instagramBusinessId: account.instagramBusinessId,
      ...(account.pageId ? { pageId: account.pageId } : {}),
      pacingKey: accountId,
    };
  }

  /**
   * Calls Meta for the account, with its stored token unless `creds` are given
   * (a token being connected); a token Meta rejects flags the account for
   * reconnection before the error is rethrown.
   */
  async callMeta<T>(
    accountId: string,
    call: (creds: MetaCredentials) => Promise<T>,
    creds?: MetaCredentials,
  ): Promise<T> {
    const used = creds ?? (await this.getCredentials(accountId));
    try {
      return await call(used);
    } catch (error) {
      if (error instanceof MetaApiError && error.kind === 'token_invalid') {
        await this.markReconnectRequired(accountId, 'token_invalid');
      }
      throw error;
    }
  }

  /** Flags the account until its owner connects a new token; audited once per flagging. */
  async markReconnectRequired(accountId: string, reason: string): Promise<void> {
    if (!isObjectIdString(accountId)) return;
    const flagged = await this.repository.flagReconnectRequired(ACTING_FOR_ACCOUNT, accountId);
    if (!flagged) return;
    this.forgetRefs();
    this.logger.warn(`Instagram account ${accountId} must be reconnected (${reason})`);
    await this.audit.record({
      action: 'instagram_account.reconnect_required',
      subjectUserId: String(flagged.user),
      target: { type: 'instagram_account', id: accountId },
      metadata: { reason },
    });
  }
}
