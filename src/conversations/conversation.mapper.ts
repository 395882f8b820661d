import type { ConversationRecord } from './conversations.repository';
import type { ConversationPage } from './conversations.service';
import type {
  ConversationListResponseDto,
  ConversationResponseDto,
} from './dto/conversation-response.dto';
import { replyWindow } from './messaging-window';

export function toConversationResponse(
  conversation: ConversationRecord,
  humanAgentEnabled: boolean,
  now: Date,
): ConversationResponseDto {
  const window = replyWindow(conversation.lastInboundAt, humanAgentEnabled, now);
  return {
    id: String(conversation._id),
    instagramAccount: String(conversation.instagramAccount),
    igUserId: conversation.igUserId,
    igUsername: conversation.igUsername ?? null,
    name: conversation.name ?? null,
    profilePictureUrl: conversation.profilePictureUrl ?? null,
    lastMessage: conversation.lastMessage ?? null,
    lastMessageTimestamp: conversation.lastMessageTimestamp ?? null,
    unreadCount: conversation.unreadCount ?? 0,
    isActive: !conversation.hiddenAt,
    canReply: window.canReply,
    windowExpiresAt: window.windowExpiresAt,
    ...(conversation.referral
      ? {
          referral: {
            source: conversation.referral.source ?? null,
            type: conversation.referral.type ?? null,
            ref: conversation.referral.ref ?? null,
            adId: conversation.referral.adId ?? null,
            at: conversation.referral.at,
          },
        }
      : {}),
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
  };
}

export function toConversationListResponse(
  page: ConversationPage,
  humanAgentEnabled: boolean,
  now: Date,
): ConversationListResponseDto {
  return {
    ...page,
    conversations: page.conversations.map((c) => toConversationResponse(c, humanAgentEnabled, now)),
  };
}
