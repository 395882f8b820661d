import { numericId } from './simulator-http';

/** The simulated world every Meta surface of the simulator reads and changes. */

export interface SimAccount {
  instagramBusinessId: string;
  pageId?: string;
  connectionType: 'facebook' | 'instagram';
  accessToken: string;
  username: string;
  name: string;
  profilePictureUrl: string;
  followersCount: number;
  followsCount: number;
  mediaCount: number;
  biography: string;
  website: string;
  tokenExpired: boolean;
  subscribedFields: string[];
}

export interface SimUser {
  igsid: string;
  username: string;
  name: string;
  profilePic: string;
  followerCount: number;
  isUserFollowBusiness: boolean;
  isBusinessFollowUser: boolean;
  isVerifiedUser: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  at: Date;
}

export interface SentMessage {
  accountId: string;
  recipientId: string;
  messageId: string;
  body: Record<string, unknown>;
  at: Date;
}

/** A conversation of an account with a user, as the simulator counts its messages. */
export interface Conversation {
  id: string;
  accountId: string;
  userId: string;
  updatedAt: Date;
  messageIds: Set<string>;
}

export interface MediaItem {
  id: string;
  caption: string;
  mediaType: 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
  /** For a carousel album, its first child's image (as Meta returns it). */
  mediaUrl: string;
  thumbnailUrl?: string;
  permalink: string;
  timestamp: Date;
}

/** A token handed out by `refresh_access_token`, next to the account's own token. */
export interface IssuedToken {
  accountId: string;
  expired: boolean;
}

/** The Meta app the simulator plays: named in `subscribed_apps` and in usage headers. */
export const SIMULATED_APP = { id: '100000000000001', name: 'Instagram DM Automation (simulated)' };

/** Everything the simulator knows, in memory; `url` is where it serves its assets. */
export class SimulatorState {
  readonly accounts = new Map<string, SimAccount>();
  readonly users = new Map<string, SimUser>();
  /** Per account: the app-scoped id that `/me` answers as `id` on graph.instagram.com. */
  readonly appScopedIds = new Map<string, string>();
  /** Per account: its media, generated on first read. */
  readonly media = new Map<string, MediaItem[]>();
  readonly issuedTokens = new Map<string, IssuedToken>();
  readonly conversations = new Map<string, Conversation>();
  readonly requests: RecordedRequest[] = [];
  readonly sentMessages: SentMessage[] = [];

  constructor(readonly url: string) {}

  /** A random numeric id that no account or user has yet. */
  freshId(prefix: string, length: number): string {
    for (;;) {
      const id = numericId(prefix, length);
      if (!this.accounts.has(id) && !this.users.has(id)) return id;
    }
  }

  /** Accounts with their app-scoped id and refreshed tokens, users and conversations. */
  snapshot(): Record<string, unknown> {
    return {
      accounts: [...this.accounts.values()].map((account) => ({
        ...account,
        appScopedId: this.appScopedIds.get(account.instagramBusinessId),
        refreshedTokens: [...this.issuedTokens.entries()]
          .filter(([, issued]) => issued.accountId === account.instagramBusinessId)
          .map(([token, issued]) => ({ accessToken: token, expired: issued.expired })),
      })),
      users: [...this.users.values()],
      conversations: [...this.conversations.values()].map((c) => ({
        id: c.id,
        accountId: c.accountId,
        userId: c.userId,
        updatedAt: c.updatedAt,
        messageCount: c.messageIds.size,
      })),
      sentMessages: this.sentMessages,
      requests: this.requests,
    };
  }

  clear(): void {
    this.accounts.clear();
    this.users.clear();
    this.appScopedIds.clear();
    this.media.clear();
    this.issuedTokens.clear();
    this.conversations.clear();
    this.requests.length = 0;
    this.sentMessages.length = 0;
  }
}
