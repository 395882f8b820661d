import { Inject, Injectable } from '@nestjs/common';
import { AuditLogsService, type RequestContext } from '../audit-logs/audit-logs.service';
import { TtlCache } from '../common/cache/ttl-cache';
import { isDuplicateKeyError } from '../common/database/duplicate-key-error';
import type { AuthUser } from '../common/decorators';
import { NotFoundError } from '../common/errors';
import type { CursorPageResponseDto } from '../common/pagination/page-response.dto';
import { totalFromPage } from '../common/pagination/page-total';
import { decodePageCursor, encodePageCursor } from '../common/pagination/page-cursor';
import {
  crossesOwner,
  ownerScope,
  systemScope,
  type OwnerScope,
} from '../common/scope/owner-scope';
import { authConfig, type AuthConfig } from '../config/auth.config';
import { AccountsGateway } from '../instagram-accounts/accounts.gateway';
import type { InstagramAccountRef } from '../instagram-accounts/instagram-account-ref';
import { ConversationLock, conversationKey } from './conversation-lock';
import {
  appliedIdsToForget,
  ConversationsRepository,
  type ConversationActivity,
  type ConversationId,
  type ConversationRecord,
} from './conversations.repository';
import type { ListConversationsQueryDto } from './dto/list-conversations-query.dto';
import { readScopeOf } from './inbox-scope';
import { ParticipantProfileService } from './participant-profile.service';

export const DEFAULT_CONVERSATIONS_PAGE_SIZE = 20;
const RESOURCE = 'Conversation';
/** Writes made for the messaging webhook of a connected account. */
const WEBHOOK = systemScope('messaging webhook of a connected account');
/**
 * Conversation ids by account and participant, remembered for the webhook path: a
 * conversation is never deleted and never changes participant, so a remembered id stays right
 * and the conversation is read by `_id`.
 */
const KNOWN_CONVERSATIONS = 50_000;

/** A page of an account's conversations, newest activity first, with the paging fields. */
export interface ConversationPage extends CursorPageResponseDto {
  conversations: ConversationRecord[];
}

/** A visible conversation of the caller, with its (still connected) account. */
export interface OwnedConversation {
  conversation: ConversationRecord;
  account: InstagramAccountRef;
}

/** What an admin read in someone else's inbox, for the audit log. */
export interface InboxRead {
  read: 'conversations' | 'conversation' | 'messages';
  ownerId: string;
  instagramAccountId: string;
  conversationId?: string;
}

@Injectable()
export class ConversationsService {
  private readonly known = new TtlCache<string, ConversationId>({
    maxEntries: KNOWN_CONVERSATIONS,
  });

  constructor(
    private readonly repository: ConversationsRepository,
    private readonly writes: ConversationLock,
    private readonly accounts: AccountsGateway,
    private readonly profiles: ParticipantProfileService,
    private readonly audit: AuditLogsService,
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
  ) {}

  /** Whose conversations and messages the caller may read. */
  readScope(caller: AuthUser): OwnerScope {
    return readScopeOf(caller, this.auth.adminInboxAccess);
  }

