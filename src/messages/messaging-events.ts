import type { MessageAttachment, MessageReplyTo } from './schemas/message.schema';

/** What a message carries, as stored. */
export interface MessageContent {
  text: string | null;
  attachments: MessageAttachment[];
  replyTo: MessageReplyTo | null;
  /** Postback, referral and quick-reply payloads. */
  metadata: Record<string, unknown>;
  /** Instagram could not render the message for the API. */
  unsupported: boolean;
}

interface EventBase {
  /** Meta id of the connected account the event is about (Instagram or Page id). */
  accountMetaId: string;
  /** Instagram-scoped id of the other person in the conversation. */
  participantId: string;
  /** Meta's timestamp of the event. */
  timestamp: Date;
}

/** A message to store: sent by the participant (`inbound`) or by the account (`outbound`, an echo). */
export interface MessageEvent extends EventBase {
  kind: 'message';
  direction: 'inbound' | 'outbound';
  messageId: string;
  content: MessageContent;
}

export interface MessageDeletedEvent extends EventBase {
  kind: 'message_deleted';
  messageId: string;
}

export interface ReactionEvent extends EventBase {
  kind: 'reaction';
  messageId: string;
  action: 'react' | 'unreact';
  reaction: string | null;
  emoji: string | null;
}

/** The participant has seen the account's messages up to `messageId`. */
export interface ReadEvent extends EventBase {
  kind: 'read';
  messageId: string;
}

/** One Instagram messaging webhook event, normalised. */
export type MessagingEvent = MessageEvent | MessageDeletedEvent | ReactionEvent | ReadEvent;
