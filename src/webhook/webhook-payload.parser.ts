import { createHash } from 'node:crypto';
import { isRecord } from '../common/utils/is-record';
import type { MessageContent, MessagingEvent, Referral } from '../messages/messaging-events';
import type { MessageAttachment, MessageReplyTo } from '../messages/schemas/message.schema';
import type { InboxKind } from './schemas/webhook-inbox-entry.schema';

/**
 * Pure translation of Meta's Instagram webhook payloads: splitting a delivery
 * into inbox entries (one per update, with its dedupe key) and turning a
 * stored update into a {@link MessagingEvent}.
 */

/** An update as stored in the inbox, exactly as Meta sent it. */
export interface StoredUpdate {
  object: string;
  entryId: string;
  entryTime: number | null;
  field: 'messaging' | 'standby' | 'changes';
  event: unknown;
}

export interface InboxDraft {
  dedupeKey: string;
  kind: InboxKind;
  accountMetaId: string | null;
  /** The conversation of a processable update (see {@link conversationKeyOf}). */
  conversationKey: string | null;
  /** Meta's timestamp of a processable update. */
  eventAt: Date | null;
  payload: string;
  /** Set for updates that are kept but not processed. */
  ignoredReason?: string;
}

export type ParsedUpdate =
  | { kind: InboxKind; event: MessagingEvent; dedupeIdentity: string }
  | { kind: InboxKind; event: null; reason: string; dedupeIdentity: string };

export class MalformedWebhookError extends Error {}

const MESSAGING_FIELDS = ['messaging', 'standby'] as const;
const ID_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A Meta id, sent as a string or a number. A number beyond 2^53 lost digits
 * when the JSON was parsed, so it is not taken for an id.
 */
function asId(value: unknown): string | null {
  const id = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  return typeof id === 'string' && ID_PATTERN.test(id) ? id : null;
}

function idOf(value: unknown): string | null {
  return asId(isRecord(value) ? value.id : undefined);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Meta's millisecond timestamp (seconds are accepted too); the fallback when absent. */
function toDate(value: unknown, fallback: number): Date {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return new Date(fallback);
  return new Date(n < 100_000_000_000 ? n * 1000 : n);
}

/**
 * A copy safe to store in MongoDB: key dots and leading dollars replaced,
 * arrays directly inside arrays wrapped in `{ items }`.
 */
export function storable(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => (Array.isArray(item) ? { items: storable(item) } : storable(item)));
  }
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key.replace(/\./g, '_').replace(/^\$/, '_'),
        storable(inner),
      ]),
    );
  }
  return value;
}

/** Splits a delivery into inbox drafts; throws {@link MalformedWebhookError} when it is not a webhook body. */
export function draftsFromWebhook(
  body: unknown,
  now: number,
): { object: string; drafts: InboxDraft[] } {
  if (!isRecord(body) || typeof body.object !== 'string' || !Array.isArray(body.entry)) {
    throw new MalformedWebhookError('A webhook body has an `object` and an `entry` array');
  }
  const object = body.object;
  if (object !== 'instagram') return { object, drafts: [] };
  const drafts: InboxDraft[] = [];
  for (const entry of body.entry) {
    if (!isRecord(entry)) continue;
    const entryId = idOf(entry) ?? 'unknown';
    const entryTime = typeof entry.time === 'number' ? entry.time : null;
    for (const field of MESSAGING_FIELDS) {
      const events = entry[field];
      if (!Array.isArray(events)) continue;
      for (const event of events) {
        const update: StoredUpdate = { object, entryId, entryTime, field, event: storable(event) };
        const parsed = parseUpdate(update, now);
        drafts.push({
          dedupeKey: sha256(parsed.dedupeIdentity),
          kind: parsed.kind,
          accountMetaId: parsed.event?.accountMetaId ?? (entryId === 'unknown' ? null : entryId),
          conversationKey: parsed.event ? conversationKeyOf(parsed.event) : null,
          eventAt: parsed.event?.timestamp ?? null,
          payload: JSON.stringify(update),
          ...(parsed.event ? {} : { ignoredReason: parsed.reason }),
        });
      }
    }
    if (Array.isArray(entry.changes)) {
      for (const change of entry.changes) {
        const update: StoredUpdate = {
          object,
          entryId,
          entryTime,
          field: 'changes',
          event: storable(change),
        };
        drafts.push({
          dedupeKey: sha256(`${entryId}|change|${JSON.stringify(change)}`),
          kind: 'change',
          accountMetaId: entryId === 'unknown' ? null : entryId,
          conversationKey: null,
          eventAt: null,
          payload: JSON.stringify(update),
          ignoredReason: 'Changes (comments, mentions) are not processed',
        });
      }
    }
  }
  return { object, drafts };
}

/** The conversation an event belongs to: `<account Meta id>|<participant id>`. */
export function conversationKeyOf(event: MessagingEvent): string {
  return `${event.accountMetaId}|${event.participantId}`;
}

/** The account Meta id and participant id of a conversation key. */
export function parseConversationKey(key: string): {
  accountMetaId: string;
  participantId: string;
} {
  const [accountMetaId = '', participantId = ''] = key.split('|');
  return { accountMetaId, participantId };
}

