import type { CaptionedMessageResponseDto } from './dto/sent-message-response.dto';
import { toMessageResponse } from './message.mapper';
import type { MessageRecord } from './messages.repository';

/** The attachment and the text sent after it, as one message with a caption plus both parts. */
export function toCaptionedMessageResponse(
  attachment: MessageRecord,
  text: MessageRecord,
): CaptionedMessageResponseDto {
  const parts = [toMessageResponse(attachment), toMessageResponse(text)];
  return {
    ...parts[0],
    text: parts[1].text,
    status: parts.every((part) => part.status === 'sent') ? 'sent' : 'pending',
    parts,
  };
}
