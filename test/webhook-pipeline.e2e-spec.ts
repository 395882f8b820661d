import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import {
  echoMessage,
  inboundMessage,
  webhookBatch,
  type WebhookMessagingEvent,
} from '../src/meta-simulator';
import { StaleConversationWriteError } from '../src/conversations/conversation-lock';
import { ConversationsRepository } from '../src/conversations/conversations.repository';
import { systemScope } from '../src/common/scope/owner-scope';
import { UnconfirmedSendsTask } from '../src/messages/unconfirmed-sends.task';
import { QUEUES } from '../src/queue/queue-names';
import { InboxMaintenance } from '../src/webhook/inbox-maintenance';
import { draftsFromWebhook } from '../src/webhook/webhook-payload.parser';
import {
  countDocs,
  createInbox,
  deliver,
  drainInbox,
  rawDocs,
  startConversation,
  waitFor,
  type Inbox,
} from './utils/messaging-factories';
import { createTestApp, type TestApp } from './utils/test-app';
import { TcpProxy } from './utils/tcp-proxy';

/** A proxy in front of the server of this URL (`redis://…` or `mongodb://…`). */
async function startProxy(url: string | undefined): Promise<TcpProxy> {
  const target = new URL(url as string);
  return TcpProxy.start({ host: target.hostname, port: Number(target.port) });
}

/** Boots an app whose Redis and database traffic go through the proxies. */
async function appBehind(
  proxies: { redis: TcpProxy; database: TcpProxy },
  env: Record<string, string>,
): Promise<TestApp> {
  const direct = {
    redis: process.env.TEST_REDIS_BASE_URL,
    database: process.env.TEST_MONGODB_BASE_URI,
  };
  process.env.TEST_REDIS_BASE_URL = `redis://127.0.0.1:${proxies.redis.port}`;
  process.env.TEST_MONGODB_BASE_URI = `mongodb://127.0.0.1:${proxies.database.port}`;
  try {
    return await createTestApp({ env });
  } finally {
    process.env.TEST_REDIS_BASE_URL = direct.redis;
    process.env.TEST_MONGODB_BASE_URI = direct.database;
  }
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Runs `work` over the items, at most `limit` at a time; the results in the items' order. */
async function inParallel<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
  return results;
}

function midOf(event: WebhookMessagingEvent): string {
  return (event.message as { mid: string }).mid;
}

