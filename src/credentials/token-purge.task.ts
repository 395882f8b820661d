import { Inject, Injectable, Logger } from '@nestjs/common';
import { authConfig, type AuthConfig } from '../config/auth.config';
import { MaintenanceTasks } from '../queue/maintenance';
import { OneTimeTokensRepository } from './one-time-tokens.repository';
import { RefreshTokensRepository } from './refresh-tokens.repository';

export interface TokenPurgeSummary {
  refresh: number;
  oneTime: number;
}

/**
 * Expired tokens can no longer be used: they are deleted once per `AUTH_TOKEN_PURGE_INTERVAL_MS`
 * (a day by default) across the cluster, as a task of the `maintenance` queue.
 */
@Injectable()
export class TokenPurgeTask {
  private readonly logger = new Logger(TokenPurgeTask.name);

  constructor(
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly oneTimeTokens: OneTimeTokensRepository,
    @Inject(authConfig.KEY) config: AuthConfig,
    tasks: MaintenanceTasks,
  ) {
    tasks.register({
      name: 'auth-token-purge',
      everyMs: config.tokenPurgeIntervalMs,
      firstRunAfterPeriod: true,
      run: () => this.purgeExpired(),
    });
  }

  /** Deletes the tokens expired by `now`; how many of each kind. */
  async purgeExpired(now = new Date()): Promise<TokenPurgeSummary> {
    const refresh = await this.refreshTokens.deleteExpired(now);
    const oneTime = await this.oneTimeTokens.deleteExpired(now);
    this.logger.log({ refresh, oneTime }, 'Purged expired tokens');
    return { refresh, oneTime };
  }
}
