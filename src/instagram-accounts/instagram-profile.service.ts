import { Inject, Injectable } from '@nestjs/common';
import { TtlCache } from '../common/cache/ttl-cache';
import type { AuthUser } from '../common/decorators';
import { FailedDependencyError } from '../common/errors';
import { metaConfig, type MetaConfig } from '../config/meta.config';
import { MetaGraphService } from '../meta/meta-graph.service';
import type { MetaAccountProfile, MetaMedia } from '../meta/meta.types';
import { AccountsGateway } from './accounts.gateway';
import { InstagramAccountsService } from './instagram-accounts.service';

/** How many recent posts the profile shows. */
const PROFILE_MEDIA_LIMIT = 12;
const MAX_CACHED_PROFILES = 1_000;

/** An account's profile and recent media as Meta reports them. */
export interface InstagramProfile {
  profile: MetaAccountProfile;
  media: MetaMedia[];
}

/**
 * The live Instagram profile and recent media of a connected account, read
 * from Meta and kept in memory for `meta.profileCacheSeconds` (0: not kept).
 */
@Injectable()
export class InstagramProfileService {
  private readonly cache?: TtlCache<string, InstagramProfile>;

  constructor(
    private readonly accounts: InstagramAccountsService,
    private readonly gateway: AccountsGateway,
    private readonly meta: MetaGraphService,
    @Inject(metaConfig.KEY) config: MetaConfig,
  ) {
    if (config.profileCacheSeconds > 0) {
      this.cache = new TtlCache({
        ttlMs: config.profileCacheSeconds * 1000,
        maxEntries: MAX_CACHED_PROFILES,
      });
    }
  }

  async getProfile(caller: AuthUser, accountId: string): Promise<InstagramProfile> {
    const account = await this.accounts.findVisible(caller, accountId);
    if (account.reconnectRequired) {
      throw new FailedDependencyError('Meta refused the account’s token: reconnect the account', [
        { reason: 'token_invalid' },
      ]);
    }
    const hit = this.cache?.get(accountId);
    if (hit) return hit;
    const [profile, media] = await this.gateway.callMeta(accountId, (creds) =>
      Promise.all([
        this.meta.getOwnProfile(creds),
        this.meta.getRecentMedia(creds, PROFILE_MEDIA_LIMIT),
      ]),
    );
    const value = { profile, media };
    this.cache?.set(accountId, value);
    return value;
  }
}
