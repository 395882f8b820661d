import { ApiProperty } from '@nestjs/swagger';
import { MessageResponseDto } from './message-response.dto';

/**
 * An attachment sent with text. Instagram carries them as two messages; this
 * one object reads like a single message with a caption (`id`, `messageId`,
 * `timestamp` and `attachments` of the attachment, `text` of the text), and
 * `parts` holds both stored messages.
 */
export class CaptionedMessageResponseDto extends MessageResponseDto {
  @ApiProperty({
    type: [MessageResponseDto],
    minItems: 2,
    maxItems: 2,
    description:
      'The two stored messages in the order Meta received them: the attachment, then the text',
  })
  parts!: MessageResponseDto[];
}

/** What `POST /v1/messages/:conversationId` answers. */
export type SentMessageResponseDto = MessageResponseDto | CaptionedMessageResponseDto;
