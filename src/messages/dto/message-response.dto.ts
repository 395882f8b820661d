import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MESSAGE_SENDERS, MESSAGE_STATUSES } from '../schemas/message.schema';
import type { MessageSender, MessageStatus } from '../schemas/message.schema';
import { CursorPageResponseDto } from '../../common/pagination/page-response.dto';

export class MessageAttachmentDto {
  @ApiProperty({
    example: 'image',
    description:
      'image, video, audio, file, ig_post, share, ig_reel, ig_story, story_mention, sticker, ...',
  })
  type!: string;

  @ApiProperty({ type: String, nullable: true })
  url!: string | null;

  @ApiPropertyOptional({
    description:
      'Instagram media id of a shared post (`ig_post`), reel (`ig_reel`) or story (`ig_story`), when Meta sends it',
  })
  mediaId?: string;

  @ApiPropertyOptional({ description: 'Caption of a shared post or reel, when Meta sends it' })
  title?: string;
}

export class MessageErrorDto {
  @ApiProperty({ type: Number, nullable: true, description: 'Meta error code' })
  code!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Meta error subcode' })
  subcode!: number | null;

  @ApiProperty()
  message!: string;
}

export class StoryReferenceDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ type: String, nullable: true })
  url!: string | null;

  @ApiPropertyOptional({
    description:
      'Instagram media id of a shared post (`ig_post`), reel (`ig_reel`) or story (`ig_story`), when Meta sends it',
  })
  mediaId?: string;

  @ApiPropertyOptional({ description: 'Caption of a shared post or reel, when Meta sends it' })
  title?: string;
}

export class MessageReplyToDto {
  @ApiPropertyOptional({ description: 'Message replied to' })
  mid?: string;

  @ApiPropertyOptional({ type: StoryReferenceDto, description: 'Story replied to' })
  story?: StoryReferenceDto;
}

export class MessageReactionDto {
  @ApiProperty({ description: 'Instagram id of the person who reacted' })
  userId!: string;

  @ApiProperty({ example: 'love' })
  reaction!: string;

  @ApiProperty({ type: String, nullable: true, example: '\u2764\uFE0F' })
  emoji!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  at!: Date;
}

export class MessageResponseDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  conversation!: string;

  @ApiProperty()
  instagramAccount!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Meta message id; null while pending or when Meta refused the message',
  })
  messageId!: string | null;

  @ApiProperty({
    enum: MESSAGE_SENDERS,
    description: '`user`: the participant; `page`: the account',
  })
  sender!: MessageSender;

  @ApiProperty()
  senderId!: string;

  @ApiProperty({ type: String, nullable: true })
  text!: string | null;

  @ApiProperty({ type: [MessageAttachmentDto] })
  attachments!: MessageAttachmentDto[];

  @ApiProperty({ type: String, format: 'date-time' })
  timestamp!: Date;

  @ApiProperty({ description: 'Inbound: read by the account; outbound: seen by the participant' })
  isRead!: boolean;

  @ApiProperty({ enum: MESSAGE_STATUSES })
  status!: MessageStatus;

  @ApiProperty({ type: MessageErrorDto, nullable: true })
  error!: MessageErrorDto | null;

  @ApiProperty({ type: MessageReplyToDto, nullable: true })
  replyTo!: MessageReplyToDto | null;

  @ApiProperty({ type: [MessageReactionDto] })
  reactions!: MessageReactionDto[];

  @ApiProperty({ description: 'The participant unsent it: text and attachments are removed' })
  isDeleted!: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'When the text was last edited (Meta’s timestamp); only on edited messages',
  })
  editedAt?: Date;

  @ApiPropertyOptional({
    description: 'How many times the text was edited; only on edited messages',
    example: 1,
  })
  editCount?: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Postback, referral and quick-reply payloads; the tag a message was sent with',
  })
  metadata!: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: Date;
}

export class MessageListResponseDto extends CursorPageResponseDto {
  @ApiProperty({ type: [MessageResponseDto] })
  messages!: MessageResponseDto[];
}
