import type { InstagramAccountRecord } from './instagram-accounts.repository';

/** What other modules need to know about a connected account; never the token. */
export interface InstagramAccountRef {
  id: string;
  userId: string;
  connectionType: 'facebook' | 'instagram';
  instagramBusinessId: string;
  pageId?: string;
  username: string;
  isActive: boolean;
  reconnectRequired: boolean;
}

export function toInstagramAccountRef(account: InstagramAccountRecord): InstagramAccountRef {
  return {
    id: String(account._id),
    userId: String(account.user),
    connectionType: account.connectionType,
    instagramBusinessId: account.instagramBusinessId,
    ...(account.pageId ? { pageId: account.pageId } : {}),
    username: account.username,
    isActive: account.isActive,
    reconnectRequired: account.reconnectRequired,
  };
}
