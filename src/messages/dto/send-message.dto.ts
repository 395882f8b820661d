import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { MAX_MESSAGE_TEXT_BYTES } from '../../meta/meta-graph.service';
import type { OutboundAttachmentType } from '../../meta/meta.types';

export const OUTBOUND_ATTACHMENT_TYPES: readonly OutboundAttachmentType[] = [
  'image',
  'video',
  'audio',
  'file',
];

/** At most `max` bytes once encoded as UTF-8 (Meta counts bytes, not characters). */
function MaxUtf8Bytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxUtf8Bytes',
      constraints: [max],
      validator: {
        validate: (value: unknown) =>
          typeof value !== 'string' || Buffer.byteLength(value, 'utf8') <= max,
        defaultMessage: () => `$property must be at most ${max} bytes in UTF-8`,
      },
    },
    options,
  );
}

export class OutboundAttachmentDto {
  @ApiProperty({ enum: OUTBOUND_ATTACHMENT_TYPES })
  @IsIn(OUTBOUND_ATTACHMENT_TYPES)
  type!: OutboundAttachmentType;

  @ApiProperty({
    example: 'https://cdn.example.com/photo.jpg',
    description: 'http(s) URL Meta can download',
  })
  @IsString()
  @MaxLength(2048)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url!: string;
}

/**
 * Text, one attachment, or both (the text then goes out as a second message
 * after the attachment), optionally as a reply.
 */
export class SendMessageDto {
  @ApiPropertyOptional({
    description:
      `At most ${MAX_MESSAGE_TEXT_BYTES} bytes in UTF-8. With \`attachment\`: its caption, ` +
      'sent as a second message right after it',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxUtf8Bytes(MAX_MESSAGE_TEXT_BYTES)
  text?: string;

  @ApiPropertyOptional({
    type: OutboundAttachmentDto,
    description: 'Sent before `text` when both are given',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => OutboundAttachmentDto)
  attachment?: OutboundAttachmentDto;

  @ApiPropertyOptional({
    description:
      'Meta id (mid) of the message answered; with text and attachment, the attachment replies',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  replyTo?: string;

  @ApiPropertyOptional({
    enum: ['HUMAN_AGENT'],
    description: 'Allows a reply up to 7 days after the last inbound message, when enabled',
  })
  @IsOptional()
  @IsIn(['HUMAN_AGENT'])
  tag?: 'HUMAN_AGENT';
}
