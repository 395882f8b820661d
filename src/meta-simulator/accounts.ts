import { randomBytes } from 'node:crypto';
import { type GraphContext, type Host, page } from './graph-context';
import { pick, pickLoose, requestedFields } from './graph-shapes';
import { graphTime, numericId, unsupportedRequest } from './simulator-http';
import type { MediaItem, SimAccount, SimulatorState, SimUser } from './state';
import { newToken } from './tokens';

/** Professional accounts and messaging users: creating them, their profiles and media. */

const PROFILE_FIELDS = [
  'id',
  'username',
  'name',
  'profile_picture_url',
  'followers_count',
  'follows_count',
  'media_count',
  'biography',
  'website',
];
/** IG User fields each host serves: `ig_id` on graph.facebook.com, `user_id` and `account_type` on graph.instagram.com. */
const ACCOUNT_FIELDS: Record<Host, Set<string>> = {
  graph: new Set([...PROFILE_FIELDS, 'ig_id']),
  instagram: new Set([...PROFILE_FIELDS, 'user_id', 'account_type']),
};
const PAGE_FIELDS = new Set(['id', 'name', 'instagram_business_account']);
const USER_FIELDS = new Set([
  'id',
  'name',
  'username',
  'profile_pic',
  'follower_count',
  'is_user_follow_business',
  'is_business_follow_user',
  'is_verified_user',
]);

export function createAccount(world: SimulatorState, input: Partial<SimAccount>): SimAccount {
  const instagramBusinessId = input.instagramBusinessId ?? world.freshId('178414', 17);
  const connectionType = input.connectionType ?? 'instagram';
  const account: SimAccount = {
    instagramBusinessId,
    pageId: input.pageId ?? (connectionType === 'facebook' ? world.freshId('10', 15) : undefined),
    connectionType,
    accessToken: input.accessToken ?? newToken(connectionType),
    username: input.username ?? `shop_${instagramBusinessId.slice(-6)}`,
    name: input.name ?? `Shop ${instagramBusinessId.slice(-6)}`,
    profilePictureUrl:
      input.profilePictureUrl ??
      `${world.url}/_simulator/assets/profile-${instagramBusinessId}.png`,
    followersCount: input.followersCount ?? 1280,
    followsCount: input.followsCount ?? 210,
    mediaCount: input.mediaCount ?? 12,
    biography: input.biography ?? 'Handmade goods, shipped worldwide.',
    website: input.website ?? 'https://shop.example.com',
    tokenExpired: input.tokenExpired ?? false,
    subscribedFields: input.subscribedFields ? [...input.subscribedFields] : [],
  };
  world.accounts.set(instagramBusinessId, account);
  world.appScopedIds.set(instagramBusinessId, world.freshId('7', 16));
  world.media.delete(instagramBusinessId);
  return account;
}

export function createUser(world: SimulatorState, input: Partial<SimUser>): SimUser {
  const igsid = input.igsid ?? world.freshId('6', 16);
  const user: SimUser = {
    igsid,
    username: input.username ?? `user_${igsid.slice(-6)}`,
    name: input.name ?? `User ${igsid.slice(-6)}`,
    profilePic: input.profilePic ?? `${world.url}/_simulator/assets/user-${igsid}.png`,
    followerCount: input.followerCount ?? 150,
    isUserFollowBusiness: input.isUserFollowBusiness ?? false,
    isBusinessFollowUser: input.isBusinessFollowUser ?? false,
    isVerifiedUser: input.isVerifiedUser ?? false,
  };
  world.users.set(igsid, user);
  return user;
}

/** Whether `id` names the token's own account: `me`, its IG id, its Page or its app-scoped id. */
export function ownsNode(ctx: GraphContext, id: string): boolean {
  const account = ctx.account;
  return (
    id === 'me' ||
    id === account.instagramBusinessId ||
    id === account.pageId ||
    id === ctx.world.appScopedIds.get(account.instagramBusinessId)
  );
}

