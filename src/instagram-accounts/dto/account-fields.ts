import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, MaxLength, Min } from 'class-validator';

const MAX_TOKEN_LENGTH = 4096;
const MAX_URL_LENGTH = 2048;
const MAX_USERNAME_LENGTH = 100;

/** An optional Meta access token; never shown in responses. */
export function AccessTokenField(description: string) {
  return applyDecorators(
    ApiPropertyOptional({ description, writeOnly: true }),
    IsOptional(),
    IsString(),
    IsNotEmpty(),
    MaxLength(MAX_TOKEN_LENGTH),
  );
}

/** An optional Instagram username. */
export function UsernameField(doc: ApiPropertyOptions = {}) {
  return applyDecorators(
    ApiPropertyOptional(doc),
    IsOptional(),
    IsString(),
    IsNotEmpty(),
    MaxLength(MAX_USERNAME_LENGTH),
  );
}

/** An optional http(s) URL of a profile picture. */
export function ProfilePictureUrlField(doc: ApiPropertyOptions = {}) {
  return applyDecorators(
    ApiPropertyOptional(doc),
    IsOptional(),
    IsUrl({ protocols: ['http', 'https'], require_protocol: true }),
    MaxLength(MAX_URL_LENGTH),
  );
}

/** An optional follower count, zero or more. */
export function FollowersCountField(doc: ApiPropertyOptions = {}) {
  return applyDecorators(ApiPropertyOptional(doc), IsOptional(), IsInt(), Min(0));
}