describe('Webhook pipeline: one conversation at a time, effects applied once', () => {
  let t: TestApp;
  let inbox: Inbox;

  beforeAll(async () => {
    t = await createTestApp();
    inbox = await createInbox(t);
  });

  afterAll(async () => {
    await t.close();
  });

  it('stores one message and counts it once when the same DM is delivered many times at once', async () => {
    const from = t.simulator.addUser().igsid;
    const at = Date.now() - 10_000;
    const dm = inboundMessage({ account: inbox.igId, from, text: 'once', timestamp: at });
    const later = inboundMessage({ account: inbox.igId, from, text: 'newest', timestamp: at + 1 });
    const identical = webhookBatch([{ id: inbox.igId, messaging: [dm] }]);
    const rebatched = webhookBatch([{ id: inbox.igId, messaging: [later, dm] }]);
    const deliveries = shuffled([
      ...Array.from({ length: 30 }, () => identical),
      ...Array.from({ length: 10 }, () => rebatched),
    ]);
    const answers = await Promise.all(deliveries.map((body) => t.simulator.deliverWebhook(body)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    await drainInbox(t);

    expect(await countDocs(t, 'messages', { messageId: midOf(dm) })).toBe(1);
    expect(await countDocs(t, 'messages', { senderId: from })).toBe(2);
    const conversations = await rawDocs(t, 'conversations', { igUserId: from });
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ unreadCount: 2, lastMessage: 'newest' });
  });

  /** A conversation holding one inbound message ('first'), stored through the pipeline. */
  async function conversationWithOneMessage() {
    const from = t.simulator.addUser().igsid;
    const at = Date.now() - 5000;
    await t.simulator.deliverWebhook(
      webhookBatch([
        {
          id: inbox.igId,
          messaging: [inboundMessage({ account: inbox.igId, from, text: 'first', timestamp: at })],
        },
      ]),
    );
    await drainInbox(t);
    const [conversation] = await rawDocs(t, 'conversations', { igUserId: from });
    return { from, at, conversation };
  }

  it('applies a stored message to its conversation once, however often it is applied', async () => {
    const { from, at, conversation } = await conversationWithOneMessage();
    const repository = t.app.get(ConversationsRepository);
    const scope = systemScope('test of a retried apply');
    const read = async () => (await repository.findById(scope, conversation._id))!;
    const activity = {
      timestamp: new Date(at + 1),
      messageId: 'm-retried',
      preview: 'again',
      inbound: true,
    };
    // Above the token the inbox job applied the first message under.
    const fence = Number.MAX_SAFE_INTEGER;
    await repository.applyMessage(scope, await read(), activity, fence);
    await repository.applyMessage(scope, await read(), activity, fence);
    const older = { ...activity, timestamp: new Date(at - 1), messageId: 'm-older' };
    await repository.applyMessage(scope, await read(), older, fence);
    await repository.applyMessage(scope, await read(), older, fence);
    // Retried after another message was applied since (one delivered late, for example).
    await repository.applyMessage(scope, await read(), activity, fence);

    const [after] = await rawDocs(t, 'conversations', { igUserId: from });
    expect(after).toMatchObject({ unreadCount: 3, lastMessage: 'again' });
  });

  it('decides again in the database when the conversation changed since it was read', async () => {
    const { from, at, conversation } = await conversationWithOneMessage();
    const repository = t.app.get(ConversationsRepository);
    const scope = systemScope('test of an apply over a stale read');
    const stale = (await repository.findById(scope, conversation._id))!;
    const fence = Number.MAX_SAFE_INTEGER;
    const newest = {
      timestamp: new Date(at + 2),
      messageId: 'm-2',
      preview: 'newest',
      inbound: true,
    };
    const between = {
      timestamp: new Date(at + 1),
      messageId: 'm-1',
      preview: 'between',
      inbound: true,
    };
    await repository.applyMessage(scope, stale, newest, fence);
    // Read before m-2 was applied: as read, m-1 would be the newest message; it is not.
    await repository.applyMessage(scope, stale, between, fence);
    await repository.applyMessage(scope, stale, newest, fence);

    const [after] = await rawDocs(t, 'conversations', { igUserId: from });
    expect(after).toMatchObject({ unreadCount: 3, lastMessage: 'newest', lastMessageId: 'm-2' });
  });

  it('refuses to apply a message under a lease token older than one already applied', async () => {
    const { from, at, conversation } = await conversationWithOneMessage();
    const repository = t.app.get(ConversationsRepository);
    const scope = systemScope('test of a stale writer');
    const read = async () => (await repository.findById(scope, conversation._id))!;
    const newer = {
      timestamp: new Date(at + 1),
      messageId: 'm-new',
      preview: 'new',
      inbound: true,
    };
    await repository.applyMessage(scope, await read(), newer, Number.MAX_SAFE_INTEGER - 1);
    const stale = {
      timestamp: new Date(at + 2),
      messageId: 'm-stale',
      preview: 'stale',
      inbound: true,
    };

    await expect(
      repository.applyMessage(scope, await read(), stale, Number.MAX_SAFE_INTEGER - 2),
    ).rejects.toBeInstanceOf(StaleConversationWriteError);
    const [after] = await rawDocs(t, 'conversations', { igUserId: from });
    expect(after).toMatchObject({ unreadCount: 2, lastMessage: 'new' });
    expect(after.appliedMessageIds).not.toContain('m-stale');
  });
});

