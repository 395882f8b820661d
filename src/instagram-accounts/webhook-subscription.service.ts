import { Injectable, Logger } from '@nestjs/common';
import { AuditLogsService, type RequestContext } from '../audit-logs/audit-logs.service';
import type { OwnerScope } from '../common/scope/owner-scope';
import { MetaApiError } from '../meta/meta-api.error';
import { MetaGraphService } from '../meta/meta-graph.service';
import type { MetaCredentials } from '../meta/meta.types';
import { accountAuditTarget } from './account-audit-target';
import { AccountsGateway } from './accounts.gateway';
import { InstagramAccountsRepository } from './instagram-accounts.repository';

/** Longest stored reason of a refused webhook subscription (Meta's message lists every valid field). */
const MAX_SUBSCRIPTION_ERROR_LENGTH = 2000;

export interface WebhookSubscriptionOutcome {
  webhookSubscribed: boolean;
  webhookSubscriptionError: string | null;
}

/** An account's webhook subscription at Meta, stored on the account and audited when refused. */
@Injectable()
export class WebhookSubscriptionService {
  private readonly logger = new Logger(WebhookSubscriptionService.name);

  constructor(
    private readonly repository: InstagramAccountsRepository,
    private readonly gateway: AccountsGateway,
    private readonly meta: MetaGraphService,
    private readonly audit: AuditLogsService,
  ) {}

  /** Subscribes the account's webhooks; a failure is recorded with Meta's reason, never thrown. */
  async subscribe(
    scope: OwnerScope,
    accountId: string,
    creds: MetaCredentials,
    context: RequestContext,
  ): Promise<WebhookSubscriptionOutcome> {
    try {
      await this.gateway.callMeta(accountId, (c) => this.meta.subscribeWebhooks(c), creds);
      await this.repository.setWebhookSubscribed(scope, accountId, true, null);
      return { webhookSubscribed: true, webhookSubscriptionError: null };
    } catch (error) {
      if (!(error instanceof MetaApiError)) throw error;
      this.logger.warn(
        `Webhook subscription failed for Instagram account ${accountId}: ${error.kind}`,
      );
      const reason = error.message.slice(0, MAX_SUBSCRIPTION_ERROR_LENGTH);
      await this.repository.setWebhookSubscribed(scope, accountId, false, reason);
      await this.audit.record({
        action: 'instagram_account.webhook_subscription_failed',
        context,
        target: accountAuditTarget(accountId),
        metadata: {
          reason: error.kind,
          ...(error.code !== undefined ? { metaCode: error.code } : {}),
        },
      });
      return { webhookSubscribed: false, webhookSubscriptionError: reason };
    }
  }

  /** Unsubscribes a removed account's webhooks; a refusal by Meta is logged, never thrown. */
  async unsubscribe(accountId: string, creds: MetaCredentials): Promise<void> {
    try {
      await this.gateway.callMeta(accountId, (c) => this.meta.unsubscribeWebhooks(c), creds);
    } catch (error) {
      if (!(error instanceof MetaApiError)) throw error;
      this.logger.warn(
        `Could not unsubscribe webhooks of removed Instagram account ${accountId}: ${error.kind}`,
      );
    }
  }
}
