import { ObjectId } from 'mongodb';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordedRequest } from '../../src/meta-simulator';
import { Cluster, type ClusterInbox, type HttpAnswer } from './cluster';
import { batchOf, dmsFrom, eventually } from './traffic';

/**
 * Three API processes (`node dist/main.js`) on one database and one Redis, replies of one
 * Instagram account sent through all of them at once: the Send API pace of the account
 * (`META_SEND_RATE_PER_SECOND`, reserved in Redis by the Pacer) holds for the three together.
 */
const RATE_PER_SECOND = 5;
const MAX_WAIT_MS = 2000;
/** The Pacer's emission interval: one slot every `1000 / limit` ms. */
const INTERVAL_MS = 1000 / RATE_PER_SECOND;
/** The Send API pace sets no burst, so the Pacer allows a burst of the whole limit. */
const BURST = RATE_PER_SECOND;
/** The Pacer's tolerance: how far ahead of its theoretical arrival time a slot may be taken. */
const TOLERANCE_MS = INTERVAL_MS * (BURST - 1);
/**
 * GCRA: each slot is at least the previous one's theoretical arrival time plus one interval,
 * minus the tolerance, so slots i < j lie at least `(j - i) * INTERVAL_MS - TOLERANCE_MS`
 * apart. n slots within a half-open second need `(n - 1) * 200 - 800 < 1000`: at most
 * `limit + burst - 1` = 9 (a full burst of 5, then one every 200 ms: 0, 0, 0, 0, 0, 200, 400,
 * 600, 800; the next one is at 1000).
 */
const SLOTS_PER_SECOND = RATE_PER_SECOND + BURST - 1;
/**
 * A send reaches the simulator a little after its slot (Redis's answer, the timer, the HTTP
 * call), not always equally late: the first burst goes out while the instances still take in
 * the other replies, later sends onto quiet processes. Sends arriving within one second may
 * then hold slots up to one second plus the difference of their delays apart, which adds one
 * slot per interval of that difference: two while it stays below 400 ms (about 100 ms here).
 */
const DELIVERY_SPREAD_SLOTS = 2;
/** Redis's TIME and `Date.now()` count whole milliseconds, and a Node timer may fire 1 ms early. */
const CLOCK_ROUNDING_MS = 2;
/** Replies sent at once: more than twice the slots a reply may wait for (2000 ms, 15 slots). */
const REPLIES = 36;
/**
 * A paced reply was refused because its slot was more than `MAX_WAIT_MS` away, and at most one
 * interval more: the latest slot taken was at most `MAX_WAIT_MS` away when it was taken.
 */
const RETRY_AFTER_SECONDS = {
  min: Math.ceil((MAX_WAIT_MS + 1) / 1000),
  max: Math.ceil((MAX_WAIT_MS + INTERVAL_MS) / 1000),
};
const PACED_ERROR = {
  error: {
    code: 429,
    message: 'Too many messages for this Instagram account right now, try again shortly',
    details: [{ reason: 'paced', retryable: true }],
  },
};

interface Reply {
  text: string;
  answer: HttpAnswer;
}

let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.start({
    env: {
      META_SEND_RATE_PER_SECOND: String(RATE_PER_SECOND),
      META_PACING_MAX_WAIT_MS: String(MAX_WAIT_MS),
    },
  });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

/** A conversation opened by one inbound DM (a signed webhook), once the pipeline stored it. */
async function openConversation(inbox: ClusterInbox): Promise<string> {
  const [participant] = cluster.participants(1);
  const [dm] = dmsFrom(inbox.igId, [participant], 1, Date.now() - 60_000);
  expect((await cluster.deliver(batchOf(inbox.igId, [dm]))).status).toBe(200);
  const find = () =>
    cluster.db.collection('conversations').findOne({
      accountInstagramId: inbox.igId,
      igUserId: participant,
      lastInboundAt: { $ne: null },
    });
  expect(await eventually(async () => (await find()) !== null, 30_000)).toBe(true);
  return String((await find())?._id);
}

function reply(
  inbox: ClusterInbox,
  conversationId: string,
  text: string,
  instance: number,
): Promise<Reply> {
  return cluster
    .request(
      `/v1/messages/${conversationId}`,
      { method: 'POST', token: inbox.user.token, body: { text } },
      instance,
    )
    .then((answer) => ({ text, answer }));
}