describe('Webhook pipeline after an upgrade', () => {
  it('applies unfinished entries stored without a conversation key once the sweep routes them', async () => {
    const t = await createTestApp();
    try {
      const inbox = await createInbox(t);
      const from = t.simulator.addUser().igsid;
      const text = 'stored by the previous version';
      const body = webhookBatch([
        { id: inbox.igId, messaging: [inboundMessage({ account: inbox.igId, from, text })] },
      ]);
      const [draft] = draftsFromWebhook(body, Date.now()).drafts;
      const now = new Date();
      await t.connection.collection('webhook_inbox').insertOne({
        dedupeKey: draft.dedupeKey,
        kind: draft.kind,
        accountMetaId: draft.accountMetaId,
        status: 'processing',
        attempts: 1,
        lastError: null,
        nextAttemptAt: new Date(now.getTime() + 60_000),
        claimedAt: now,
        processedAt: null,
        receivedAt: now,
        payload: draft.payload,
        createdAt: now,
        updatedAt: now,
      });
      expect(await t.app.get(InboxMaintenance).sweep()).toBe(1);
      await drainInbox(t);

      // Applied, it left the inbox.
      expect(await rawDocs(t, 'webhook_inbox', { dedupeKey: draft.dedupeKey })).toEqual([]);
      const [conversation] = await rawDocs(t, 'conversations', { igUserId: from });
      expect(conversation).toMatchObject({ unreadCount: 1, lastMessage: text });
    } finally {
      await t.close();
    }
  });
});

describe('Webhook pipeline on two instances sharing one database and one Redis', () => {
  // Two app boots and 240 deliveries: about 25 s on a loaded 2-core machine, hence the timeout.
  it('counts exactly in 30 conversations whose deliveries are split between the instances', async () => {
    const first = await createTestApp();
    const second = await createTestApp({ databaseName: first.databaseName });
    try {
      const inbox = await createInbox(first);
      second.simulator.addAccount(inbox.account.sim);
      const participants = Array.from({ length: 30 }, () => {
        const participant = first.simulator.addUser();
        second.simulator.addUser(participant);
        return participant;
      });
      const base = Date.now() - 60_000;
      const events = participants.flatMap((participant, p) =>
        [0, 1, 2, 3].map((n) =>
          inboundMessage({
            account: inbox.igId,
            from: participant.igsid,
            text: `message ${n} of ${p}`,
            timestamp: base + n * 1000 + p,
          }),
        ),
      );
      // Every message reaches both instances (Meta retrying through another one), in random order.
      const deliveries = shuffled(
        events.flatMap((event) => [first, second].map((app) => ({ app, event }))),
      );
      // Up to 16 deliveries in flight at a time, as Meta spreads its deliveries.
      const answers = await inParallel(deliveries, 16, ({ app, event }) =>
        app.simulator.deliverWebhook(webhookBatch([{ id: inbox.igId, messaging: [event] }])),
      );
      expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
      await Promise.all([drainInbox(first), drainInbox(second)]);

      const ids = participants.map((participant) => participant.igsid);
      const conversations = await rawDocs(first, 'conversations', { igUserId: { $in: ids } });
      expect(conversations).toHaveLength(30);
      const wrong = conversations.filter((conversation) => {
        const p = ids.indexOf(conversation.igUserId as string);
        return conversation.unreadCount !== 4 || conversation.lastMessage !== `message 3 of ${p}`;
      });
      expect(wrong).toEqual([]);
      expect(await countDocs(first, 'messages', { senderId: { $in: ids } })).toBe(120);
      expect(await countDocs(first, 'webhook_inbox', { status: { $ne: 'done' } })).toBe(0);
    } finally {
      await second.close({ keepDatabase: true });
      await first.close();
    }
  }, 120_000);
});

