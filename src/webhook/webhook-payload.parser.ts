import { createHash } from 'node:crypto';
import type { MessageContent, MessagingEvent } from '../messages/messaging-events';
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function idOf(value: unknown): string | null {
  const raw = isRecord(value) ? value.id : undefined;
  const id = typeof raw === 'number' ? String(raw) : raw;
  return typeof id === 'string' && ID_PATTERN.test(id) ? id : null;
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
          payload: JSON.stringify(update),
          ignoredReason: 'Changes (comments, mentions) are not processed',
        });
      }
    }
  }
  return { object, drafts };
}

/** Parses a stored inbox payload back into its event. */
export function parseStoredPayload(payload: string, now: number): ParsedUpdate {
  return parseUpdate(JSON.parse(payload) as StoredUpdate, now);
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
      },
      dedupeIdentity: `${recipientId}|postback|${mid}`,
    };
  }

  if (isRecord(raw.referral)) {
    const identity = `${recipientId}|referral|${senderId}|${timestamp.getTime()}|${JSON.stringify(raw.referral)}`;
    return {
      kind: 'referral',
      event: {
        kind: 'message',
        direction: 'inbound',
        ...inboundBase,
        messageId: `referral:${sha256(identity).slice(0, 32)}`,
        content: {
          text: null,
          attachments: [],
          replyTo: null,
          metadata: { referral: raw.referral },
          unsupported: false,
        },
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
  return {
    kind,
    event: {
      kind: 'message',
      direction: echo ? 'outbound' : 'inbound',
      ...base,
      messageId: mid,
      content: messageContent(message),
    },
    dedupeIdentity: `${base.accountMetaId}|${kind}|${mid}`,
  };
}

function messageContent(message: Record<string, unknown>): MessageContent {
  const metadata: Record<string, unknown> = {};
  if (isRecord(message.quick_reply)) metadata.quickReply = message.quick_reply;
  if (isRecord(message.referral)) metadata.referral = message.referral;
  return {
    text: typeof message.text === 'string' ? message.text : null,
    attachments: Array.isArray(message.attachments)
      ? message.attachments.filter(isRecord).map(toAttachment)
      : [],
    replyTo: toReplyTo(message.reply_to),
    metadata,
    unsupported: message.is_unsupported === true,
  };
}

function toAttachment(attachment: Record<string, unknown>): MessageAttachment {
  const payload = isRecord(attachment.payload) ? attachment.payload : {};
  return {
    type: stringOrNull(attachment.type) ?? 'unknown',
    url: stringOrNull(payload.url),
  };
}

function toReplyTo(value: unknown): MessageReplyTo | null {
  if (!isRecord(value)) return null;
  const mid = stringOrNull(value.mid);
  if (mid) return { mid };
  if (isRecord(value.story)) {
    const id = value.story.id;
    const storyId = typeof id === 'number' ? String(id) : stringOrNull(id);
    if (storyId) return { story: { id: storyId, url: stringOrNull(value.story.url) } };
  }
  return null;
}