/** `GET /{id}`: the token's own account (or Page), or a messaging user's profile. */
export function readNode(ctx: GraphContext, node: string): Record<string, unknown> {
  if (ownsNode(ctx, node)) return accountFields(ctx, node);
  const user = ctx.world.users.get(node);
  if (user) return userFields(ctx, user);
  throw unsupportedRequest(ctx.method, node);
}

/** `GET /{ig-user-id}/media`: the account's posts, newest first. */
export function listMedia(ctx: GraphContext): unknown {
  const fields = requestedFields(ctx.query, ['id']);
  const items = mediaOf(ctx.world, ctx.account).map((m) =>
    pickLoose(
      {
        id: m.id,
        caption: m.caption,
        media_type: m.mediaType,
        media_url: m.mediaUrl,
        ...(m.thumbnailUrl ? { thumbnail_url: m.thumbnailUrl } : {}),
        permalink: m.permalink,
        timestamp: graphTime(m.timestamp),
      },
      fields,
    ),
  );
  return page(ctx, items);
}

function accountFields(ctx: GraphContext, node: string): Record<string, unknown> {
  const account = ctx.account;
  if (ctx.host === 'graph' && (node === 'me' || node === account.pageId)) {
    const pageNode = {
      id: account.pageId ?? account.instagramBusinessId,
      name: account.name,
      instagram_business_account: { id: account.instagramBusinessId },
    };
    return pick(pageNode, requestedFields(ctx.query, ['id', 'name']), PAGE_FIELDS, 'Page');
  }
  const all: Record<string, unknown> = {
    id:
      ctx.host === 'instagram'
        ? ctx.world.appScopedIds.get(account.instagramBusinessId)
        : account.instagramBusinessId,
    ig_id: Number(account.instagramBusinessId.slice(-10)),
    user_id: account.instagramBusinessId,
    username: account.username,
    name: account.name,
    account_type: 'BUSINESS',
    profile_picture_url: account.profilePictureUrl,
    followers_count: account.followersCount,
    follows_count: account.followsCount,
    media_count: account.mediaCount,
    biography: account.biography,
    website: account.website,
  };
  const fields = requestedFields(ctx.query, ['id', 'username']);
  return pick(all, fields, ACCOUNT_FIELDS[ctx.host], 'IGUser');
}

function userFields(ctx: GraphContext, user: SimUser): Record<string, unknown> {
  const all = {
    id: user.igsid,
    name: user.name,
    username: user.username,
    profile_pic: user.profilePic,
    follower_count: user.followerCount,
    is_user_follow_business: user.isUserFollowBusiness,
    is_business_follow_user: user.isBusinessFollowUser,
    is_verified_user: user.isVerifiedUser,
  };
  return pick(all, requestedFields(ctx.query, ['id', 'name', 'username']), USER_FIELDS, 'User');
}

/** The account's media, generated once: up to 50 posts a day apart, every fourth a video. */
function mediaOf(world: SimulatorState, account: SimAccount): MediaItem[] {
  const existing = world.media.get(account.instagramBusinessId);
  if (existing) return existing;
  const count = Math.min(account.mediaCount, 50);
  const newest = Date.now();
  const items = Array.from({ length: count }, (_, i): MediaItem => {
    const id = numericId('179', 17);
    const isVideo = i % 4 === 3;
    return {
      id,
      caption: `Post ${count - i} from @${account.username}`,
      mediaType: isVideo ? 'VIDEO' : i % 4 === 2 ? 'CAROUSEL_ALBUM' : 'IMAGE',
      mediaUrl: `${world.url}/_simulator/assets/media-${id}.${isVideo ? 'mp4' : 'png'}`,
      thumbnailUrl: isVideo ? `${world.url}/_simulator/assets/thumb-${id}.png` : undefined,
      permalink: `https://www.instagram.com/p/${randomBytes(8).toString('base64url')}/`,
      timestamp: new Date(newest - i * 86_400_000),
    };
  });
  world.media.set(account.instagramBusinessId, items);
  return items;
}
