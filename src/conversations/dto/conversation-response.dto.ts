import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CursorPageResponseDto } from '../../common/pagination/page-response.dto';

export class ConversationReferralDto {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'SHORTLINKS',
    description: '`SHORTLINKS` (ig.me link), `ADS`, ... as Meta sends it',
  })
  source!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'OPEN_THREAD' })
  type!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The `ref` parameter of the link or ad',
  })
  ref!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The ad’s id, for referrals from ads' })
  adId!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'Meta’s timestamp of the referral',
  })
  at!: Date;
}

export class ConversationResponseDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ description: 'Connected account id' })
  instagramAccount!: string;

  @ApiProperty({ description: 'Instagram-scoped id (IGSID) of the participant' })
  igUserId!: string;

  @ApiProperty({ type: String, nullable: true })
  igUsername!: string | null;

  @ApiProperty({ type: String, nullable: true })
  name!: string | null;

  @ApiProperty({ type: String, nullable: true })
  profilePictureUrl!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Newest message: text cut to 500 characters, or `[N attachment(s)]`',
  })
  lastMessage!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastMessageTimestamp!: Date | null;

  @ApiProperty({ description: 'Inbound messages not marked read' })
  unreadCount!: number;

  @ApiProperty({ description: 'False once the conversation was deleted (hidden)' })
  isActive!: boolean;

  @ApiProperty({
    description:
      'Whether a reply may be sent now: within 24 hours of the last inbound message or referral ' +
      '(7 days when HUMAN_AGENT replies are enabled)',
  })
  canReply!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  windowExpiresAt!: Date | null;

  @ApiPropertyOptional({
    type: ConversationReferralDto,
    description:
      'The newest ig.me link or ad the participant came from; only once they came through one',
  })
  referral?: ConversationReferralDto;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: Date;
}

export class ConversationListResponseDto extends CursorPageResponseDto {
  @ApiProperty({ type: [ConversationResponseDto] })
  conversations!: ConversationResponseDto[];
}
