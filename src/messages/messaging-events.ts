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

/** Meta's `referral` object: the ig.me link or ad the participant came from. */
export interface Referral {
  /** `SHORTLINK` (ig.me link), `ADS`, ... */
  source: string | null;
  /** `OPEN_THREAD`. */
  type: string | null;
  /** The `ref` parameter of the link or the ad. */
  ref: string | null;
  /** The ad's id, for referrals from ads. */
  adId: string | null;
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
  /** The link or ad the message was sent from (ig.me link on a new thread, click-to-message ad). */
  referral?: Referral;
}

export interface MessageDeletedEvent extends EventBase {
  kind: 'message_deleted';
  messageId: string;
}

/** The sender edited a message: `text` replaces the stored text. */
export interface MessageEditEvent extends EventBase {
  kind: 'message_edit';
  messageId: string;
  text: string;
  /** Meta's `num_edit`: how many times the message has been edited, null when Meta left it out. */
  editCount: number | null;
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

/** The participant opened the existing conversation from an ig.me link or an ad, without writing. */
export interface ReferralEvent extends EventBase {
  kind: 'referral';
  /** Identity of the referral event (it names no message). */
  messageId: string;
  referral: Referral;
}

/** One Instagram messaging webhook event, normalised. */
export type MessagingEvent =
  MessageEvent | MessageDeletedEvent | MessageEditEvent | ReactionEvent | ReadEvent | ReferralEvent;