describe('Webhook pipeline after Redis lost its jobs', () => {
  it('applies entries whose job was lost: the sweep enqueues their conversation again', async () => {
    const first = await createTestApp({ env: { PROCESS_ROLE: 'api' } });
    let second: TestApp | undefined;
    try {
      const inbox = await createInbox(first);
      const from = first.simulator.addUser().igsid;
      const text = 'kept in the inbox';
      await deliver(first, [
        { id: inbox.igId, messaging: [inboundMessage({ account: inbox.igId, from, text })] },
      ]);
      const queue = first.app.get<Queue>(getQueueToken(QUEUES.inbox));
      expect(await queue.getWaitingCount()).toBe(1);
      // Redis restarted empty: the job is gone, the entry waits in the database.
      await queue.obliterate({ force: true });
      expect(await queue.getWaitingCount()).toBe(0);
      await first.close({ keepDatabase: true });

      second = await createTestApp({
        databaseName: first.databaseName,
        env: { WEBHOOK_SWEEP_GRACE_MS: '0', WEBHOOK_SWEEP_INTERVAL_MS: '1000' },
      });
      const restarted = second;
      await waitFor(
        async () => (await countDocs(restarted, 'messages', { senderId: from })) === 1,
        { timeoutMs: 20_000, what: 'the swept entry to be applied' },
      );
      expect(await rawDocs(restarted, 'messages', { senderId: from })).toEqual([
        expect.objectContaining({ text }),
      ]);
      const [conversation] = await rawDocs(restarted, 'conversations', { igUserId: from });
      expect(conversation).toMatchObject({ unreadCount: 1, lastMessage: text });
    } finally {
      await second?.close();
    }
  });
});

describe('Webhook pipeline when Redis or the database is cut off', () => {
  let redis: TcpProxy;
  let database: TcpProxy;
  let t: TestApp;
  let inbox: Inbox;

  beforeAll(async () => {
    redis = await startProxy(process.env.TEST_REDIS_BASE_URL);
    database = await startProxy(process.env.TEST_MONGODB_BASE_URI);
    t = await appBehind(
      { redis, database },
      {
        WEBHOOK_STORE_TIMEOUT_MS: '1000',
        WEBHOOK_SWEEP_GRACE_MS: '500',
        WEBHOOK_SWEEP_INTERVAL_MS: '1000',
      },
    );
    inbox = await createInbox(t);
  });

  afterAll(async () => {
    redis.resume();
    database.resume();
    await t.close();
    await redis.stop();
    await database.stop();
  });

  function delivery(from: string, text: string) {
    return webhookBatch([
      { id: inbox.igId, messaging: [inboundMessage({ account: inbox.igId, from, text })] },
    ]);
  }

  it('acknowledges while Redis is unreachable, and the sweep applies what was stored once it is back', async () => {
    const from = t.simulator.addUser().igsid;
    redis.pause();
    const started = Date.now();
    const answer = await t.simulator.deliverWebhook(delivery(from, 'while Redis was away'));
    const took = Date.now() - started;
    await sleep(500);
    redis.resume();

    expect(answer).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
    expect(took).toBeLessThan(5000);
    await waitFor(async () => (await countDocs(t, 'messages', { senderId: from })) > 0, {
      timeoutMs: 20_000,
      what: 'the swept entry to be applied',
    });
    const stored = await rawDocs(t, 'messages', { senderId: from });
    expect(stored).toEqual([expect.objectContaining({ text: 'while Redis was away' })]);
    const [conversation] = await rawDocs(t, 'conversations', { igUserId: from });
    expect(conversation).toMatchObject({ unreadCount: 1, lastMessage: 'while Redis was away' });
  });

  it('answers 503 within seconds while the database is unreachable, and 200 again after', async () => {
    const from = t.simulator.addUser().igsid;
    database.pause();
    const started = Date.now();
    const refused = await t.simulator.deliverWebhook(delivery(from, 'during the outage'));
    const took = Date.now() - started;
    database.resume();

    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error.code).toBe(503);
    expect(took).toBeLessThan(5000);
    const again = await t.simulator.deliverWebhook(delivery(from, 'after the outage'));
    expect(again).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
    await drainInbox(t);
    const texts = (await rawDocs(t, 'messages', { senderId: from })).map((m) => m.text as string);
    expect(texts).toContain('after the outage');
    expect(await countDocs(t, 'messages', { senderId: from, text: 'after the outage' })).toBe(1);
  });
});

