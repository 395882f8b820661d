import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';

const META_ID_PATTERN = /^\d{1,32}$/;
export const MAX_TOKEN_LENGTH = 4096;
export const MAX_URL_LENGTH = 2048;

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

  @ApiPropertyOptional({ description: 'Page access token (Facebook Login)', writeOnly: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TOKEN_LENGTH)
  pageAccessToken?: string;

  @ApiPropertyOptional({
    description: 'Long-lived Instagram user access token (Instagram Login)',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TOKEN_LENGTH)
  accessToken?: string;

  @ApiPropertyOptional({ description: 'Used only when Meta does not return one (Facebook Login)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  username?: string;

  @ApiPropertyOptional({ description: 'Used only when Meta does not return one (Facebook Login)' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(MAX_URL_LENGTH)
  profilePictureUrl?: string;

  @ApiPropertyOptional({ description: 'Used only when Meta does not return one (Facebook Login)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  followersCount?: number;
}
