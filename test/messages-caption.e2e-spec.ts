import { Types } from 'mongoose';
import { echoMessage } from '../src/meta-simulator';
import {
  countDocs,
  createInbox,
  deliverAndProcess,
  rawDocs,
  startConversation,
  startGraphProxy,
  worker,
  type GraphProxy,
  type Inbox,
} from './utils/messaging-factories';
import { createTestApp, type TestApp } from './utils/test-app';

const PHOTO = { type: 'image', url: 'https://cdn.example.com/photo.jpg' };
const CAPTION = 'Here is the photo you asked for';

/** Meta's throttling refusal of a send. */
const RATE_LIMITED = {
  method: 'POST',
  path: /\/messages$/,
  status: 400,
  error: { message: '(#4) Application request limit reached', code: 4, type: 'OAuthException' },
  headers: { 'retry-after': '120' },
};

describe('Sending text with an attachment', () => {
  let t: TestApp;
  let proxy: GraphProxy;
  let inbox: Inbox;
  let conversationId: string;
  let participant: string;

  beforeAll(async () => {
    proxy = await startGraphProxy();
    t = await createTestApp({
      env: {
        META_GRAPH_API_URL: `${proxy.url}/graph`,
        META_INSTAGRAM_API_URL: `${proxy.url}/instagram`,
      },
    });
    proxy.target = t.simulator.url;
    inbox = await createInbox(t);
  });

  afterAll(async () => {
    await t.close();
    await proxy.stop();
  });

  beforeEach(async () => {
    const started = await startConversation(t, inbox, { text: 'Can I see a photo?' });
    conversationId = started.conversationId;
    participant = started.participant.igsid;
    t.simulator.sentMessages.length = 0;
    t.simulator.clearRequests();
  });

  afterEach(() => {
    proxy.beforeResponse = undefined;
  });

  const send = (body: Record<string, unknown>, key?: string) => {
    const req = t.http.post(`/v1/messages/${conversationId}`).set('Authorization', inbox.user.auth);
    if (key) void req.set('Idempotency-Key', key);
    return req.send(body);
  };

  /** What Meta received on the Send API, in order. */
  const metaReceived = () =>
    t.simulator.requests
      .filter((r) => r.method === 'POST' && r.path.endsWith('/messages'))
      .map((r) => (r.body as { message?: unknown }).message);

  const storedReplies = () =>
    rawDocs(t, 'messages', { conversation: new Types.ObjectId(conversationId), sender: 'page' });

  it('sends the attachment, then the text, stores both and answers one captioned message', async () => {
    const res = await send({
      text: CAPTION,
      attachment: PHOTO,
      replyTo: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx',
    }).expect(201);

    expect(metaReceived()).toEqual([
      { attachment: { type: 'image', payload: { url: PHOTO.url } } },
      { text: CAPTION },
    ]);
    const [first, second] = t.simulator.sentMessages;
    expect(first.body).toMatchObject({
      reply_to: { mid: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx' },
    });
    expect(second.body).not.toHaveProperty('reply_to');

    // What the original client reads and appends to its list.
    expect(res.body).toMatchObject({
      id: expect.any(String),
      sender: 'page',
      text: CAPTION,
      attachments: [PHOTO],
      timestamp: expect.any(String),
      status: 'sent',
    });
    expect(res.body.parts).toEqual([
      expect.objectContaining({
        id: res.body.id,
        messageId: first.messageId,
        text: null,
        attachments: [PHOTO],
        status: 'sent',
      }),
      expect.objectContaining({
        messageId: second.messageId,
        text: CAPTION,
        attachments: [],
        status: 'sent',
      }),
    ]);

    const stored = await storedReplies();
    expect(stored.map((m) => [m.messageId, m.status]).sort()).toEqual(
      [
        [first.messageId, 'sent'],
        [second.messageId, 'sent'],
      ].sort(),
    );
    const listed = await t.http
      .get(`/v1/messages/${conversationId}`)
      .set('Authorization', inbox.user.auth)
      .expect(200);
    expect(listed.body.messages.map((m: { id: string }) => m.id)).toEqual([
      res.body.parts[1].id,
      res.body.parts[0].id,
      expect.any(String),
    ]);
    const [conversation] = await rawDocs(t, 'conversations', { igUserId: participant });
    expect(conversation).toMatchObject({ lastMessage: CAPTION, lastMessageId: second.messageId });
    expect(
      await countDocs(t, 'audit_logs', {
        action: 'message.sent',
        'target.id': { $in: res.body.parts.map((p: { id: string }) => p.id) },
      }),
    ).toBe(2);
  });

  it('does not send the text when the attachment fails, and stores both as failed', async () => {
    t.simulator.failNext({ ...RATE_LIMITED, headers: { 'retry-after': '90' } });
    const res = await send({ text: CAPTION, attachment: PHOTO }, 'photo-fails').expect(429);
    expect(res.headers['retry-after']).toBe('90');
    expect(res.body.error).toMatchObject({
      code: 429,
      details: [{ reason: 'rate_limited', metaCode: 4, retryable: true }],
    });
    expect(metaReceived()).toEqual([
      { attachment: { type: 'image', payload: { url: PHOTO.url } } },
    ]);

    const stored = await storedReplies();
    expect(stored).toHaveLength(2);
    expect(stored.every((m) => m.status === 'failed')).toBe(true);
    const listed = await t.http
      .get(`/v1/messages/${conversationId}`)
      .set('Authorization', inbox.user.auth)
      .expect(200);
    expect(listed.body.total).toBe(1);
    const withFailed = await t.http
      .get(`/v1/messages/${conversationId}`)
      .query({ includeFailed: true })
      .set('Authorization', inbox.user.auth)
      .expect(200);
    expect(withFailed.body.messages.slice(0, 2)).toEqual([
      expect.objectContaining({
        text: CAPTION,
        status: 'failed',
        error: expect.objectContaining({ message: expect.stringMatching(/attachment/) }),
      }),
      expect.objectContaining({
        attachments: [PHOTO],
        status: 'failed',
        error: expect.objectContaining({ code: 4 }),
      }),
    ]);

    const retry = await send({ text: CAPTION, attachment: PHOTO }, 'photo-fails').expect(429);
    expect(retry.body).toEqual(res.body);
    expect(metaReceived()).toHaveLength(1);
  });

  it('says precisely which part failed when the text fails after the attachment went out', async () => {
    proxy.beforeResponse = async (request, body) => {
      if (request.method !== 'POST' || !request.path.endsWith('/messages')) return;
      if ((JSON.parse(body) as { message_id?: string }).message_id) {
        t.simulator.failNext(RATE_LIMITED);
        proxy.beforeResponse = undefined;
      }
      await Promise.resolve();
    };
    const res = await send({ text: CAPTION, attachment: PHOTO }, 'caption-fails').expect(429);
    expect(res.headers['retry-after']).toBe('120');

    const [delivered] = t.simulator.sentMessages;
    expect(t.simulator.sentMessages).toHaveLength(1);
    expect(metaReceived()).toEqual([
      { attachment: { type: 'image', payload: { url: PHOTO.url } } },
      { text: CAPTION },
    ]);
    const stored = await storedReplies();
    const attachment = stored.find((m) => m.attachments.length === 1);
    const text = stored.find((m) => m.text === CAPTION);
    expect(attachment).toMatchObject({ status: 'sent', messageId: delivered.messageId });
    expect(text).toMatchObject({ status: 'failed', error: { code: 4 } });
    expect(res.body.error).toEqual({
      code: 429,
      message:
        'The attachment was sent, but the text was not: (#4) Application request limit reached',
      details: [
        {
          part: 'text',
          reason: 'rate_limited',
          retryable: true,
          metaCode: 4,
          metaHttpStatus: 400,
          fbtraceId: expect.any(String),
        },
        {
          part: 'attachment',
          sent: true,
          id: String(attachment?._id),
          messageId: delivered.messageId,
        },
      ],
    });
    const [conversation] = await rawDocs(t, 'conversations', { igUserId: participant });
    expect(conversation.lastMessageId).toBe(delivered.messageId);

    const retry = await send({ text: CAPTION, attachment: PHOTO }, 'caption-fails').expect(429);
    expect(retry.body).toEqual(res.body);
    expect(metaReceived()).toHaveLength(2);
  });

  it('answers a retry with the same Idempotency-Key with the same body and sends nothing', async () => {
    const first = await send({ text: CAPTION, attachment: PHOTO }, 'photo-42').expect(201);
    const retry = await send({ text: CAPTION, attachment: PHOTO }, 'photo-42').expect(201);
    expect(retry.body).toEqual(first.body);
    expect(metaReceived()).toHaveLength(2);

    const concurrent = await Promise.all([
      send({ text: CAPTION, attachment: PHOTO }, 'photo-43'),
      send({ text: CAPTION, attachment: PHOTO }, 'photo-43'),
    ]);
    expect(concurrent.map((r) => r.status)).toEqual([201, 201]);
    expect(concurrent[0].body.id).toBe(concurrent[1].body.id);
    expect(concurrent[0].body.parts.map((p: { id: string }) => p.id)).toEqual(
      concurrent[1].body.parts.map((p: { id: string }) => p.id),
    );
    expect(metaReceived()).toHaveLength(4);
    expect(await storedReplies()).toHaveLength(4);
  });

  it('keeps one message per part when their echoes arrive before Meta’s answers', async () => {
    proxy.beforeResponse = async (request, body) => {
      if (request.method !== 'POST' || !request.path.endsWith('/messages')) return;
      const { message_id: mid } = JSON.parse(body) as { message_id?: string };
      if (!mid) return;
      const sent = t.simulator.sentMessages.find((m) => m.messageId === mid);
      const message = sent?.body.message as { text?: string; attachment?: unknown };
      await deliverAndProcess(t, inbox.igId, [
        echoMessage({
          account: inbox.igId,
          to: participant,
          mid,
          ...(message.text ? { text: message.text } : { attachments: [PHOTO] }),
        }),
      ]);
    };
    const res = await send({ text: CAPTION, attachment: PHOTO }).expect(201);
    proxy.beforeResponse = undefined;
    await worker(t).drain();

    const stored = await storedReplies();
    expect(stored).toHaveLength(2);
    expect(stored.map((m) => String(m._id)).sort()).toEqual(
      res.body.parts.map((p: { id: string }) => p.id).sort(),
    );
    expect(stored.every((m) => m.status === 'sent')).toBe(true);
    expect(res.body.parts.map((p: { messageId: string }) => p.messageId)).toEqual(
      t.simulator.sentMessages.map((m) => m.messageId),
    );
  });

  it('keeps one message per part when their echoes arrive after Meta’s answers', async () => {
    const res = await send({ text: CAPTION, attachment: PHOTO }).expect(201);
    const [attachment, text] = res.body.parts as { messageId: string }[];
    await deliverAndProcess(t, inbox.igId, [
      echoMessage({
        account: inbox.igId,
        to: participant,
        mid: attachment.messageId,
        attachments: [PHOTO],
      }),
      echoMessage({ account: inbox.igId, to: participant, mid: text.messageId, text: CAPTION }),
    ]);
    expect(await storedReplies()).toHaveLength(2);
  });
});
