import type { Document } from 'mongodb';
import {
  deletedMessage,
  echoMessage,
  inboundMessage,
  postback,
  reaction,
  readReceipt,
  referral,
  webhookBatch,
  type SimUser,
} from '../src/meta-simulator';
import {
  countDocs,
  createInbox,
  deliver,
  deliverAndProcess,
  rawDocs,
  waitFor,
  worker,
  type Inbox,
} from './utils/messaging-factories';
import { createTestApp, type TestApp } from './utils/test-app';

function midOf(event: { message?: Record<string, unknown> }): string {
  return (event.message as { mid: string }).mid;
}

describe('Webhook event processing', () => {
  let t: TestApp;
  let inbox: Inbox;

  beforeAll(async () => {
    t = await createTestApp();
    inbox = await createInbox(t);
  });

  afterAll(async () => {
    await t.close();
  });

  let participant: SimUser;
  beforeEach(() => {
    participant = t.simulator.addUser();
  });

  const from = () => participant.igsid;

  async function conversation(): Promise<Document> {
    const [found] = await rawDocs(t, 'conversations', { igUserId: from() });
    return found;
  }

  async function messagesOf(): Promise<Document[]> {
    return (await rawDocs(t, 'messages', { conversation: (await conversation())._id })).sort(
      (a, b) => a.timestamp - b.timestamp,
    );
  }

  async function conversationApi(): Promise<Document> {
    const { _id } = await conversation();
    const res = await t.http
      .get(`/v1/conversations/detail/${String(_id)}`)
      .set('Authorization', inbox.user.auth)
      .expect(200);
    return res.body;
  }

  async function messagesApi(): Promise<Document[]> {
    const { _id } = await conversation();
    const res = await t.http
      .get(`/v1/messages/${String(_id)}`)
      .set('Authorization', inbox.user.auth)
      .expect(200);
    return res.body.messages;
  }

  it('creates the conversation and stores an inbound message', async () => {
    const event = inboundMessage({ account: inbox.igId, from: from(), text: 'Hello shop!' });
    await deliverAndProcess(t, inbox.igId, [event]);

    const body = await conversationApi();
    expect(body).toMatchObject({
      instagramAccount: inbox.account.id,
      igUserId: from(),
      lastMessage: 'Hello shop!',
      lastMessageTimestamp: new Date(event.timestamp).toISOString(),
      unreadCount: 1,
      isActive: true,
      canReply: true,
      windowExpiresAt: new Date(event.timestamp + 24 * 60 * 60 * 1000).toISOString(),
    });
    const [message] = await messagesApi();
    expect(message).toMatchObject({
      conversation: body.id,
      instagramAccount: inbox.account.id,
      messageId: midOf(event),
      sender: 'user',
      senderId: from(),
      text: 'Hello shop!',
      attachments: [],
      timestamp: new Date(event.timestamp).toISOString(),
      isRead: false,
      status: 'received',
      error: null,
      replyTo: null,
      reactions: [],
      isDeleted: false,
      metadata: {},
    });
  });

  it('fetches the participant’s profile in the background and caches it', async () => {
    await deliverAndProcess(t, inbox.igId, [
      inboundMessage({ account: inbox.igId, from: from(), text: 'first' }),
    ]);
    const body = await conversationApi();
    expect(body).toMatchObject({
      igUsername: participant.username,
      name: participant.name,
      profilePictureUrl: participant.profilePic,
    });
    const profileCalls = () =>
      t.simulator.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/${from()}`))
        .length;
    expect(profileCalls()).toBe(1);
    await deliverAndProcess(t, inbox.igId, [
      inboundMessage({ account: inbox.igId, from: from(), text: 'second' }),
    ]);
    expect(profileCalls()).toBe(1);
  });

  it('stores messages even when the profile cannot be fetched', async () => {
    t.simulator.failNext({
      method: 'GET',
      path: `/${from()}`,
      times: Infinity,
      status: 500,
      error: { message: 'An unexpected error has occurred.', code: 2, type: 'OAuthException' },
    });
    try {
      await deliverAndProcess(t, inbox.igId, [
        inboundMessage({ account: inbox.igId, from: from(), text: 'no profile' }),
      ]);
      const body = await conversationApi();
      expect(body).toMatchObject({ lastMessage: 'no profile', igUsername: null, name: null });
      expect(await countDocs(t, 'webhook_inbox', { status: 'failed' })).toBe(0);
    } finally {
      t.simulator.reset();
      inbox = await createInbox(t, { user: inbox.user });
    }
  });

  it('keeps the newest message as lastMessage when an older one arrives late', async () => {
    const now = Date.now();
    const newer = inboundMessage({
      account: inbox.igId,
      from: from(),
      text: 'newer',
      timestamp: now,
    });
    const older = inboundMessage({
      account: inbox.igId,
      from: from(),
      text: 'older',
      timestamp: now - 5000,
    });
    await deliverAndProcess(t, inbox.igId, [newer]);
    await deliverAndProcess(t, inbox.igId, [older]);

    expect(await conversation()).toMatchObject({
      lastMessage: 'newer',
      lastMessageTimestamp: new Date(now),
      lastInboundAt: new Date(now),
      unreadCount: 2,
    });
    expect((await messagesApi()).map((m) => m.text)).toEqual(['newer', 'older']);
  });

  it('creates one conversation when a new participant’s first messages arrive concurrently', async () => {
    const now = Date.now();
    const first = webhookBatch([
      {
        id: inbox.igId,
        messaging: [
          inboundMessage({ account: inbox.igId, from: from(), text: 'a', timestamp: now }),
        ],
      },
    ]);
    const second = webhookBatch([
      {
        id: inbox.igId,
        messaging: [
          inboundMessage({ account: inbox.igId, from: from(), text: 'b', timestamp: now + 1 }),
        ],
      },
    ]);
    const answers = await Promise.all([
      t.simulator.deliverWebhook(first),
      t.simulator.deliverWebhook(second),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await worker(t).drain();

    expect(await countDocs(t, 'conversations', { igUserId: from() })).toBe(1);
    expect(await conversation()).toMatchObject({ unreadCount: 2, lastMessage: 'b' });
    expect((await messagesOf()).map((m) => m.text)).toEqual(['a', 'b']);
  });

  it('stores an echo of a message sent from another client as sent by the account', async () => {
    await deliverAndProcess(t, inbox.igId, [
      inboundMessage({ account: inbox.igId, from: from(), text: 'Is it in stock?' }),
    ]);
    const echo = echoMessage({ account: inbox.igId, to: from(), text: 'Yes, it is!' });
    await deliverAndProcess(t, inbox.igId, [echo]);

    const messages = await messagesApi();
    expect(messages[0]).toMatchObject({
      messageId: midOf(echo),
      sender: 'page',
      senderId: inbox.igId,
      text: 'Yes, it is!',
      status: 'sent',
    });
    expect(await conversation()).toMatchObject({ lastMessage: 'Yes, it is!', unreadCount: 1 });
  });

  it('removes the text and attachments of a message the user unsent', async () => {
    const event = inboundMessage({
      account: inbox.igId,
      from: from(),
      text: 'oops, wrong chat',
      attachments: [{ type: 'image', url: 'https://cdn.example.com/p.jpg' }],
    });
    await deliverAndProcess(t, inbox.igId, [event]);
    await deliverAndProcess(t, inbox.igId, [
      deletedMessage({ account: inbox.igId, from: from(), mid: midOf(event) }),
    ]);

    const [message] = await messagesApi();
    expect(message).toMatchObject({ isDeleted: true, text: null, attachments: [] });
    const stored = await conversation();
    expect(stored.lastMessage).not.toContain('oops');
    expect(stored.unreadCount).toBe(0);
  });

  it('applies reactions and their removal to the target message', async () => {
    const event = inboundMessage({ account: inbox.igId, from: from(), text: 'react here' });
    const echo = echoMessage({ account: inbox.igId, to: from(), text: 'our answer' });
    await deliverAndProcess(t, inbox.igId, [event, echo]);
    const now = Date.now();
    await deliverAndProcess(t, inbox.igId, [
      reaction({
        account: inbox.igId,
        from: from(),
        mid: midOf(echo),
        action: 'react',
        reaction: 'love',
        emoji: '\u2764\uFE0F',
        timestamp: now,
      }),
    ]);
    let answer = (await messagesApi()).find((m) => m.messageId === midOf(echo));
    expect(answer?.reactions).toEqual([
      { userId: from(), reaction: 'love', emoji: '\u2764\uFE0F', at: new Date(now).toISOString() },
    ]);

    await deliverAndProcess(t, inbox.igId, [
      reaction({
        account: inbox.igId,
        from: from(),
        mid: midOf(echo),
        action: 'unreact',
        timestamp: now + 1000,
      }),
      reaction({
        account: inbox.igId,
        from: from(),
        mid: midOf(echo),
        action: 'react',
        reaction: 'wow',
        timestamp: now + 500,
      }),
    ]);
    answer = (await messagesApi()).find((m) => m.messageId === midOf(echo));
    expect(answer?.reactions).toEqual([]);
  });

  it('marks the account’s messages read by the user up to the read mid', async () => {
    const now = Date.now();
    await deliverAndProcess(t, inbox.igId, [
      inboundMessage({ account: inbox.igId, from: from(), text: 'hi', timestamp: now - 4000 }),
    ]);
    const first = echoMessage({
      account: inbox.igId,
      to: from(),
      text: 'one',
      timestamp: now - 3000,
    });
    const second = echoMessage({
      account: inbox.igId,
      to: from(),
      text: 'two',
      timestamp: now - 2000,
    });
    const third = echoMessage({
      account: inbox.igId,
      to: from(),
      text: 'three',
      timestamp: now - 1000,
    });
    await deliverAndProcess(t, inbox.igId, [first, second, third]);
    await deliverAndProcess(t, inbox.igId, [
      readReceipt({ account: inbox.igId, from: from(), mid: midOf(second), timestamp: now }),
    ]);

    const read = Object.fromEntries((await messagesApi()).map((m) => [m.text, m.isRead]));
    expect(read).toEqual({ hi: false, one: true, two: true, three: false });
  });

  it('stores postbacks (ice breakers, buttons) with their payload', async () => {
    const event = postback({
      account: inbox.igId,
      from: from(),
      title: 'Track my order',
      payload: 'ICEBREAKER_TRACK_ORDER',
    });
    await deliverAndProcess(t, inbox.igId, [event]);
    const [message] = await messagesApi();
    expect(message).toMatchObject({
      sender: 'user',
      text: 'Track my order',
      metadata: { postback: { title: 'Track my order', payload: 'ICEBREAKER_TRACK_ORDER' } },
    });
    expect(await conversation()).toMatchObject({ lastMessage: 'Track my order', unreadCount: 1 });
  });

  it('records a referral without a message on the conversation, not as a message', async () => {
    const at = Date.now();
    await deliverAndProcess(t, inbox.igId, [
      referral({ account: inbox.igId, from: from(), ref: 'summer-sale', timestamp: at }),
    ]);
    expect(await messagesApi()).toEqual([]);
    expect(await conversationApi()).toMatchObject({
      lastMessage: null,
      unreadCount: 0,
      canReply: true,
      referral: {
        source: 'SHORTLINKS',
        type: 'OPEN_THREAD',
        ref: 'summer-sale',
        adId: null,
        at: new Date(at).toISOString(),
      },
    });
  });

  it('keeps what a message replies to: a story or another message', async () => {
    const story = inboundMessage({
      account: inbox.igId,
      from: from(),
      text: 'Love this story',
      replyToStory: { id: '17890000000000001', url: 'https://cdn.example.com/story.mp4' },
    });
    const reply = inboundMessage({
      account: inbox.igId,
      from: from(),
      text: 'answering you',
      replyToMid: midOf(story),
      timestamp: story.timestamp + 1,
    });
    await deliverAndProcess(t, inbox.igId, [story, reply]);
    const [second, first] = await messagesApi();
    expect(first.replyTo).toEqual({
      story: { id: '17890000000000001', url: 'https://cdn.example.com/story.mp4' },
    });
    expect(second.replyTo).toEqual({ mid: midOf(story) });
  });

  it('keeps every attachment with its type and URL', async () => {
    const types = [
      'image',
      'video',
      'audio',
      'file',
      'share',
      'story_mention',
      'ig_reel',
      'reel',
      'sticker',
    ];
    const attachments = types.map((type) => ({ type, url: `https://cdn.example.com/${type}` }));
    await deliverAndProcess(t, inbox.igId, [
      inboundMessage({ account: inbox.igId, from: from(), attachments }),
    ]);
    const [message] = await messagesApi();
    expect(message.attachments).toEqual(attachments);
    expect(message.text).toBeNull();
    expect((await conversation()).lastMessage).toBe('[9 attachment(s)]');
  });

  it('stores unsupported messages and quick-reply payloads', async () => {
    const now = Date.now();
    await deliverAndProcess(t, inbox.igId, [
      inboundMessage({
        account: inbox.igId,
        from: from(),
        isUnsupported: true,
        timestamp: now - 1,
      }),
      inboundMessage({
        account: inbox.igId,
        from: from(),
        text: 'Small',
        quickReplyPayload: 'SIZE_S',
        timestamp: now,
      }),
    ]);
    const [quick, unsupported] = await messagesApi();
    expect(unsupported).toMatchObject({ status: 'unsupported', text: null });
    expect(quick).toMatchObject({ text: 'Small', metadata: { quickReply: { payload: 'SIZE_S' } } });
  });

  it('processes events delivered in the standby array', async () => {
    await deliver(t, [
      {
        id: inbox.igId,
        standby: [inboundMessage({ account: inbox.igId, from: from(), text: 'while handed over' })],
      },
    ]);
    await worker(t).drain();
    expect((await messagesOf()).map((m) => m.text)).toEqual(['while handed over']);
  });

  it('matches a Facebook-Login account by its Page id', async () => {
    const facebook = await createInbox(t, { connectionType: 'facebook' });
    const pageId = facebook.account.sim.pageId as string;
    await deliver(t, [
      {
        id: pageId,
        messaging: [inboundMessage({ account: pageId, from: from(), text: 'via the page' })],
      },
    ]);
    await worker(t).drain();
    const found = await waitFor(async () => (await conversation()) ?? undefined);
    expect(String(found.instagramAccount)).toBe(facebook.account.id);
  });
});