  async list(
    caller: AuthUser,
    accountId: string,
    query: ListConversationsQueryDto,
    context: RequestContext,
  ): Promise<ConversationPage> {
    const scope = this.readScope(caller);
    // In the admin scope the account is looked up first (any account GET /v1/instagram shows
    // the admin); the page is then read in its owner's scope, like the owner's own reads.
    const ownerId =
      scope.kind === 'owner'
        ? scope.ownerId
        : (await this.accounts.findOwnedRef(scope, accountId)).userId;
    const limit = query.limit ?? DEFAULT_CONVERSATIONS_PAGE_SIZE;
    const skip = query.skip ?? 0;
    const filter = { search: query.search, unreadOnly: query.unread };
    // Read in the owner's scope and without the conversations of a removed account, so the
    // account itself is only looked up when the page comes back empty (to tell "none" from
    // "not yours": 404).
    const inbox = ownerScope(ownerId);
    const items = await this.repository.findInboxPage(inbox, accountId, filter, {
      skip,
      limit: limit + 1,
      ...(query.before ? { before: decodePageCursor(query.before) } : {}),
    });
    if (items.length === 0 && scope.kind === 'owner') {
      await this.accounts.findOwnedRef(scope, accountId);
    }
    await this.recordInboxRead(scope, context, {
      read: 'conversations',
      ownerId,
      instagramAccountId: accountId,
    });
    const total =
      totalFromPage(items.length, { limit, skip, cursor: Boolean(query.before) }) ??
      (await this.repository.countInbox(inbox, accountId, filter));
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      conversations: page,
      total,
      limit,
      skip,
      nextCursor:
        items.length > limit && last
          ? encodePageCursor(last.lastMessageTimestamp ?? last.createdAt, last._id)
          : null,
    };
  }

  async detail(
    caller: AuthUser,
    conversationId: string,
    context: RequestContext,
  ): Promise<ConversationRecord> {
    const scope = this.readScope(caller);
    const conversation = await this.findReadable(scope, conversationId);
    await this.recordInboxRead(scope, context, {
      read: 'conversation',
      ownerId: String(conversation.owner),
      instagramAccountId: String(conversation.instagramAccount),
      conversationId,
    });
    return conversation;
  }

  async remove(caller: AuthUser, conversationId: string): Promise<void> {
    const { conversation } = await this.findOwned(caller.id, conversationId);
    const hidden = await this.writes.run(keyOf(conversation), () =>
      this.repository.hide(ownerScope(caller.id), conversation._id, new Date()),
    );
    if (!hidden) throw new NotFoundError(RESOURCE);
  }

  /**
   * The caller's visible conversation whose account is still connected, for
   * writes; 404 for anyone else's (admins included), a hidden one, or a
   * removed account.
   */
  async findOwned(ownerId: string, conversationId: string): Promise<OwnedConversation> {
    const conversation = await this.findReadable(ownerScope(ownerId), conversationId);
    const account = await this.accounts.findRefForWebhook(conversation.accountInstagramId);
    if (
      !account ||
      account.id !== String(conversation.instagramAccount) ||
      account.userId !== ownerId
    ) {
      throw new NotFoundError(RESOURCE);
    }
    return { conversation, account };
  }

  /**
   * A visible conversation within the scope, in one round trip: hidden ones and
   * those of a removed account (flagged on the conversation) are not found.
   */
  async findReadable(scope: OwnerScope, conversationId: string): Promise<ConversationRecord> {
    const conversation = await this.repository.findVisible(scope, conversationId);
    if (!conversation) throw new NotFoundError(RESOURCE);
    return conversation;
  }

  /** Writes an admin's read of someone else's inbox to the audit log; nothing for own reads. */
  async recordInboxRead(
    scope: OwnerScope,
    context: RequestContext,
    read: InboxRead,
  ): Promise<void> {
    if (!crossesOwner(scope, read.ownerId)) return;
    await this.audit.record({
      action: 'inbox.read_by_admin',
      context,
      subjectUserId: read.ownerId,
      target: { type: 'instagram_account', id: read.instagramAccountId },
      metadata: {
        read: read.read,
        ...(read.conversationId ? { conversationId: read.conversationId } : {}),
      },
    });
  }

  /**
   * The conversation between the account and the participant, created without a message on
   * first contact. Webhook ingestion only, under the conversation's lock held by its inbox job.
   */
  async ensureConversation(
    account: InstagramAccountRef,
    igUserId: string,
  ): Promise<ConversationRecord> {
    const key = conversationKey(account.id, igUserId);
    const knownId = this.known.get(key);
    const known = knownId ? await this.repository.findById(WEBHOOK, knownId) : null;
    if (known) return known;
    const conversation = await this.createOrFind(account, igUserId);
    this.known.set(key, conversation._id);
    return conversation;
  }

  /**
   * Whether the conversation was written under a conversation lease acquired since `since`
   * (tokens are Redis's clock in microseconds at acquisition, or just above the previous one).
   */
  async writtenUnderLeaseSince(
    account: InstagramAccountRef,
    igUserId: string,
    since: Date,
  ): Promise<boolean> {
    const key = conversationKey(account.id, igUserId);
    const knownId = this.known.get(key);
    const conversation = knownId
      ? await this.repository.findById(WEBHOOK, knownId)
      : await this.repository.findByParticipant(WEBHOOK, account.id, igUserId);
    if (conversation) this.known.set(key, conversation._id);
    const fence = conversation?.writerFence ?? null;
    return fence !== null && fence / 1000 > since.getTime();
  }

  /** Read first: creating writes, and nearly every message is in a conversation that exists. */
  private async createOrFind(
    account: InstagramAccountRef,
    igUserId: string,
  ): Promise<ConversationRecord> {
    const found = await this.repository.findByParticipant(WEBHOOK, account.id, igUserId);
    if (found) return found;
    const owner = {
      instagramAccount: account.id,
      owner: account.userId,
      accountInstagramId: account.instagramBusinessId,
    };
    try {
      return await this.repository.ensureForParticipant(WEBHOOK, owner, igUserId);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const existing = await this.repository.findByParticipant(WEBHOOK, account.id, igUserId);
    if (!existing) throw new Error('Conversation disappeared while recording a message');
    return existing;
  }

  /**
   * Applies a newly stored webhook message to its conversation (newest message, unread
   * count, reply window), once even when retried. Under the lock held by the inbox job, whose
   * token `fence` is.
   */
  applyMessage(
    conversation: ConversationRecord,
    activity: ConversationActivity,
    fence: number,
  ): Promise<void> {
    return this.repository.applyMessage(WEBHOOK, conversation, activity, fence);
  }

  /**
   * The message ids the conversation forgets when the next message is applied; their
   * messages' `effectsPending` marks must be cleared first.
   */
  appliedIdsToForget(conversation: ConversationRecord): string[] {
    return appliedIdsToForget(conversation);
  }

  /** Whether the conversation remembers the message as applied. */
  async remembersApplied(conversationId: ConversationId, messageId: string): Promise<boolean> {
    const conversation = await this.repository.findById(WEBHOOK, conversationId);
    return conversation?.appliedMessageIds?.includes(messageId) ?? false;
  }

  /**
   * The message was unsent before its effects were applied: it is remembered as applied, with
   * none. Under the lock held by the inbox job, whose token `fence` is.
   */
  rememberApplied(conversationId: ConversationId, messageId: string, fence: number): Promise<void> {
    return this.repository.rememberApplied(WEBHOOK, conversationId, messageId, fence);
  }

  /** Makes a message sent through the API the newest one, unless a newer one exists. */
  async recordOutbound(
    conversation: ConversationRecord,
    activity: ConversationActivity,
  ): Promise<void> {
    await this.writes.run(keyOf(conversation), () =>
      this.repository.applyIfNewer(
        scopeOf(conversation),
        String(conversation.instagramAccount),
        conversation.igUserId,
        activity,
      ),
    );
  }

  resetUnread(conversation: ConversationRecord): Promise<void> {
    return this.writes.run(keyOf(conversation), () =>
      this.repository.resetUnread(scopeOf(conversation), conversation._id),
    );
  }

  /** The user unsent a message: forget its preview and its unread mark. Under the inbox job's lock. */
  forgetMessage(
    conversationId: ConversationId,
    message: { messageId: string; timestamp: Date; wasUnread: boolean },
  ): Promise<void> {
    return this.repository.forgetMessage(WEBHOOK, conversationId, message);
  }

  findByParticipant(
    account: InstagramAccountRef,
    igUserId: string,
  ): Promise<ConversationRecord | null> {
    return this.repository.findByParticipant(WEBHOOK, account.id, igUserId);
  }

  refreshProfileIfStale(conversation: ConversationRecord, account: InstagramAccountRef): void {
    this.profiles.refreshIfStale(conversation, account);
  }

  /** Resolves once background profile fetches started so far have finished. */
  profilesSettled(): Promise<void> {
    return this.profiles.settled();
  }

  /**
   * The participant came through an ig.me link or an ad (with or without a
   * message): the referral is kept on the conversation and opens the reply
   * window. A concurrent first write is refused by the unique index and
   * applied again as an update. Under the inbox job's lock.
   */
  async recordReferral(
    account: InstagramAccountRef,
    igUserId: string,
    referral: {
      source: string | null;
      type: string | null;
      ref: string | null;
      adId: string | null;
      at: Date;
    },
  ): Promise<void> {
    const owner = {
      instagramAccount: account.id,
      owner: account.userId,
      accountInstagramId: account.instagramBusinessId,
    };
    try {
      await this.repository.recordReferral(WEBHOOK, owner, igUserId, referral);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      await this.repository.recordReferral(WEBHOOK, owner, igUserId, referral);
    }
  }

  /**
   * A message's text was edited: its new preview, if it is still the newest message. Under
   * the inbox job's lock.
   */
  replacePreviewIfLast(
    conversationId: ConversationId,
    message: { messageId: string; preview: string },
  ): Promise<void> {
    return this.repository.replacePreviewIfLast(
      WEBHOOK,
      conversationId,
      message.messageId,
      message.preview,
    );
  }
}

/** The scope of the conversation's owner, for the owner's own writes. */
function scopeOf(conversation: ConversationRecord): OwnerScope {
  return ownerScope(String(conversation.owner));
}

function keyOf(conversation: ConversationRecord): string {
  return conversationKey(conversation.instagramAccount, conversation.igUserId);
}
