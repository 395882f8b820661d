import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditLogsService } from '../audit-logs/audit-logs.service';
import { TokenCipher, TokenDecryptionError } from '../common/crypto/token-cipher';
import { systemScope } from '../common/scope/owner-scope';
import { metaConfig, type MetaConfig } from '../config/meta.config';
import { MetaApiError } from '../meta/meta-api.error';
import { MetaGraphService } from '../meta/meta-graph.service';
import { MaintenanceTasks } from '../queue/maintenance';
import {
  InstagramAccountsRepository,
  type RefreshCandidate,
} from './instagram-accounts.repository';
import { AccountsGateway } from './accounts.gateway';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Meta refuses to refresh a token younger than 24 hours. */
const MIN_TOKEN_AGE_MS = DAY_MS;
/** Tokens expiring within this window are refreshed. */
const REFRESH_WINDOW_MS = 10 * DAY_MS;
const BATCH_SIZE = 50;
const TOKEN_REFRESH = systemScope('Instagram token refresh');

export interface TokenRefreshSummary {
  refreshed: number;
  /** Meta refused the refresh: the account now requires reconnection. */
  failed: number;
  /** A temporary Meta failure: tried again on the next run. */
  deferred: number;
  /** Removed, or refreshed by another process, since it was read. */
  skipped: number;
}

/**
 * Keeps Instagram Login tokens (valid 60 days) alive: once per
 * `META_TOKEN_REFRESH_INTERVAL_MS` (a day by default) across the cluster, as a task of the
 * `maintenance` queue, every token at least a day old that expires within ten days is
 * exchanged for a fresh one.
 */
@Injectable()
export class TokenRefreshTask {
  private readonly logger = new Logger(TokenRefreshTask.name);

  constructor(
    private readonly repository: InstagramAccountsRepository,
    private readonly accounts: AccountsGateway,
    private readonly meta: MetaGraphService,
    private readonly cipher: TokenCipher,
    private readonly audit: AuditLogsService,
    @Inject(metaConfig.KEY) config: MetaConfig,
    tasks: MaintenanceTasks,
  ) {
    tasks.register({
      name: 'instagram-token-refresh',
      everyMs: config.tokenRefreshIntervalMs,
      firstRunAfterPeriod: true,
      run: () => this.runScheduled(),
    });
  }

  /** One scheduled run, logged; a failure fails the job (kept with its reason in the queue). */
  private async runScheduled(): Promise<TokenRefreshSummary> {
    const summary = await this.runOnce();
    this.logger.log(
      `Instagram token refresh: ${summary.refreshed} refreshed, ${summary.failed} failed, ${summary.deferred} deferred`,
    );
    return summary;
  }

  async runOnce(now = new Date()): Promise<TokenRefreshSummary> {
    const summary: TokenRefreshSummary = { refreshed: 0, failed: 0, deferred: 0, skipped: 0 };
    const issuedBefore = new Date(now.getTime() - MIN_TOKEN_AGE_MS);
    const expiresBefore = new Date(now.getTime() + REFRESH_WINDOW_MS);
    let afterId: string | undefined;
    for (;;) {
      const batch = await this.repository.findDueForRefresh(TOKEN_REFRESH, {
        issuedBefore,
        expiresBefore,
        afterId,
        limit: BATCH_SIZE,
      });
      for (const candidate of batch) summary[await this.refresh(candidate, now)] += 1;
      if (batch.length < BATCH_SIZE) return summary;
      afterId = String(batch[batch.length - 1]._id);
    }
  }

  private async refresh(
    candidate: RefreshCandidate,
    now: Date,
  ): Promise<keyof TokenRefreshSummary> {
    const accountId = String(candidate._id);
    let current: string;
    try {
      current = this.cipher.decrypt(candidate.accessToken);
    } catch (error) {
      if (!(error instanceof TokenDecryptionError)) throw error;
      await this.accounts.markReconnectRequired(accountId, 'token_undecryptable');
      return 'failed';
    }
    try {
      const fresh = await this.meta.refreshInstagramToken(current);
      const stored = await this.repository.storeRefreshedToken(
        TOKEN_REFRESH,
        accountId,
        candidate.tokenIssuedAt,
        {
          accessToken: this.cipher.encrypt(fresh.accessToken),
          tokenIssuedAt: now,
          tokenExpiresAt: fresh.expiresAt,
        },
      );
      if (!stored) return 'skipped';
      await this.audit.record({
        action: 'instagram_account.token_refreshed',
        subjectUserId: String(candidate.user),
        target: { type: 'instagram_account', id: accountId },
        metadata: { tokenExpiresAt: fresh.expiresAt.toISOString() },
      });
      return 'refreshed';
    } catch (error) {
      if (!(error instanceof MetaApiError)) throw error;
      if (error.retryable) {
        this.logger.warn(`Token refresh of Instagram account ${accountId} deferred: ${error.kind}`);
        return 'deferred';
      }
      await this.accounts.markReconnectRequired(accountId, `token_refresh_failed:${error.kind}`);
      return 'failed';
    }
  }
}
