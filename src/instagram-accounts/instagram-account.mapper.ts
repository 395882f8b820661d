import type { MetaMedia } from '../meta/meta.types';
import type { InstagramAccountResponseDto } from './dto/instagram-account-response.dto';
import type {
  InstagramMediaDto,
  InstagramProfileResponseDto,
} from './dto/instagram-profile-response.dto';
import type { InstagramAccountRecord } from './instagram-accounts.repository';
import type { AccountOwner } from './instagram-accounts.service';
import type { InstagramProfile } from './instagram-profile.service';

export function toInstagramAccountResponse(
  account: InstagramAccountRecord,
  owner?: AccountOwner,
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
    ...(owner ? { userInfo: { id: owner.id, name: owner.name, email: owner.email } } : {}),
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

export function toInstagramProfileResponse({
  profile,
  media,
}: InstagramProfile): InstagramProfileResponseDto {
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
