import { isRecord } from '../common/utils/is-record';
import { MetaApiError } from './meta-api.error';
import type {
  MetaAccountProfile,
  MetaMedia,
  MetaUserProfile,
  RefreshedToken,
  SendMessageResult,
} from './meta.types';

/** Pure conversions from Graph API response bodies to the types in `meta.types.ts`. */

type Json = Record<string, unknown>;

function unexpected(what: string): MetaApiError {
  return new MetaApiError({
    kind: 'unknown',
    message: `Unexpected response from Meta API: ${what}`,
    retryable: false,
  });
}

function asRecord(value: unknown, what: string): Json {
  if (!isRecord(value)) throw unexpected(`${what} is not an object`);
  return value;
}

/** Graph ids arrive as strings, occasionally as numbers. */
function id(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function requireId(body: Json, field: string): string {
  const value = id(body[field]);
  if (value === undefined) throw unexpected(`missing ${field}`);
  return value;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** `{ data: [...] }` edges; a missing edge is an empty list. */
function edge(value: unknown): Json[] {
  if (Array.isArray(value)) return value.filter(isRecord);
  if (isRecord(value) && Array.isArray(value.data)) return value.data.filter(isRecord);
  return [];
}

export function toAccountProfile(raw: unknown, idField: 'id' | 'user_id'): MetaAccountProfile {
  const body = asRecord(raw, 'profile');
  return {
    id: requireId(body, idField),
    username: str(body.username) ?? '',
    name: str(body.name),
    profilePictureUrl: str(body.profile_picture_url),
    followersCount: num(body.followers_count),
    followsCount: num(body.follows_count),
    mediaCount: num(body.media_count),
    biography: str(body.biography),
    website: str(body.website),
  };
}

export function toMediaList(raw: unknown): MetaMedia[] {
  return edge(asRecord(raw, 'media list')).map((item) => ({
    id: requireId(item, 'id'),
    caption: str(item.caption),
    mediaType: str(item.media_type),
    mediaUrl: str(item.media_url),
    thumbnailUrl: str(item.thumbnail_url),
    permalink: str(item.permalink),
    timestamp: str(item.timestamp),
  }));
}

export function toUserProfile(raw: unknown, igsid: string): MetaUserProfile {
  const body = asRecord(raw, 'user profile');
  return {
    id: id(body.id) ?? igsid,
    name: str(body.name),
    username: str(body.username),
    profilePic: str(body.profile_pic),
    followerCount: num(body.follower_count),
    isUserFollowBusiness: bool(body.is_user_follow_business),
    isBusinessFollowUser: bool(body.is_business_follow_user),
    isVerifiedUser: bool(body.is_verified_user),
  };
}

export function toSendResult(raw: unknown, recipientId: string): SendMessageResult {
  const body = asRecord(raw, 'send result');
  return {
    recipientId: id(body.recipient_id) ?? recipientId,
    messageId: requireId(body, 'message_id'),
  };
}

export function toRefreshedToken(raw: unknown, now: number): RefreshedToken {
  const body = asRecord(raw, 'token refresh');
  const accessToken = str(body.access_token);
  const expiresIn = num(body.expires_in);
  if (!accessToken) throw unexpected('missing access_token');
  if (expiresIn === undefined) throw unexpected('missing expires_in');
  return { accessToken, expiresAt: new Date(now + expiresIn * 1000) };
}

export function requireSuccess(raw: unknown): void {
  if (!isRecord(raw) || raw.success !== true) throw unexpected('success was not true');
}
