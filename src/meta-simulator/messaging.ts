import { randomBytes } from 'node:crypto';
import { isRecord } from '../common/utils/is-record';
import { recordMessage } from './conversations';
import type { GraphContext } from './graph-context';
import { invalidParameter, stringOf } from './simulator-http';
import type { SimulatorState } from './state';

/** The Send API: `POST /{id}/messages` with a message or a sender action. */

const MAX_TEXT_BYTES = 1000;
const SENDER_ACTIONS = new Set(['mark_seen', 'typing_on', 'typing_off']);
const ATTACHMENT_TYPES = new Set(['image', 'video', 'audio', 'file', 'like_heart', 'MEDIA_SHARE']);
/** Attachment types whose payload carries no URL. */
const ATTACHMENTS_WITHOUT_URL = new Set(['like_heart', 'MEDIA_SHARE']);
const MESSAGE_TAGS = new Set(['HUMAN_AGENT']);

export function sendMessage(ctx: GraphContext): unknown {
  const body = isRecord(ctx.body) ? ctx.body : {};
  const recipientId = isRecord(body.recipient) ? stringOf(body.recipient.id) : undefined;
  if (!recipientId) throw invalidParameter('The parameter recipient is required');
  if (body.sender_action !== undefined) return senderAction(ctx.world, body, recipientId);
  const message = isRecord(body.message) ? body.message : undefined;
  if (!message) throw invalidParameter('The parameter message is required');
  validateMessage(message);
  if (body.messaging_type === 'MESSAGE_TAG' || body.tag !== undefined) {
    if (typeof body.tag !== 'string' || !MESSAGE_TAGS.has(body.tag)) {
      throw invalidParameter('Param tag must be a valid message tag');
    }
  }
  requireRecipient(ctx.world, recipientId);
  const accountId = ctx.account.instagramBusinessId;
  const messageId = `m_${randomBytes(24).toString('base64url')}`;
  const at = new Date();
  ctx.world.sentMessages.push({ accountId, recipientId, messageId, body, at });
  recordMessage(ctx.world, accountId, recipientId, messageId, at);
  return { recipient_id: recipientId, message_id: messageId };
}

/** Typing indicators and seen receipts: checked, answered, not stored. */
function senderAction(
  world: SimulatorState,
  body: Record<string, unknown>,
  recipientId: string,
): unknown {
  const action = body.sender_action;
  if (typeof action !== 'string' || !SENDER_ACTIONS.has(action)) {
    throw invalidParameter('Param sender_action must be one of {MARK_SEEN, TYPING_ON, TYPING_OFF}');
  }
  requireRecipient(world, recipientId);
  return { recipient_id: recipientId };
}

/** Refuses what Meta refuses: a message needs a text or one attachment. */
function validateMessage(message: Record<string, unknown>): void {
  const text = message.text;
  const attachment = isRecord(message.attachment) ? message.attachment : undefined;
  if (text !== undefined) {
    if (typeof text !== 'string' || text === '') {
      throw invalidParameter('Param message[text] must be a non-empty UTF-8 encoded string');
    }
    if (Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) {
      throw invalidParameter(
        `Length of param message[text] must be less than or equal to ${MAX_TEXT_BYTES}`,
      );
    }
    if (attachment) {
      throw invalidParameter('Only one of message[text] and message[attachment] can be set');
    }
    return;
  }
  if (!attachment) {
    throw invalidParameter('Message cannot be empty, must provide valid attachment or text');
  }
  const type = attachment.type;
  if (typeof type !== 'string' || !ATTACHMENT_TYPES.has(type)) {
    throw invalidParameter(
      'Param message[attachment][type] must be one of {image, video, audio, file, like_heart, MEDIA_SHARE}',
    );
  }
  const url = isRecord(attachment.payload) ? stringOf(attachment.payload.url) : undefined;
  if (!ATTACHMENTS_WITHOUT_URL.has(type) && (url === undefined || !/^https?:\/\/\S+$/i.test(url))) {
    throw invalidParameter('Param message[attachment][payload][url] must be a valid URL');
  }
}

function requireRecipient(world: SimulatorState, recipientId: string): void {
  if (!world.users.has(recipientId)) {
    throw invalidParameter('No matching user found', { subcode: 2018001 });
  }
}