describe('A send whose outcome was never learned', () => {
  let t: TestApp;
  let inbox: Inbox;

  beforeAll(async () => {
    t = await createTestApp({ env: { META_TIMEOUT_MS: '300', META_MAX_RETRIES: '0' } });
    inbox = await createInbox(t);
  });

  afterAll(async () => {
    await t.close();
  });

  it('ends as one sent message when Meta delivered a send that timed out here and its echo arrives', async () => {
    const { participant, conversationId } = await startConversation(t, inbox);
    await request(t.simulator.url).post('/_simulator/latency').send({ ms: 1000 }).expect(200);
    const res = await t.http
      .post(`/v1/messages/${conversationId}`)
      .set('Authorization', inbox.user.auth)
      .send({ text: 'did it go out?' });
    await request(t.simulator.url).post('/_simulator/latency').send({ ms: 0 }).expect(200);
    expect(res.status).toBe(424);
    expect(await rawDocs(t, 'messages', { text: 'did it go out?' })).toEqual([
      expect.objectContaining({ status: 'failed' }),
    ]);
    const delivered = await waitFor(
      () => t.simulator.sentMessages.find((sent) => sent.recipientId === participant.igsid),
      { what: 'Meta to deliver the slow send' },
    );

    const echo = echoMessage({
      account: inbox.igId,
      to: participant.igsid,
      text: 'did it go out?',
      mid: delivered.messageId,
    });
    await deliver(t, [{ id: inbox.igId, messaging: [echo] }]);
    await drainInbox(t);

    const messages = await rawDocs(t, 'messages', { text: 'did it go out?' });
    expect(messages).toEqual([
      expect.objectContaining({ status: 'sent', messageId: delivered.messageId, error: null }),
    ]);
    const [conversation] = await rawDocs(t, 'conversations', { igUserId: participant.igsid });
    expect(conversation).toMatchObject({ lastMessage: 'did it go out?', unreadCount: 1 });
  });

  it('ends as one sent message when the instance sending it stopped and its echo arrives later', async () => {
    const { participant, conversationId } = await startConversation(t, inbox);
    await t.http
      .post(`/v1/messages/${conversationId}`)
      .set('Authorization', inbox.user.auth)
      .send({ text: 'sent by a stopped instance' })
      .expect(201);
    const [sent] = await rawDocs(t, 'messages', { text: 'sent by a stopped instance' });
    // As the instance left it: stored pending two minutes ago, Meta's answer never recorded.
    await t.connection.collection('messages').updateOne(
      { _id: sent._id },
      {
        $set: {
          status: 'pending',
          messageId: 'local:stopped-instance',
          createdAt: new Date(Date.now() - 120_000),
        },
      },
    );

    const echo = echoMessage({
      account: inbox.igId,
      to: participant.igsid,
      text: 'sent by a stopped instance',
      mid: sent.messageId as string,
    });
    await deliver(t, [{ id: inbox.igId, messaging: [echo] }]);
    await drainInbox(t);

    expect(await rawDocs(t, 'messages', { text: 'sent by a stopped instance' })).toEqual([
      expect.objectContaining({ _id: sent._id, status: 'sent', messageId: sent.messageId }),
    ]);
  });

  it('marks failed a send an instance left pending past the bound, and never sends it again', async () => {
    const { conversationId } = await startConversation(t, inbox);
    await t.http
      .post(`/v1/messages/${conversationId}`)
      .set('Authorization', inbox.user.auth)
      .send({ text: 'left pending' })
      .expect(201);
    const [sent] = await rawDocs(t, 'messages', { text: 'left pending' });
    await t.connection.collection('messages').updateOne(
      { _id: sent._id },
      {
        $set: {
          status: 'pending',
          messageId: 'local:left-pending',
          createdAt: new Date(Date.now() - 6 * 60_000),
        },
      },
    );
    const sends = t.simulator.sentMessages.length;

    expect(await t.app.get(UnconfirmedSendsTask).runOnce()).toBe(1);
    const [failed] = await rawDocs(t, 'messages', { _id: sent._id });
    expect(failed).toMatchObject({
      status: 'failed',
      error: { answer: { details: [{ reason: 'unconfirmed', retryable: false }] } },
    });
    expect(t.simulator.sentMessages).toHaveLength(sends);
    expect(await t.app.get(UnconfirmedSendsTask).runOnce()).toBe(0);
  });
});
