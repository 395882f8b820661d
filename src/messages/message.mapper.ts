import type {
  MessageListResponseDto,
  MessageReactionDto,
  MessageResponseDto,
} from './dto/message-response.dto';
import type {
  CaptionedMessageResponseDto,
  SentMessageResponseDto,
} from './dto/sent-message-response.dto';
import type { MessageRecord } from './messages.repository';
import type { MessagePage, SentMessage } from './messages.service';
import { LOCAL_MESSAGE_ID_PREFIX, type StoredReaction } from './schemas/message.schema';

function toReactions(reactions: Record<string, StoredReaction> | undefined): MessageReactionDto[] {
  return Object.entries(reactions ?? {})
    .filter(([, r]) => r.reaction !== null)
    .map(([userId, r]) => ({
      userId,
      reaction: r.reaction as string,
      emoji: r.emoji ?? null,
      at: r.at,
    }))
    .sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
}

export function toMessageResponse(message: MessageRecord): MessageResponseDto {
  return {
    id: String(message._id),
    conversation: String(message.conversation),
    instagramAccount: String(message.instagramAccount),
    messageId: message.messageId.startsWith(LOCAL_MESSAGE_ID_PREFIX) ? null : message.messageId,
    sender: message.sender,
    senderId: message.senderId,
    text: message.text ?? null,
    attachments: (message.attachments ?? []).map((a) => ({
      type: a.type,
      url: a.url ?? null,
      ...(a.mediaId ? { mediaId: a.mediaId } : {}),
      ...(a.title ? { title: a.title } : {}),
    })),
    timestamp: message.timestamp,
    isRead: message.isRead ?? false,
    status: message.status,
    error: message.error
      ? {
          code: message.error.code ?? null,
          subcode: message.error.subcode ?? null,
          message: message.error.message,
        }
      : null,
    replyTo: message.replyTo ?? null,
    reactions: toReactions(message.reactions),
    isDeleted: message.isDeleted ?? false,
    ...(message.editedAt ? { editedAt: message.editedAt, editCount: message.editCount ?? 1 } : {}),
    metadata: message.metadata ?? {},
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
  };
}

export function toMessageListResponse(page: MessagePage): MessageListResponseDto {
  return { ...page, messages: page.messages.map(toMessageResponse) };
}

/** One message as itself; an attachment with its text as one captioned message. */
export function toSentMessageResponse(sent: SentMessage): SentMessageResponseDto {
  return sent.length === 2
    ? toCaptionedMessageResponse(sent[0], sent[1])
    : toMessageResponse(sent[0]);
}

/** The attachment and the text sent after it, as one message with a caption plus both parts. */
function toCaptionedMessageResponse(
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
