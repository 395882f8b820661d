import type {
  CaptionedMessageResponseDto,
  SentMessageResponseDto,
} from './dto/sent-message-response.dto';
import { toMessageResponse } from './message.mapper';
import type { MessageRecord } from './messages.repository';
import type { SentMessage } from './messages.service';

/** One message as itself; an attachment with its text as one captioned message. */
export function toSentMessageResponse(sent: SentMessage): SentMessageResponseDto {
  return sent.length === 2
    ? toCaptionedMessageResponse(sent[0], sent[1])
    : toMessageResponse(sent[0]);
}

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