/** Parses a stored inbox payload back into its event. */
export function parseStoredPayload(payload: string, now: number): ParsedUpdate {
  return parseUpdate(JSON.parse(payload) as StoredUpdate, now);
}

/**
 * Identity (before hashing) of the inbox entry of a message, echo or postback
 * with this mid; {@link messageEntryKeys} finds the entry of a message by it.
 */
function messageIdentity(accountMetaId: string, kind: InboxKind, mid: string): string {
  return `${accountMetaId}|${kind}|${mid}`;
}

/** Dedupe keys the inbox entry of the message `mid` has when any of these account ids received it. */
export function messageEntryKeys(accountMetaIds: string[], mid: string): string[] {
  const kinds: InboxKind[] = ['message', 'echo', 'postback'];
  return [...new Set(accountMetaIds)].flatMap((id) =>
    kinds.map((kind) => sha256(messageIdentity(id, kind, mid))),
  );
}

function unrecognized(update: StoredUpdate, reason: string): ParsedUpdate {
  return {
    kind: 'unrecognized',
    event: null,
    reason,
    dedupeIdentity: `${update.entryId}|unrecognized|${JSON.stringify(update.event)}`,
  };
}

export function parseUpdate(update: StoredUpdate, now: number): ParsedUpdate {
  const raw = update.event;
  if (!isRecord(raw)) return unrecognized(update, 'The event is not an object');
  const senderId = idOf(raw.sender);
  const recipientId = idOf(raw.recipient);
  if (!senderId || !recipientId)
    return unrecognized(update, 'The event has no sender or recipient');
  const timestamp = toDate(raw.timestamp, update.entryTime ?? now);
  const inboundBase = { accountMetaId: recipientId, participantId: senderId, timestamp };

  if (isRecord(raw.message))
    return parseMessage(update, raw.message, senderId, recipientId, timestamp);

  if (isRecord(raw.reaction)) {
    const mid = stringOrNull(raw.reaction.mid);
    const action = raw.reaction.action;
    if (!mid || (action !== 'react' && action !== 'unreact')) {
      return unrecognized(update, 'The reaction has no mid or action');
    }
    const reaction = stringOrNull(raw.reaction.reaction);
    return {
      kind: 'reaction',
      event: {
        kind: 'reaction',
        ...inboundBase,
        messageId: mid,
        action,
        reaction,
        emoji: stringOrNull(raw.reaction.emoji),
      },
      dedupeIdentity: `${recipientId}|reaction|${senderId}|${mid}|${action}|${reaction ?? ''}|${timestamp.getTime()}`,
    };
  }

  if (isRecord(raw.read)) {
    const mid = stringOrNull(raw.read.mid);
    if (!mid) return unrecognized(update, 'The read receipt has no mid');
    return {
      kind: 'read',
      event: { kind: 'read', ...inboundBase, messageId: mid },
      dedupeIdentity: `${recipientId}|read|${senderId}|${mid}`,
    };
  }

  if (isRecord(raw.postback)) {
    const title = stringOrNull(raw.postback.title);
    const payload = stringOrNull(raw.postback.payload);
    const mid =
      stringOrNull(raw.postback.mid) ??
      `postback:${sha256(`${senderId}|${timestamp.getTime()}|${payload ?? ''}`).slice(0, 32)}`;
    const referral = toReferral(raw.postback.referral);
    return {
      kind: 'postback',
      event: {
        kind: 'message',
        direction: 'inbound',
        ...inboundBase,
        messageId: mid,
        content: {
          text: title,
          attachments: [],
          replyTo: null,
          metadata: { postback: { title, payload } },
          unsupported: false,
        },
        ...(referral ? { referral } : {}),
      },
      dedupeIdentity: messageIdentity(recipientId, 'postback', mid),
    };
  }

  if (isRecord(raw.message_edit))
    return parseEdit(update, raw.message_edit, senderId, recipientId, timestamp);

  if (isRecord(raw.referral)) {
    // A referral without a message: the participant opened the conversation
    // through an ig.me link or an ad. It is recorded on the conversation.
    const identity = `${recipientId}|referral|${senderId}|${timestamp.getTime()}|${JSON.stringify(raw.referral)}`;
    return {
      kind: 'referral',
      event: {
        kind: 'referral',
        ...inboundBase,
        messageId: `referral:${sha256(identity).slice(0, 32)}`,
        referral: toReferral(raw.referral) ?? EMPTY_REFERRAL,
      },
      dedupeIdentity: identity,
    };
  }

  return unrecognized(update, 'Unsupported messaging event');
}