/** The Send API calls of the account that reached the simulator, in order of arrival. */
function sendApiCalls(inbox: ClusterInbox): RecordedRequest[] {
  return cluster.simulator.requests
    .filter((r) => r.method === 'POST' && r.path.endsWith(`/${inbox.igId}/messages`))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

function textOf(call: RecordedRequest): string | undefined {
  return (call.body as { message?: { text?: string } }).message?.text;
}

/** The most arrivals within one half-open second [t, t + 1000 ms), over every t. */
function busiestSecond(arrivals: number[]): number {
  let most = 0;
  let end = 0;
  for (let start = 0; start < arrivals.length; start++) {
    while (end < arrivals.length && arrivals[end] < arrivals[start] + 1000) end += 1;
    most = Math.max(most, end - start);
  }
  return most;
}

describe('Meta outbound pacing across three API processes', () => {
  it('holds the Send API pace of an account for the three instances together, answering 429 with Retry-After for the replies beyond the longest wait and sending nothing twice', async () => {
    const inbox = await cluster.inbox();
    const conversationId = await openConversation(inbox);

    // One reply through each instance first (3 slots of the burst of 5: none waits), so that
    // each has spoken to the simulator once; then a wait of a whole burst's intervals, longer
    // than the 3 slots taken, so the replies sent at once find the burst whole again.
    const warmUp: Reply[] = [];
    for (let i = 0; i < cluster.size; i++) {
      warmUp.push(await reply(inbox, conversationId, `warm-up ${i}`, i));
    }
    expect(warmUp.map(({ answer }) => answer.status)).toEqual([201, 201, 201]);
    await sleep(BURST * INTERVAL_MS);

    const startedAt = Date.now();
    const replies = await Promise.all(
      Array.from({ length: REPLIES }, (_, i) =>
        reply(inbox, conversationId, `reply ${i}`, i % cluster.size),
      ),
    );
    const sent = replies.filter(({ answer }) => answer.status === 201);
    const paced = replies.filter(({ answer }) => answer.status === 429);
    expect(replies.filter(({ answer }) => answer.status !== 201 && answer.status !== 429)).toEqual(
      [],
    );

    // Every reply beyond the longest wait was refused with Retry-After, before reaching Meta.
    // None paced would take the 36 requests reaching the pacer over 4 s apart (21 more slots).
    expect(paced.length).toBeGreaterThan(0);
    for (const { answer } of paced) {
      expect(answer.body).toEqual(PACED_ERROR);
      const retryAfter = Number(answer.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS.min);
      expect(retryAfter).toBeLessThanOrEqual(RETRY_AFTER_SECONDS.max);
    }

    // The simulator received each answered reply exactly once, and nothing else.
    const calls = sendApiCalls(inbox);
    const received = calls.map(textOf);
    expect(received.length).toBe(new Set(received).size);
    expect([...received].sort()).toEqual([...warmUp, ...sent].map(({ text }) => text).sort());
    const metaIds = new Map(
      cluster.simulator.sentMessages
        .filter((message) => message.accountId === inbox.igId)
        .map((message) => [message.messageId, message]),
    );
    expect(metaIds.size).toBe(calls.length);
    for (const { text, answer } of [...warmUp, ...sent]) {
      const { messageId } = answer.body as { messageId: string };
      expect((metaIds.get(messageId)?.body.message as { text?: string }).text).toBe(text);
    }
    expect(
      await cluster.db.collection('messages').countDocuments({
        conversation: new ObjectId(conversationId),
        sender: 'page',
      }),
    ).toBe(warmUp.length + sent.length);

    // Every second of arrivals, from the three instances together, holds at most the slots the
    // pacer grants in one second, and the few more the spread of delivery delays allows.
    const arrivals = calls.map((call) => call.at.getTime());
    expect(busiestSecond(arrivals)).toBeLessThanOrEqual(SLOTS_PER_SECOND + DELIVERY_SPREAD_SLOTS);

    // Whatever the delays: a send arrives after its slot, and the slots of the replies sent at
    // once lie after `startedAt`; once k of them have arrived (the k-th at a), k slots lie in
    // [startedAt, a], so (k - 1) * INTERVAL_MS - TOLERANCE_MS <= a - startedAt.
    const sentAtOnce = calls.filter((call) => textOf(call)?.startsWith('reply '));
    const beyondThePace = sentAtOnce
      .map((call, index) => ({ k: index + 1, afterMs: call.at.getTime() - startedAt }))
      .filter(
        ({ k, afterMs }) => (k - 1) * INTERVAL_MS - TOLERANCE_MS > afterMs + CLOCK_ROUNDING_MS,
      );
    expect(beyondThePace).toEqual([]);
  }, 120_000);
});
