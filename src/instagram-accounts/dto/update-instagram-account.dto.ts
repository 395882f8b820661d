import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import {
  AccessTokenField,
  FollowersCountField,
  ProfilePictureUrlField,
  UsernameField,
} from './account-fields';

export class UpdateInstagramAccountDto {
  @UsernameField()
  username?: string;

  @ProfilePictureUrlField()
  profilePictureUrl?: string;

  @FollowersCountField({ minimum: 0 })
  followersCount?: number;

  @ApiPropertyOptional({ description: 'Inactive accounts keep their data but are not served' })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;

  @AccessTokenField(
    'A new token for the same Instagram account (verified with Meta); clears reconnectRequired',
  )
  accessToken?: string;
}
