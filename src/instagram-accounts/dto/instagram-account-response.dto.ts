import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class InstagramAccountOwnerDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  email!: string;
}

/** A connected account as the API shows it; never the token. */
export class InstagramAccountResponseDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ description: 'Owner user id' })
  user!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Facebook Page id (Facebook Login)' })
  pageId!: string | null;

  @ApiProperty()
  instagramBusinessId!: string;

  @ApiProperty({ enum: ['facebook', 'instagram'] })
  connectionType!: 'facebook' | 'instagram';

  @ApiProperty()
  username!: string;

  @ApiProperty({ type: String, nullable: true })
  profilePictureUrl!: string | null;

  @ApiProperty()
  followersCount!: number;

  @ApiProperty()
  isActive!: boolean;

  @ApiProperty({ description: 'Meta refused the token: reconnect the account' })
  reconnectRequired!: boolean;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Instagram Login tokens only',
  })
  tokenExpiresAt!: Date | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: Date;

  @ApiProperty({ description: 'Whether Meta delivers this account’s messages to our webhook' })
  webhookSubscribed!: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Why Meta refused the webhook subscription (Meta’s message), when `webhookSubscribed` is false ' +
      'because of a refusal; null otherwise',
    example: '(#100) Param subscribed_fields[2] must be one of {...} - got "messaging_seen"',
  })
  webhookSubscriptionError!: string | null;

  @ApiPropertyOptional({ type: InstagramAccountOwnerDto, description: 'Admins only, in lists' })
  userInfo?: InstagramAccountOwnerDto;
}
