import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/decorators';
import { FailedDependencyError } from '../common/errors';
import { metaConfig, type MetaConfig } from '../config/meta.config';
import { MetaGraphService } from '../meta/meta-graph.service';
import type { InstagramProfileResponseDto } from './dto/instagram-profile-response.dto';
import { toInstagramProfileResponse } from './instagram-account.mapper';
import { InstagramAccountsService } from './instagram-accounts.service';

/** How many recent posts the profile shows. */
const PROFILE_MEDIA_LIMIT = 12;
const MAX_CACHED_PROFILES = 1_000;

/**
 * The live Instagram profile and recent media of a connected account, read
 * from Meta and kept in memory for `meta.profileCacheSeconds`.
 */
@Injectable()
export class InstagramProfileService {
  private readonly cache = new Map<
    string,
    { value: InstagramProfileResponseDto; expires: number }
  >();

  constructor(
    private readonly accounts: InstagramAccountsService,
    private readonly meta: MetaGraphService,
    @Inject(metaConfig.KEY) private readonly config: MetaConfig,
  ) {}

  async getProfile(caller: AuthUser, accountId: string): Promise<InstagramProfileResponseDto> {
    const account = await this.accounts.findVisible(caller, accountId);
    if (account.reconnectRequired) {
      throw new FailedDependencyError('Meta refused the account’s token: reconnect the account', [
        { reason: 'token_invalid' },
      ]);
    }
    const hit = this.cache.get(accountId);
    if (hit && hit.expires > Date.now()) return hit.value;
    const [profile, media] = await this.accounts.callMeta(accountId, (creds) =>
      Promise.all([
        this.meta.getOwnProfile(creds),
        this.meta.getRecentMedia(creds, PROFILE_MEDIA_LIMIT),
      ]),
    );
    const value = toInstagramProfileResponse(profile, media);
    this.remember(accountId, value);
    return value;
  }

  private remember(accountId: string, value: InstagramProfileResponseDto): void {
    const ttlMs = this.config.profileCacheSeconds * 1000;
    if (ttlMs <= 0) return;
    const now = Date.now();
    if (this.cache.size >= MAX_CACHED_PROFILES) {
      for (const [key, entry] of this.cache) if (entry.expires <= now) this.cache.delete(key);
      if (this.cache.size >= MAX_CACHED_PROFILES) this.cache.clear();
    }
    this.cache.set(accountId, { value, expires: now + ttlMs });
  }
}