describe('Webhook processing by two processes on one database', () => {
  it('creates one conversation when both receive a new participant’s first messages', async () => {
    const first = await createTestApp();
    const second = await createTestApp({ databaseName: first.databaseName });
    try {
      const inbox = await createInbox(first);
      second.simulator.addAccount(inbox.account.sim);
      const participant = first.simulator.addUser();
      second.simulator.addUser(participant);
      const now = Date.now();
      const delivery = (text: string, timestamp: number) =>
        webhookBatch([
          {
            id: inbox.igId,
            messaging: [
              inboundMessage({ account: inbox.igId, from: participant.igsid, text, timestamp }),
            ],
          },
        ]);
      const answers = await Promise.all([
        first.simulator.deliverWebhook(delivery('to one', now)),
        second.simulator.deliverWebhook(delivery('to two', now + 1)),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      await Promise.all([worker(first).drain(), worker(second).drain()]);

      expect(await countDocs(first, 'conversations', { igUserId: participant.igsid })).toBe(1);
      const messages = await rawDocs(first, 'messages', { senderId: participant.igsid });
      expect(messages.map((m) => m.text).sort()).toEqual(['to one', 'to two']);
      const [conversation] = await rawDocs(first, 'conversations', { igUserId: participant.igsid });
      expect(messages.every((m) => String(m.conversation) === String(conversation._id))).toBe(true);
    } finally {
      await second.close({ keepDatabase: true });
      await first.close();
    }
  });
});
