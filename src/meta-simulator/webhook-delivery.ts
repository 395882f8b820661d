import { isRecord } from '../common/utils/is-record';
import { createUser } from './accounts';
import { deleteMessage, recordMessage } from './conversations';
import { postRaw } from './simulator-http';
import type { SimulatorState } from './state';
import { signWebhookBody } from './webhook-events';

/** Webhook delivery: signed POSTs like Meta's, and what a delivered payload teaches the simulator. */

export interface DeliveryOptions {
  /** Where to POST; the simulator's webhook URL by default. */
  url?: string;
  /** Secret to sign with; the app secret by default. */
  secret?: string;
  /** A forced `X-Hub-Signature-256` value; `null` sends none. */
  signature?: string | null;
  /** The exact body to send instead of the JSON of the payload. */
  rawBody?: string;
}

/**
 * POSTs a webhook like Meta does, signed with `X-Hub-Signature-256` over the
 * raw body. Senders in the payload become messaging users and its messages
 * join the simulated conversations.
 */
export async function deliverWebhook(
  world: SimulatorState,
  payload: unknown,
  options: DeliveryOptions,
  defaults: { url?: string; secret: string },
): Promise<{ status: number; body: string }> {
  const url = options.url ?? defaults.url;
  if (!url) throw new Error('No webhook URL: pass options.url or set webhookUrl');
  const rawBody = options.rawBody ?? JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'facebookexternalua',
  };
  const signature =
    options.signature === undefined
      ? signWebhookBody(rawBody, options.secret ?? defaults.secret)
      : options.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  ingestWebhook(world, payload);
  return postRaw(url, rawBody, headers);
}

function ingestWebhook(world: SimulatorState, payload: unknown): void {
  if (!isRecord(payload) || !Array.isArray(payload.entry)) return;
  for (const entry of payload.entry) {
    if (!isRecord(entry)) continue;
    const events = [entry.messaging, entry.standby].flatMap((list): unknown[] =>
      Array.isArray(list) ? (list as unknown[]) : [],
    );
    for (const event of events) ingestEvent(world, event);
  }
}

/** A message event (sent by a user, or an echo of the account's own) of a simulated account. */
function ingestEvent(world: SimulatorState, event: unknown): void {
  if (
    !isRecord(event) ||
    !isRecord(event.message) ||
    !isRecord(event.sender) ||
    !isRecord(event.recipient)
  ) {
    return;
  }
  const message = event.message;
  const fromId = String(event.sender.id);
  const toId = String(event.recipient.id);
  const echo = message.is_echo === true;
  const accountId = echo ? fromId : toId;
  const userId = echo ? toId : fromId;
  if (!world.accounts.has(accountId) || typeof message.mid !== 'string') return;
  if (message.is_deleted === true) {
    deleteMessage(world, accountId, userId, message.mid);
    return;
  }
  if (!world.users.has(userId)) createUser(world, { igsid: userId });
  const at = new Date(typeof event.timestamp === 'number' ? event.timestamp : Date.now());
  recordMessage(world, accountId, userId, message.mid, at);
}
