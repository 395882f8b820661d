import { createHmac, randomBytes } from 'node:crypto';

/**
 * Builders for Instagram messaging webhook payloads, shaped like the ones Meta
 * sends (`object: 'instagram'`, one `entry` per professional account, events
 * under `messaging` or `standby`). Pure: no I/O.
 */

export interface WebhookMessagingEvent {
  sender: { id: string };
  recipient: { id: string };
  timestamp: number;
  message?: Record<string, unknown>;
  reaction?: Record<string, unknown>;
  read?: { mid: string };
  postback?: Record<string, unknown>;
  referral?: Record<string, unknown>;
  message_edit?: { mid: string; text: string; num_edit: number };
}

/** Prefix shared by Instagram message ids (base64 of `ig_message_item:`-style keys). */
const MID_PREFIX = 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOj';

/** An event the user (`from`) sent to the account, at `timestamp` (now by default). */
function userEvent(
  o: { account: string; from: string; timestamp?: number },
  fields: Omit<WebhookMessagingEvent, 'sender' | 'recipient' | 'timestamp'>,
): WebhookMessagingEvent {
  return {
    sender: { id: o.from },
    recipient: { id: o.account },
    timestamp: o.timestamp ?? Date.now(),
    ...fields,
  };
}

/** A fresh message id in Instagram's format. */
export function newMid(): string {
  return `${MID_PREFIX}${randomBytes(30).toString('base64url')}`;
}

export function webhookBatch(
  entries: {
    id: string;
    time?: number;
    messaging?: WebhookMessagingEvent[];
    standby?: WebhookMessagingEvent[];
    changes?: unknown[];
  }[],
): { object: 'instagram'; entry: unknown[] } {
  return {
    object: 'instagram',
    entry: entries.map((e) => {
      const entry: Record<string, unknown> = { id: e.id, time: e.time ?? Date.now() };
      if (e.messaging) entry.messaging = e.messaging;
      if (e.standby) entry.standby = e.standby;
      if (e.changes) entry.changes = e.changes;
      return entry;
    }),
  };
}

export function inboundMessage(o: {
  account: string;
  from: string;
  text?: string;
  mid?: string;
  timestamp?: number;
  attachments?: { type: string; url?: string; payload?: Record<string, unknown> }[];
  replyToMid?: string;
  replyToStory?: { id: string; url: string };
  isUnsupported?: boolean;
  quickReplyPayload?: string;
}): WebhookMessagingEvent {
  const message = messageContent(o);
  if (o.quickReplyPayload !== undefined) message.quick_reply = { payload: o.quickReplyPayload };
  if (o.replyToMid !== undefined) message.reply_to = { mid: o.replyToMid };
  else if (o.replyToStory)
    message.reply_to = { story: { url: o.replyToStory.url, id: o.replyToStory.id } };
  if (o.isUnsupported) message.is_unsupported = true;
  return userEvent(o, { message });
}

/** The `mid`, text and attachments of a message event. */
function messageContent(o: {
  mid?: string;
  text?: string;
  attachments?: { type: string; url?: string; payload?: Record<string, unknown> }[];
}): Record<string, unknown> {
  const message: Record<string, unknown> = { mid: o.mid ?? newMid() };
  if (o.text !== undefined) message.text = o.text;
  if (o.attachments) message.attachments = o.attachments.map(toWebhookAttachment);
  return message;
}

/** An attachment as Meta's webhooks carry it: the URL inside `payload`. */
function toWebhookAttachment(a: {
  type: string;
  url?: string;
  payload?: Record<string, unknown>;
}): {
  type: string;
  payload: Record<string, unknown>;
} {
  return {
    type: a.type,
    payload: { ...(a.url !== undefined ? { url: a.url } : {}), ...a.payload },
  };
}

/** A message the account itself sent (from the app, the Instagram app or another tool). */
export function echoMessage(o: {
  account: string;
  to: string;
  text?: string;
  mid?: string;
  timestamp?: number;
  attachments?: { type: string; url?: string }[];
}): WebhookMessagingEvent {
  const message = messageContent(o);
  message.is_echo = true;
  return {
    sender: { id: o.account },
    recipient: { id: o.to },
    timestamp: o.timestamp ?? Date.now(),
    message,
  };
}

/** The user unsent one of their messages. */
export function deletedMessage(o: {
  account: string;
  from: string;
  mid: string;
  timestamp?: number;
}): WebhookMessagingEvent {
  return userEvent(o, { message: { mid: o.mid, is_deleted: true } });
}

export function reaction(o: {
  account: string;
  from: string;
  mid: string;
  action: 'react' | 'unreact';
  reaction?: string;
  emoji?: string;
  timestamp?: number;
}): WebhookMessagingEvent {
  const body: Record<string, unknown> = { mid: o.mid, action: o.action };
  if (o.action === 'react') {
    body.reaction = o.reaction ?? 'love';
    body.emoji = o.emoji ?? '\u2764\uFE0F';
  } else {
    if (o.reaction !== undefined) body.reaction = o.reaction;
    if (o.emoji !== undefined) body.emoji = o.emoji;
  }
  return userEvent(o, { reaction: body });
}

/** The user has seen the account's messages up to `mid`. */
export function readReceipt(o: {
  account: string;
  from: string;
  mid: string;
  timestamp?: number;
}): WebhookMessagingEvent {
  return userEvent(o, { read: { mid: o.mid } });
}

/** The user tapped a button (icebreaker, generic template, persistent menu). */
export function postback(o: {
  account: string;
  from: string;
  title: string;
  payload: string;
  mid?: string;
  timestamp?: number;
}): WebhookMessagingEvent {
  return userEvent(o, { postback: { mid: o.mid ?? newMid(), title: o.title, payload: o.payload } });
}

/**
 * The user opened an existing conversation from an ig.me link (`source`
 * `SHORTLINKS`, as in Meta's ig.me documentation) or, with `adId`, an ad.
 */
export function referral(o: {
  account: string;
  from: string;
  ref: string;
  source?: string;
  type?: string;
  adId?: string;
  timestamp?: number;
}): WebhookMessagingEvent {
  return userEvent(o, {
    referral: {
      ref: o.ref,
      ...(o.adId !== undefined ? { ad_id: o.adId } : {}),
      source: o.source ?? (o.adId !== undefined ? 'ADS' : 'SHORTLINKS'),
      type: o.type ?? 'OPEN_THREAD',
    },
  });
}

/** The user edited the text of a message they sent; `numEdit` counts their edits of it. */
export function messageEdit(o: {
  account: string;
  from: string;
  mid: string;
  text: string;
  numEdit: number;
  timestamp?: number;
}): WebhookMessagingEvent {
  return userEvent(o, { message_edit: { mid: o.mid, text: o.text, num_edit: o.numEdit } });
}

/** Value of the `X-Hub-Signature-256` header Meta sends with a webhook body. */
export function signWebhookBody(rawBody: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}
