import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from 'mongodb';
import { inboundMessage, webhookBatch, type WebhookMessagingEvent } from '../../src/meta-simulator';

/** A direct message as the test sent it: who wrote it, when (Meta's timestamp), its mid. */
export interface SentDm {
  from: string;
  mid: string;
  text: string;
  timestamp: number;
  event: WebhookMessagingEvent;
}

/** `perParticipant` DMs from each participant to the account, one millisecond-distinct timestamp each. */
export function dmsFrom(
  account: string,
  participants: string[],
  perParticipant: number,
  baseTimestamp: number,
): SentDm[] {
  const dms: SentDm[] = [];
  participants.forEach((from, p) => {
    for (let i = 0; i < perParticipant; i++) {
      const timestamp = baseTimestamp + (i * participants.length + p) * 1000;
      const text = `dm ${p}.${i}`;
      const event = inboundMessage({ account, from, text, timestamp });
      dms.push({ from, text, timestamp, mid: (event.message as { mid: string }).mid, event });
    }
  });
  return dms;
}

/** One webhook body carrying these DMs of one account. */
export function batchOf(account: string, dms: SentDm[]): unknown {
  return webhookBatch([{ id: account, messaging: dms.map((dm) => dm.event) }]);
}

/** Cuts the DMs, in a random order, into webhook bodies of 1 to `maxBatch` events. */
export function rebatched(account: string, dms: SentDm[], maxBatch: number): unknown[] {
  const bodies: unknown[] = [];
  const order = shuffled(dms);
  while (order.length > 0) {
    const size = 1 + Math.floor(Math.random() * maxBatch);
    bodies.push(batchOf(account, order.splice(0, size)));
  }
  return bodies;
}

export function randomBetween(minMs: number, maxMs: number): number {
  return minMs + Math.floor(Math.random() * (maxMs - minMs));
}

export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Runs `work` over the items with at most `concurrency` at a time. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

/** Polls `check` until it returns true; false if the timeout passes first. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Inbox entries still waiting for (or in) processing. */
export function unprocessedInbox(db: Db): Promise<number> {
  return db
    .collection('webhook_inbox')
    .countDocuments({ status: { $in: ['pending', 'processing'] } });
}

/**
 * Waits until every stored inbox entry is processed and at least `messages` messages are
 * stored; true when both held before the timeout.
 */
export function settled(db: Db, messages: number, timeoutMs: number): Promise<boolean> {
  return eventually(
    async () =>
      (await db.collection('messages').countDocuments()) >= messages &&
      (await unprocessedInbox(db)) === 0,
    timeoutMs,
  );
}

export interface ConversationFacts {
  igUserId: string;
  unreadCount: number;
  lastMessage: string | null;
  lastMessageId: string | null;
}

/** Every conversation of the account, by participant. */
export async function conversationsOf(
  db: Db,
  account: string,
): Promise<Map<string, ConversationFacts[]>> {
  const docs = await db
    .collection<ConversationFacts & { accountInstagramId: string }>('conversations')
    .find({ accountInstagramId: account })
    .toArray();
  const byParticipant = new Map<string, ConversationFacts[]>();
  for (const doc of docs) {
    const list = byParticipant.get(doc.igUserId) ?? [];
    list.push({
      igUserId: doc.igUserId,
      unreadCount: doc.unreadCount,
      lastMessage: doc.lastMessage,
      lastMessageId: doc.lastMessageId,
    });
    byParticipant.set(doc.igUserId, list);
  }
  return byParticipant;
}

/** How many times each mid is stored. */
export async function storedCounts(db: Db, mids: string[]): Promise<Map<string, number>> {
  const docs = await db
    .collection<{ messageId: string }>('messages')
    .find({ messageId: { $in: mids } }, { projection: { messageId: 1 } })
    .toArray();
  const counts = new Map<string, number>();
  for (const doc of docs) counts.set(doc.messageId, (counts.get(doc.messageId) ?? 0) + 1);
  return counts;
}

export interface DeliveryRecord {
  dm: SentDm;
  status: number;
  instance: number;
  startedAt: number;
  endedAt: number;
}

/**
 * Delivers the DMs one per webhook, in a random order and round-robin across the instances,
 * `concurrency` at a time, over and over until `until` has settled and every DM was sent at
 * least once; returns every delivery with its answer (0: no answer). `until` sees the
 * deliveries so far as they happen.
 */
export async function streamDeliveries(
  deliver: (body: unknown) => Promise<{ status: number; instance: number }>,
  account: string,
  dms: SentDm[],
  until: (records: readonly DeliveryRecord[]) => Promise<unknown>,
  concurrency = 6,
): Promise<DeliveryRecord[]> {
  let done = false;
  const records: DeliveryRecord[] = [];
  const finished = until(records).finally(() => {
    done = true;
  });
  let order: SentDm[] = [];
  let sentOnce = 0;
  const lane = async () => {
    while (!done || sentOnce < dms.length) {
      if (order.length === 0) order = shuffled(dms);
      const dm = order.pop() as SentDm;
      sentOnce += 1;
      const startedAt = Date.now();
      const answer = await deliver(batchOf(account, [dm]));
      records.push({ dm, ...answer, startedAt, endedAt: Date.now() });
    }
  };
  await Promise.all([finished, ...Array.from({ length: concurrency }, lane)]);
  return records;
}

/** The DMs at least one delivery of which was acknowledged (200). */
export function acknowledged(records: DeliveryRecord[]): SentDm[] {
  return [...new Set(records.filter((r) => r.status === 200).map((r) => r.dm))];
}

/**
 * Delivers every DM not acknowledged yet until it is (as Meta retries a delivery that failed),
 * waiting `pauseMs` between rounds; throws after `rounds` rounds.
 */
export async function redeliverUnacknowledged(
  deliver: (body: unknown) => Promise<{ status: number; instance: number }>,
  account: string,
  dms: SentDm[],
  records: DeliveryRecord[],
  rounds = 20,
  pauseMs = 1000,
): Promise<void> {
  const acked = new Set(acknowledged(records));
  let missing = dms.filter((dm) => !acked.has(dm));
  for (let round = 0; round < rounds && missing.length > 0; round++) {
    const answers = await inParallel(missing, 6, (dm) => deliver(batchOf(account, [dm])));
    missing = missing.filter((_, i) => answers[i].status !== 200);
    if (missing.length > 0) await sleep(pauseMs);
  }
  if (missing.length > 0) throw new Error(`${missing.length} DMs were never acknowledged`);
}