function parseMessage(
  update: StoredUpdate,
  message: Record<string, unknown>,
  senderId: string,
  recipientId: string,
  timestamp: Date,
): ParsedUpdate {
  const mid = stringOrNull(message.mid);
  if (!mid) return unrecognized(update, 'The message has no mid');
  const echo = message.is_echo === true;
  const base = {
    accountMetaId: echo ? senderId : recipientId,
    participantId: echo ? recipientId : senderId,
    timestamp,
  };
  if (message.is_deleted === true) {
    return {
      kind: 'message_deleted',
      event: { kind: 'message_deleted', ...base, messageId: mid },
      dedupeIdentity: `${base.accountMetaId}|message_deleted|${mid}`,
    };
  }
  const kind: InboxKind = echo ? 'echo' : 'message';
  const referral = toReferral(message.referral);
  return {
    kind,
    event: {
      kind: 'message',
      direction: echo ? 'outbound' : 'inbound',
      ...base,
      messageId: mid,
      content: messageContent(message),
      ...(referral ? { referral } : {}),
    },
    dedupeIdentity: messageIdentity(base.accountMetaId, kind, mid),
  };
}

/**
 * `message_edit` (`{ mid, text, num_edit }`): the sender changed a message's
 * text. Sent by the participant; when the account itself is the sender (the
 * entry's id), the participant is the recipient.
 */
function parseEdit(
  update: StoredUpdate,
  edit: Record<string, unknown>,
  senderId: string,
  recipientId: string,
  timestamp: Date,
): ParsedUpdate {
  const mid = stringOrNull(edit.mid);
  if (!mid || typeof edit.text !== 'string') {
    return unrecognized(update, 'The message edit has no mid or text');
  }
  const byAccount = senderId === update.entryId && recipientId !== update.entryId;
  const accountMetaId = byAccount ? senderId : recipientId;
  const editCount = countOf(edit.num_edit);
  return {
    kind: 'message_edit',
    event: {
      kind: 'message_edit',
      accountMetaId,
      participantId: byAccount ? recipientId : senderId,
      timestamp,
      messageId: mid,
      text: edit.text,
      editCount,
    },
    dedupeIdentity: `${accountMetaId}|message_edit|${mid}|${editCount ?? timestamp.getTime()}`,
  };
}

/** A count Meta may send as a number or a numeric string. */
function countOf(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

const EMPTY_REFERRAL: Referral = { source: null, type: null, ref: null, adId: null };

function toReferral(value: unknown): Referral | undefined {
  if (!isRecord(value)) return undefined;
  return {
    source: stringOrNull(value.source),
    type: stringOrNull(value.type),
    ref: stringOrNull(value.ref),
    adId: asId(value.ad_id),
  };
}

function messageContent(message: Record<string, unknown>): MessageContent {
  const metadata: Record<string, unknown> = {};
  if (isRecord(message.quick_reply)) metadata.quickReply = message.quick_reply;
  if (isRecord(message.referral)) metadata.referral = message.referral;
  return {
    text: typeof message.text === 'string' ? message.text : null,
    attachments: Array.isArray(message.attachments)
      ? withoutDuplicateShares(message.attachments.filter(isRecord).map(toAttachment))
      : [],
    replyTo: toReplyTo(message.reply_to),
    metadata,
    unsupported: message.is_unsupported === true,
  };
}

/**
 * An attachment as stored: its type and link, plus the media id and caption
 * Meta sends for shared posts (`ig_post`/`share`: `ig_post_media_id`,
 * `title`), reels (`ig_reel`: `reel_video_id`, `title`) and stories
 * (`ig_story`: `story_media_id`, link in `story_media_url`).
 */
function toAttachment(attachment: Record<string, unknown>): MessageAttachment {
  const payload = isRecord(attachment.payload) ? attachment.payload : {};
  const mediaId =
    asId(payload.ig_post_media_id) ?? asId(payload.reel_video_id) ?? asId(payload.story_media_id);
  const title = stringOrNull(payload.title);
  return {
    type: stringOrNull(attachment.type) ?? 'unknown',
    url: stringOrNull(payload.url) ?? stringOrNull(payload.story_media_url),
    ...(mediaId ? { mediaId } : {}),
    ...(title ? { title } : {}),
  };
}

/**
 * Since November 2025 Meta sends a shared post as two attachments, the legacy
 * `share` and the new `ig_post`, for the same post: the `share` naming the
 * same media (or link) as an `ig_post` is dropped, so one post is stored once.
 */
function withoutDuplicateShares(attachments: MessageAttachment[]): MessageAttachment[] {
  const posts = attachments.filter((a) => a.type === 'ig_post');
  if (posts.length === 0) return attachments;
  const mediaIds = new Set(posts.map((p) => p.mediaId).filter((id) => id !== undefined));
  const urls = new Set(posts.map((p) => p.url).filter((url) => url !== null));
  return attachments.filter(
    (a) =>
      a.type !== 'share' ||
      !(
        (a.mediaId !== undefined && mediaIds.has(a.mediaId)) ||
        (a.url !== null && urls.has(a.url))
      ),
  );
}

function toReplyTo(value: unknown): MessageReplyTo | null {
  if (!isRecord(value)) return null;
  const mid = stringOrNull(value.mid);
  if (mid) return { mid };
  if (isRecord(value.story)) {
    const storyId = asId(value.story.id);
    if (storyId) return { story: { id: storyId, url: stringOrNull(value.story.url) } };
  }
  return null;
}
