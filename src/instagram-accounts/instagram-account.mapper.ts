import type { MetaAccountProfile, MetaMedia } from '../meta/meta.types';
import type {
  InstagramAccountOwnerDto,
  InstagramAccountResponseDto,
} from './dto/instagram-account-response.dto';
import type {
  InstagramMediaDto,
  InstagramProfileResponseDto,
} from './dto/instagram-profile-response.dto';
import type { InstagramAccountRecord } from './instagram-accounts.repository';

export function toInstagramAccountResponse(
  account: InstagramAccountRecord,
  userInfo?: InstagramAccountOwnerDto,
): InstagramAccountResponseDto {
  return {
    id: String(account._id),
    user: String(account.user),
    pageId: account.pageId ?? null,
    instagramBusinessId: account.instagramBusinessId,
    connectionType: account.connectionType,
    username: account.username,
    profilePictureUrl: account.profilePictureUrl ?? null,
    followersCount: account.followersCount ?? 0,
    isActive: account.isActive,
    reconnectRequired: account.reconnectRequired,
    tokenExpiresAt: account.tokenExpiresAt ?? null,
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
    webhookSubscribed: account.webhookSubscribed,
    webhookSubscriptionError: account.webhookSubscriptionError ?? null,
    ...(userInfo ? { userInfo } : {}),
  };
}

function toMedia(media: MetaMedia): InstagramMediaDto {
  return {
    id: media.id,
    caption: media.caption ?? null,
    media_type: media.mediaType ?? null,
    media_url: media.mediaUrl ?? null,
    thumbnail_url: media.thumbnailUrl ?? null,
    permalink: media.permalink ?? null,
    timestamp: media.timestamp ?? null,
  };
}

export function toInstagramProfileResponse(
  profile: MetaAccountProfile,
  media: MetaMedia[],
): InstagramProfileResponseDto {
  return {
    username: profile.username,
    name: profile.name ?? null,
    biography: profile.biography ?? null,
    website: profile.website ?? null,
    profilePictureUrl: profile.profilePictureUrl ?? null,
    followersCount: profile.followersCount ?? null,
    mediaCount: profile.mediaCount ?? null,
    media: media.map(toMedia),
  };
}
