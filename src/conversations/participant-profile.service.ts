import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { TtlCache } from '../common/cache/ttl-cache';
import { systemScope } from '../common/scope/owner-scope';
import { AccountsGateway } from '../instagram-accounts/accounts.gateway';
import type { InstagramAccountRef } from '../instagram-accounts/instagram-account-ref';
import { MetaApiError } from '../meta/meta-api.error';
import { MetaGraphService } from '../meta/meta-graph.service';
import { ConversationLock, conversationKey } from './conversation-lock';
import { ConversationsRepository, type ConversationRecord } from './conversations.repository';

/** A cached participant profile is refreshed after this long. */
export const PROFILE_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** After a failed fetch, the next message of the conversation tries again only after this long. */
const RETRY_AFTER_FAILURE_MS = 10 * 60 * 1000;
/** Profiles are fetched in the background for whichever conversation a message arrived in. */
const PROFILE_REFRESH = systemScope('participant profile refresh');

export type ProfileTarget = Pick<
  ConversationRecord,
  '_id' | 'instagramAccount' | 'igUserId' | 'profileFetchedAt'
>;

/**
 * Fetches a participant's name, username and picture from Meta in the
 * background and caches them on the conversation. Never blocks or fails the
 * caller: errors are logged, concurrent fetches of one conversation are merged.
 */
@Injectable()
export class ParticipantProfileService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ParticipantProfileService.name);
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Conversations whose last fetch failed less than {@link RETRY_AFTER_FAILURE_MS} ago. */
  private readonly recentFailures = new TtlCache<string, true>({
    ttlMs: RETRY_AFTER_FAILURE_MS,
    maxEntries: 10_000,
  });

  constructor(
    private readonly repository: ConversationsRepository,
    private readonly writes: ConversationLock,
    private readonly accounts: AccountsGateway,
    private readonly meta: MetaGraphService,
  ) {}

  /** Starts a fetch when the cached profile is missing or older than a day. */
  refreshIfStale(
    conversation: ProfileTarget,
    account: InstagramAccountRef,
    now = new Date(),
  ): void {
    const fetchedAt = conversation.profileFetchedAt?.getTime();
    if (fetchedAt !== undefined && now.getTime() - fetchedAt < PROFILE_MAX_AGE_MS) return;
    const id = String(conversation._id);
    if (this.inFlight.has(id)) return;
    if (this.recentFailures.has(id)) return;
    const task = this.fetch(conversation, account)
      .catch((error: unknown) => this.recordFailure(id, conversation.igUserId, error))
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, task);
  }

  /** Resolves once every fetch started so far has finished. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }

  private async fetch(conversation: ProfileTarget, account: InstagramAccountRef): Promise<void> {
    const profile = await this.accounts.callMeta(account.id, (creds) =>
      this.meta.getMessagingUserProfile(creds, conversation.igUserId),
    );
    await this.writes.run(
      conversationKey(conversation.instagramAccount, conversation.igUserId),
      () =>
        this.repository.saveProfile(
          PROFILE_REFRESH,
          conversation._id,
          {
            igUsername: profile.username ?? null,
            name: profile.name ?? null,
            profilePictureUrl: profile.profilePic ?? null,
          },
          new Date(),
        ),
    );
    this.recentFailures.delete(String(conversation._id));
  }

  private recordFailure(id: string, igUserId: string, error: unknown): void {
    this.recentFailures.set(id, true);
    const reason = error instanceof MetaApiError ? error.kind : String(error);
    this.logger.warn(`Could not fetch the profile of participant ${igUserId}: ${reason}`);
  }
}
