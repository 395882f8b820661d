import {
  inboundMessage,
  signWebhookBody,
  webhookBatch,
  type WebhookMessagingEvent,
} from '../../src/meta-simulator/webhook-events';
import { participantId, type SeedWorld } from './seed';

/** Share of messages from someone who never wrote to the account before. */
export const NEW_PARTICIPANT_SHARE = 0.2;
/** Share of deliveries that batch several messages, and their size. */
export const BATCHED_DELIVERY_SHARE = 0.1;
export const BATCH_MESSAGES = 10;

const TEXTS = [
  'Hi! Is this still available?',
  'How much is shipping to Berlin?',
  'Do you have it in blue, size M?',
  'Thanks, I just placed the order',
  'When will my package arrive?',
  'Can I pick it up in the store tomorrow?',
];

export interface WebhookDelivery {
  body: string;
  signature: string;
  messages: number;
}

/**
 * Signed Instagram webhook deliveries with fresh inbound messages: mostly in existing
 * conversations, some from new participants, a tenth of the deliveries batched.
 */
export class WebhookTraffic {
  private nextParticipant: number;

  constructor(
    private readonly world: SeedWorld,
    private readonly appSecret: string,
    /** Registers a new participant with Meta (so profile lookups find them). */
    private readonly onNewParticipant: (igsid: string) => void,
    firstNewParticipant: number,
  ) {
    this.nextParticipant = firstNewParticipant;
  }

  next(): WebhookDelivery {
    const count = Math.random() < BATCHED_DELIVERY_SHARE ? BATCH_MESSAGES : 1;
    const byAccount = new Map<string, WebhookMessagingEvent[]>();
    for (let i = 0; i < count; i++) {
      const { account, from } = this.sender();
      const text = TEXTS[Math.floor(Math.random() * TEXTS.length)];
      const events = byAccount.get(account) ?? [];
      events.push(inboundMessage({ account, from, text }));
      byAccount.set(account, events);
    }
    const payload = webhookBatch(
      [...byAccount.entries()].map(([id, messaging]) => ({ id, messaging })),
    );
    const body = JSON.stringify(payload);
    return { body, signature: signWebhookBody(body, this.appSecret), messages: count };
  }

  private sender(): { account: string; from: string } {
    const { conversations, accounts } = this.world;
    if (Math.random() >= NEW_PARTICIPANT_SHARE) {
      const conversation = conversations[Math.floor(Math.random() * conversations.length)];
      return { account: conversation.account.instagramBusinessId, from: conversation.igUserId };
    }
    const account = accounts[Math.floor(Math.random() * accounts.length)];
    const from = participantId(this.nextParticipant++);
    this.onNewParticipant(from);
    return { account: account.instagramBusinessId, from };
  }
}
