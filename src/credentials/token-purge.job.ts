import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { OneTimeTokensRepository } from './one-time-tokens.repository';
import { RefreshTokensRepository } from './refresh-tokens.repository';

/** Expired tokens can no longer be used: delete them once a day. */
@Injectable()
export class TokenPurgeJob {
  private readonly logger = new Logger(TokenPurgeJob.name);

  constructor(
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly oneTimeTokens: OneTimeTokensRepository,
  ) {}

  @Cron(CronExpression.EVERY_DAY_AT_3AM, { name: 'purge-expired-tokens' })
  async purgeExpired(): Promise<void> {
    const now = new Date();
    try {
      const refresh = await this.refreshTokens.deleteExpired(now);
      const oneTime = await this.oneTimeTokens.deleteExpired(now);
      this.logger.log({ refresh, oneTime }, 'Purged expired tokens');
    } catch (error) {
      this.logger.error({ err: error }, 'Could not purge expired tokens');
    }
  }
}
