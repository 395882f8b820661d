import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { ValidationError } from '../../common/errors';
import {
  AccessTokenField,
  FollowersCountField,
  ProfilePictureUrlField,
  UsernameField,
} from './account-fields';

const META_ID_PATTERN = /^\d{1,32}$/;
const FALLBACK_DESCRIPTION = 'Used only when Meta does not return one (Facebook Login)';

/**
 * Either a Facebook Login connection (`pageId`, `instagramBusinessId`,
 * `pageAccessToken`) or an Instagram Login connection (`accessToken`, optionally
 * `instagramBusinessId` to pin the expected account). Exactly one shape.
 */
export class ConnectInstagramAccountDto {
  @ApiPropertyOptional({
    description: 'Facebook Page id (Facebook Login)',
    example: '104857600000001',
  })
  @IsOptional()
  @IsString()
  @Matches(META_ID_PATTERN, { message: 'pageId must be a numeric Meta id' })
  pageId?: string;

  @ApiPropertyOptional({
    description:
      'Instagram professional account id: required with Facebook Login; with Instagram Login it must match the token',
    example: '17841400000000001',
  })
  @IsOptional()
  @IsString()
  @Matches(META_ID_PATTERN, { message: 'instagramBusinessId must be a numeric Meta id' })
  instagramBusinessId?: string;

  @AccessTokenField('Page access token (Facebook Login)')
  pageAccessToken?: string;

  @AccessTokenField('Long-lived Instagram user access token (Instagram Login)')
  accessToken?: string;

  @UsernameField({ description: FALLBACK_DESCRIPTION })
  username?: string;

  @ProfilePictureUrlField({ description: FALLBACK_DESCRIPTION })
  profilePictureUrl?: string;

  @FollowersCountField({ description: FALLBACK_DESCRIPTION })
  followersCount?: number;
}

/** Facebook Login: a Page token, with the Page and the Instagram account it reaches. */
export interface FacebookLoginRequest {
  connectionType: 'facebook';
  accessToken: string;
  pageId: string;
  instagramBusinessId: string;
  /** Values used where Meta's profile has none. */
  fallback: { username?: string; profilePictureUrl?: string; followersCount?: number };
}

/** Instagram Login: an Instagram user token, optionally pinned to the account expected. */
export interface InstagramLoginRequest {
  connectionType: 'instagram';
  accessToken: string;
  instagramBusinessId?: string;
}

export type ConnectRequest = FacebookLoginRequest | InstagramLoginRequest;

/** Exactly one of the two tokens: `field` names the one at fault. */
function tokenShapeError(field: string, message: string): ValidationError {
  return new ValidationError(
    'Send either pageAccessToken with pageId and instagramBusinessId (Facebook Login) or accessToken (Instagram Login)',
    [{ field, messages: [message] }],
  );
}

function facebookLogin(dto: ConnectInstagramAccountDto, token: string): FacebookLoginRequest {
  const { pageId, instagramBusinessId } = dto;
  if (pageId === undefined || instagramBusinessId === undefined) {
    const missing = (['pageId', 'instagramBusinessId'] as const).filter(
      (field) => dto[field] === undefined,
    );
    throw new ValidationError(
      'Facebook Login needs pageId and instagramBusinessId',
      missing.map((field) => ({ field, messages: [`${field} is required with pageAccessToken`] })),
    );
  }
  return {
    connectionType: 'facebook',
    accessToken: token,
    pageId,
    instagramBusinessId,
    fallback: {
      username: dto.username,
      profilePictureUrl: dto.profilePictureUrl,
      followersCount: dto.followersCount,
    },
  };
}

function instagramLogin(dto: ConnectInstagramAccountDto, token: string): InstagramLoginRequest {
  const foreign = (['pageId', 'username', 'profilePictureUrl', 'followersCount'] as const).filter(
    (field) => dto[field] !== undefined,
  );
  if (foreign.length > 0) {
    throw new ValidationError(
      'Instagram Login takes accessToken and optionally instagramBusinessId only',
      foreign.map((field) => ({ field, messages: [`${field} is not accepted with accessToken`] })),
    );
  }
  return {
    connectionType: 'instagram',
    accessToken: token,
    ...(dto.instagramBusinessId !== undefined
      ? { instagramBusinessId: dto.instagramBusinessId }
      : {}),
  };
}

/**
 * The connection a validated body asks for. The validation pipe checks each
 * field; which fields go together (exactly one token, the fields each login
 * takes) is checked here, naming every field at fault.
 */
export function toConnectRequest(dto: ConnectInstagramAccountDto): ConnectRequest {
  if (dto.pageAccessToken !== undefined) {
    if (dto.accessToken !== undefined) {
      throw tokenShapeError('accessToken', 'exactly one token is accepted');
    }
    return facebookLogin(dto, dto.pageAccessToken);
  }
  if (dto.accessToken === undefined)
    throw tokenShapeError('pageAccessToken', 'a token is required');
  return instagramLogin(dto, dto.accessToken);
}
