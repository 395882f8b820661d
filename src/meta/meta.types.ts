/** How an Instagram professional account was connected, which decides the Graph host used. */
export type ConnectionType = 'facebook' | 'instagram';

/**
 * What `MetaGraphService` needs to act for one connected account. Built by the
 * InstagramAccounts module from the stored (decrypted) token; never logged.
 */
export interface MetaCredentials {
  /** Page access token (facebook) or Instagram user access token (instagram). */
  accessToken: string;
  connectionType: ConnectionType;
  /** Instagram professional account id (the id webhooks use as recipient). */
  instagramBusinessId: string;
  /** Facebook Page id (facebook connections only). */
  pageId?: string;
  /** Key for per-account outbound pacing; the stored account id when there is one. */
  pacingKey: string;
}

export interface MetaAccountProfile {
  /** Instagram professional account id (Instagram Login: `user_id`). */
  id: string;
  username: string;
  name?: string;
  profilePictureUrl?: string;
  followersCount?: number;
  followsCount?: number;
  mediaCount?: number;
  biography?: string;
  website?: string;
}

export interface MetaMedia {
  id: string;
  caption?: string;
  mediaType?: string;
  mediaUrl?: string;
  thumbnailUrl?: string;
  permalink?: string;
  timestamp?: string;
}

/** A messaging user's profile, fetched by their Instagram-scoped id (IGSID). */
export interface MetaUserProfile {
  id: string;
  name?: string;
  username?: string;
  profilePic?: string;
  followerCount?: number;
  isUserFollowBusiness?: boolean;
  isBusinessFollowUser?: boolean;
  isVerifiedUser?: boolean;
}

export type OutboundAttachmentType = 'image' | 'video' | 'audio' | 'file';

export interface SendMessageInput {
  recipientId: string;
  text?: string;
  attachment?: { type: OutboundAttachmentType; url: string };
  /** mid of the message being replied to. */
  replyTo?: string;
  tag?: 'HUMAN_AGENT';
}

export interface SendMessageResult {
  recipientId: string;
  messageId: string;
}

export type SenderAction = 'mark_seen' | 'typing_on' | 'typing_off';

export interface RefreshedToken {
  accessToken: string;
  expiresAt: Date;
}

/**
 * Webhook fields an account is subscribed to, named as Meta names them for each login type.
 * - `instagram` (Instagram Login, `POST graph.instagram.com/me/subscribed_apps`): the messaging
 *   fields of Meta's "Instagram webhook fields and permissions" table. Echoes of the account's own
 *   messages come with `messages` (`is_echo`); `message_edit` events are not a field of that table,
 *   so it is not requested (an unknown field makes Meta refuse the whole subscription).
 * - `facebook` (Facebook Login, `POST graph.facebook.com/{page-id}/subscribed_apps`): Page
 *   webhook fields (`message_reads`, `messaging_referrals`, `message_edits`, ...); Meta refuses the
 *   Instagram names there. Which Instagram events reach the webhook is then decided by the Instagram
 *   fields the app subscribes to in the App Dashboard.
 */
export const WEBHOOK_FIELDS: Record<ConnectionType, readonly string[]> = {
  instagram: [
    'messages',
    'messaging_postbacks',
    'messaging_seen',
    'messaging_referral',
    'message_reactions',
  ],
  facebook: [
    'messages',
    'messaging_postbacks',
    'message_reads',
    'messaging_referrals',
    'message_reactions',
    'message_edits',
  ],
};
