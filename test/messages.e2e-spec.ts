import { echoMessage, inboundMessage } from '../src/meta-simulator';
import { createUser, type TestUser } from './utils/factories';
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

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describe('Messages', () => {
  let t: TestApp;
  let proxy: GraphProxy;
  let inbox: Inbox;
  let stranger: TestUser;
  let admin: TestUser;

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
    stranger = await createUser(t);
    admin = await createUser(t, { role: 'admin' });
  });

  afterAll(async () => {
    await t.close();
    await proxy.stop();
  });

  afterEach(() => {
    proxy.beforeResponse = undefined;
  });

  const send = (conversationId: string, body: Record<string, unknown>, user = inbox.user) =>
    t.http.post(`/v1/messages/${conversationId}`).set('Authorization', user.auth).send(body);

  const list = (conversationId: string, query: Record<string, unknown> = {}, user = inbox.user) =>
    t.http.get(`/v1/messages/${conversationId}`).set('Authorization', user.auth).query(query);

  const sendCalls = () => t.simulator.sentMessages.length;

  describe('reading', () => {
    let conversationId: string;
    let participant: string;
    const base = Date.now() - 60 * 60_000;

    beforeAll(async () => {
      const started = await startConversation(t, inbox, { text: 'm0', timestamp: base });
      conversationId = started.conversationId;
      participant = started.participant.igsid;
      const events = Array.from({ length: 6 }, (_, i) =>
        inboundMessage({
          account: inbox.igId,
          from: participant,
          text: `m${i + 1}`,
          timestamp: base + (i + 1) * 1000,
        }),
      );
      await deliverAndProcess(t, inbox.igId, events);
    });

    const texts = (res: { body: { messages: { text: string }[] } }) =>
      res.body.messages.map((m) => m.text);

    it('lists messages newest first with totals', async () => {
      const res = await list(conversationId).expect(200);
      expect(res.body).toMatchObject({ total: 7, limit: 50, skip: 0, nextCursor: null });
      expect(texts(res)).toEqual(['m6', 'm5', 'm4', 'm3', 'm2', 'm1', 'm0']);
      expect(Object.keys(res.body.messages[0]).sort()).toEqual(
        [
          'attachments',
          'conversation',
          'createdAt',
          'error',
          'id',
          'instagramAccount',
          'isDeleted',
          'isRead',
          'messageId',
          'metadata',
          'reactions',
          'replyTo',
          'sender',
          'senderId',
          'status',
          'text',
          'timestamp',
          'updatedAt',
        ].sort(),
      );
    });

    it('pages with skip and refuses page sizes above 100', async () => {
      const res = await list(conversationId, { limit: 2, skip: 2 }).expect(200);
      expect(texts(res)).toEqual(['m4', 'm3']);
      expect(res.body).toMatchObject({ total: 7, limit: 2, skip: 2 });
      await list(conversationId, { limit: 101 }).expect(400);
      await list(conversationId, { before: '!!' }).expect(400);
    });

    it('pages with the before cursor while new messages arrive', async () => {
      const first = await list(conversationId, { limit: 3 }).expect(200);
      expect(texts(first)).toEqual(['m6', 'm5', 'm4']);
      await deliverAndProcess(t, inbox.igId, [
        inboundMessage({ account: inbox.igId, from: participant, text: 'late news' }),
      ]);
      const second = await list(conversationId, { limit: 3, before: first.body.nextCursor }).expect(
        200,
      );
      expect(texts(second)).toEqual(['m3', 'm2', 'm1']);
      expect(second.body.total).toBe(8);
      const third = await list(conversationId, { limit: 3, before: second.body.nextCursor }).expect(
        200,
      );
      expect(texts(third)).toEqual(['m0']);
      expect(third.body.nextCursor).toBeNull();
      const skipped = await list(conversationId, { limit: 3, skip: 3 }).expect(200);
      expect(texts(skipped)).toEqual(['m4', 'm3', 'm2']);
    });

    it('marks inbound messages read, resets unreadCount and sends mark_seen', async () => {
      t.simulator.clearRequests();
      await t.http
        .post(`/v1/messages/${conversationId}/read`)
        .set('Authorization', inbox.user.auth)
        .expect(204);
      const stored = await rawDocs(t, 'messages', { senderId: participant });
      expect(stored.every((m) => m.isRead === true)).toBe(true);
      const [conversation] = await rawDocs(t, 'conversations', { igUserId: participant });
      expect(conversation.unreadCount).toBe(0);
      const seen = t.simulator.requests.find(
        (r) =>
          r.method === 'POST' &&
          (r.body as { sender_action?: string }).sender_action === 'mark_seen',
      );
      expect(seen?.body).toMatchObject({
        recipient: { id: participant },
        sender_action: 'mark_seen',
      });
    });

    it('marks read even when Meta refuses mark_seen', async () => {
      await deliverAndProcess(t, inbox.igId, [
        inboundMessage({ account: inbox.igId, from: participant, text: 'unread again' }),
      ]);
      t.simulator.failNext({
        method: 'POST',
        path: /\/messages$/,
        times: Infinity,
        status: 500,
        error: { message: 'An unexpected error has occurred.', code: 2 },
      });
      try {
        await t.http
          .post(`/v1/messages/${conversationId}/read`)
          .set('Authorization', inbox.user.auth)
          .expect(204);
      } finally {
        t.simulator.reset();
        t.simulator.addAccount(inbox.account.sim);
        t.simulator.addUser({ igsid: participant });
      }
      const [conversation] = await rawDocs(t, 'conversations', { igUserId: participant });
      expect(conversation.unreadCount).toBe(0);
    });

    it('keeps other users’ conversations private (admins may only read) and refuses malformed ids', async () => {
      await list(conversationId, {}, stranger).expect(404);
      await list(conversationId, {}, admin).expect(200);
      for (const user of [stranger, admin]) {
        await send(conversationId, { text: 'hi' }, user).expect(404);
        await t.http
          .post(`/v1/messages/${conversationId}/read`)
          .set('Authorization', user.auth)
          .expect(404);
      }
      await list('not-an-id').expect(400);
      await send('123', { text: 'hi' }).expect(400);
      await t.http.post('/v1/messages/xyz/read').set('Authorization', inbox.user.auth).expect(400);
      await list('0123456789abcdef01234567').expect(404);
      expect(sendCalls()).toBe(0);
    });
  });

  describe('sending', () => {
    let conversationId: string;
    let participant: string;

    beforeEach(async () => {
      const started = await startConversation(t, inbox, { text: 'Do you ship abroad?' });
      conversationId = started.conversationId;
      participant = started.participant.igsid;
    });

    async function expectNothingSent(before: number): Promise<void> {
      expect(
        await countDocs(t, 'messages', { conversation: { $exists: true }, sender: 'page' }),
      ).toBe(before);
      expect(sendCalls()).toBe(0);
    }

    it('sends a text message and stores it as sent with Meta’s id', async () => {
      t.simulator.sentMessages.length = 0;
      const res = await send(conversationId, { text: 'Yes, worldwide!' }).expect(201);
      const [sent] = t.simulator.sentMessages;
      expect(sent.body).toMatchObject({
        recipient: { id: participant },
        message: { text: 'Yes, worldwide!' },
      });
      expect(res.body).toMatchObject({
        conversation: conversationId,
        instagramAccount: inbox.account.id,
        messageId: sent.messageId,
        sender: 'page',
        senderId: inbox.igId,
        text: 'Yes, worldwide!',
        status: 'sent',
        error: null,
      });
      const conversation = await t.http
        .get(`/v1/conversations/detail/${conversationId}`)
        .set('Authorization', inbox.user.auth)
        .expect(200);
      expect(conversation.body).toMatchObject({ lastMessage: 'Yes, worldwide!', unreadCount: 1 });
      const [audit] = await rawDocs(t, 'audit_logs', {
        action: 'message.sent',
        'target.id': res.body.id,
      });
      expect(audit).toMatchObject({ metadata: { conversationId, messageId: sent.messageId } });
    });

    it('sends an attachment as a reply', async () => {
      t.simulator.sentMessages.length = 0;
      const res = await send(conversationId, {
        attachment: { type: 'image', url: 'https://cdn.example.com/catalogue.jpg' },
        replyTo: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx',
      }).expect(201);
      expect(res.body).toMatchObject({
        text: null,
        attachments: [{ type: 'image', url: 'https://cdn.example.com/catalogue.jpg' }],
        replyTo: { mid: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx' },
        status: 'sent',
      });
      expect(t.simulator.sentMessages[0].body).toMatchObject({
        message: {
          attachment: { type: 'image', payload: { url: 'https://cdn.example.com/catalogue.jpg' } },
        },
      });
    });

    it('refuses invalid messages with 400 and sends or stores nothing', async () => {
      t.simulator.sentMessages.length = 0;
      const stored = await countDocs(t, 'messages', { sender: 'page' });
      const invalid: Record<string, unknown>[] = [
        {},
        { text: '' },
        { text: '   ' },
        { text: 'é'.repeat(501) },
        { text: 'caption', attachment: { type: 'image', url: 'ftp://cdn.example.com/a.jpg' } },
        { attachment: { type: 'image', url: 'ftp://cdn.example.com/a.jpg' } },
        { attachment: { type: 'image', url: 'javascript:alert(1)' } },
        { attachment: { type: 'sticker', url: 'https://cdn.example.com/a.png' } },
        { attachment: 'https://cdn.example.com/a.jpg' },
        { text: 'hi', tag: 'CONFIRMED_EVENT_UPDATE' },
        { text: 'hi', replyTo: 42 },
        { text: 'hi', unexpected: true },
      ];
      for (const body of invalid) {
        const res = await send(conversationId, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.error.code).toBe(400);
      }
      await t.http
        .post(`/v1/messages/${conversationId}`)
        .set('Authorization', inbox.user.auth)
        .set('Idempotency-Key', 'k'.repeat(256))
        .send({ text: 'hi' })
        .expect(400);
      await expectNothingSent(stored);
    });

    it('accepts text of exactly 1,000 UTF-8 bytes', async () => {
      await send(conversationId, { text: 'é'.repeat(500) }).expect(201);
    });

    it('refuses to send outside the 24-hour window with 422', async () => {
      t.simulator.sentMessages.length = 0;
      const old = await startConversation(t, inbox, { timestamp: Date.now() - 25 * HOUR });
      const stored = await countDocs(t, 'messages', { sender: 'page' });
      const res = await send(old.conversationId, { text: 'Sorry for the wait' }).expect(422);
      expect(res.body.error.message).toMatch(/24-hour messaging window has closed/);
      const tagged = await send(old.conversationId, { text: 'hi', tag: 'HUMAN_AGENT' }).expect(422);
      expect(tagged.body.error.message).toMatch(/HUMAN_AGENT/);
      await expectNothingSent(stored);
    });

    it('stores the message as failed and answers 429 when Meta rate-limits', async () => {
      t.simulator.failNext({
        method: 'POST',
        path: /\/messages$/,
        times: Infinity,
        status: 400,
        error: {
          message: '(#4) Application request limit reached',
          code: 4,
          type: 'OAuthException',
        },
        headers: { 'retry-after': '120' },
      });
      try {
        const res = await send(conversationId, { text: 'too fast' }).expect(429);
        expect(res.headers['retry-after']).toBe('120');
        expect(res.body.error).toMatchObject({ code: 429 });
      } finally {
        t.simulator.reset();
        t.simulator.addAccount(inbox.account.sim);
        t.simulator.addUser({ igsid: participant });
      }
      const [failed] = await rawDocs(t, 'messages', { text: 'too fast' });
      expect(failed).toMatchObject({ status: 'failed', error: { code: 4 } });
      const listed = await list(conversationId, { includeFailed: true }).expect(200);
      expect(listed.body.messages[0]).toMatchObject({
        text: 'too fast',
        status: 'failed',
        messageId: null,
        error: { code: 4, subcode: null, message: '(#4) Application request limit reached' },
      });
    });

    it('leaves refused sends out of the list unless includeFailed=true, totals and cursors included', async () => {
      await send(conversationId, { text: 'first reply' }).expect(201);
      t.simulator.failNext({
        method: 'POST',
        path: /\/messages$/,
        status: 400,
        error: { message: 'Something Meta did not expect', code: 12345 },
      });
      await send(conversationId, { text: 'refused reply' }).expect(424);
      await send(conversationId, { text: 'second reply' }).expect(201);
      const visible = ['second reply', 'first reply', 'Do you ship abroad?'];

      const all = await list(conversationId).expect(200);
      expect(all.body.messages.map((m: { text: string }) => m.text)).toEqual(visible);
      expect(all.body.total).toBe(3);
      const paged: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 3; page++) {
        const res = await list(conversationId, { limit: 1, ...(cursor ? { before: cursor } : {}) });
        expect(res.status).toBe(200);
        expect(res.body.total).toBe(3);
        paged.push(...res.body.messages.map((m: { text: string }) => m.text));
        cursor = res.body.nextCursor ?? undefined;
        expect(Boolean(cursor)).toBe(page < 2);
      }
      expect(paged).toEqual(visible);
      const skipped = await list(conversationId, { limit: 1, skip: 1 }).expect(200);
      expect(skipped.body).toMatchObject({ total: 3, messages: [{ text: 'first reply' }] });

      const withFailed = await list(conversationId, { includeFailed: 'true' }).expect(200);
      expect(withFailed.body.total).toBe(4);
      expect(withFailed.body.messages.map((m: { text: string }) => m.text)).toEqual([
        'second reply',
        'refused reply',
        'first reply',
        'Do you ship abroad?',
      ]);
      expect(withFailed.body.messages[1]).toMatchObject({ status: 'failed', messageId: null });
      const explicit = await list(conversationId, { includeFailed: 'false' }).expect(200);
      expect(explicit.body.total).toBe(3);
      await list(conversationId, { includeFailed: 'maybe' }).expect(400);
    });

    it('answers 424 (not a 5xx) when Meta keeps failing temporarily', async () => {
      t.simulator.failNext({
        method: 'POST',
        path: /\/messages$/,
        times: Infinity,
        status: 500,
        error: { message: 'An unexpected error has occurred.', code: 2 },
      });
      try {
        await send(conversationId, { text: 'meta is down' }).expect(424);
      } finally {
        t.simulator.reset();
        t.simulator.addAccount(inbox.account.sim);
        t.simulator.addUser({ igsid: participant });
      }
      const [failed] = await rawDocs(t, 'messages', { text: 'meta is down' });
      expect(failed.status).toBe('failed');
    });

    it('flags the account for reconnection when Meta says the token expired', async () => {
      const other = await createInbox(t);
      const started = await startConversation(t, other);
      t.simulator.expireToken(other.account.sim.accessToken);
      const res = await send(started.conversationId, { text: 'hello?' }, other.user).expect(424);
      expect(res.body.error.code).toBe(424);
      const [failed] = await rawDocs(t, 'messages', { text: 'hello?' });
      expect(failed).toMatchObject({ status: 'failed', error: { code: 190 } });
      const account = await t.http
        .get(`/v1/instagram/${other.account.id}`)
        .set('Authorization', other.user.auth)
        .expect(200);
      expect(account.body.reconnectRequired).toBe(true);
      const again = await send(started.conversationId, { text: 'again' }, other.user).expect(424);
      expect(again.body.error.details).toEqual([
        { reason: 'reconnect_required', retryable: false },
      ]);
      expect(await countDocs(t, 'messages', { text: 'again' })).toBe(0);
    });

    it('returns the first message for a retried request with the same Idempotency-Key', async () => {
      t.simulator.sentMessages.length = 0;
      const post = (key: string, id = conversationId) =>
        t.http
          .post(`/v1/messages/${id}`)
          .set('Authorization', inbox.user.auth)
          .set('Idempotency-Key', key)
          .send({ text: 'Your order has shipped' });
      const first = await post('order-42-shipped').expect(201);
      const retry = await post('order-42-shipped').expect(201);
      expect(retry.body).toEqual(first.body);
      expect(sendCalls()).toBe(1);
      expect(await countDocs(t, 'messages', { text: 'Your order has shipped' })).toBe(1);

      const another = await post('order-43-shipped').expect(201);
      expect(another.body.id).not.toBe(first.body.id);
      const elsewhere = await startConversation(t, inbox);
      await post('order-42-shipped', elsewhere.conversationId).expect(409);
      const concurrent = await Promise.all([post('order-44'), post('order-44')]);
      expect(concurrent.map((r) => r.status)).toEqual([201, 201]);
      expect(concurrent[0].body.id).toBe(concurrent[1].body.id);
      expect(sendCalls()).toBe(3);
    });

    it('keeps one message when the echo of our send arrives after Meta answered', async () => {
      const res = await send(conversationId, { text: 'echo after' }).expect(201);
      await deliverAndProcess(t, inbox.igId, [
        echoMessage({
          account: inbox.igId,
          to: participant,
          text: 'echo after',
          mid: res.body.messageId,
        }),
      ]);
      const stored = await rawDocs(t, 'messages', { messageId: res.body.messageId });
      expect(stored).toHaveLength(1);
      expect(String(stored[0]._id)).toBe(res.body.id);
      expect(stored[0].status).toBe('sent');
    });

    it('keeps one message when the echo of our send is processed before Meta’s answer arrives', async () => {
      const echoTime = Date.now() + 5;
      const storedBeforeAnswer: number[] = [];
      proxy.beforeResponse = async (request, body) => {
        if (request.method !== 'POST' || !request.path.endsWith('/messages')) return;
        const { message_id: mid } = JSON.parse(body) as { message_id?: string };
        if (!mid) return;
        await deliverAndProcess(t, inbox.igId, [
          echoMessage({
            account: inbox.igId,
            to: participant,
            text: 'echo first',
            mid,
            timestamp: echoTime,
          }),
        ]);
        storedBeforeAnswer.push(await countDocs(t, 'messages', { messageId: mid }));
      };
      const res = await send(conversationId, { text: 'echo first' }).expect(201);
      proxy.beforeResponse = undefined;
      await worker(t).drain();
      expect(storedBeforeAnswer).toEqual([1]);

      const stored = await rawDocs(t, 'messages', { text: 'echo first' });
      expect(stored).toHaveLength(1);
      expect(String(stored[0]._id)).toBe(res.body.id);
      expect(res.body).toMatchObject({ status: 'sent', messageId: stored[0].messageId });
      expect(new Date(res.body.timestamp).getTime()).toBe(echoTime);
      const [conversation] = await rawDocs(t, 'conversations', { igUserId: participant });
      expect(conversation).toMatchObject({
        lastMessage: 'echo first',
        lastMessageId: stored[0].messageId,
      });
    });
  });

  describe('with HUMAN_AGENT replies enabled', () => {
    let agent: TestApp;

    beforeAll(async () => {
      agent = await createTestApp({ env: { META_HUMAN_AGENT_ENABLED: 'true' } });
    });

    afterAll(async () => {
      await agent.close();
    });

    it('sends tagged replies up to 7 days after the last inbound message', async () => {
      const own = await createInbox(agent);
      const recent = await startConversation(agent, own, { timestamp: Date.now() - 3 * DAY });
      const detail = await agent.http
        .get(`/v1/conversations/detail/${recent.conversationId}`)
        .set('Authorization', own.user.auth)
        .expect(200);
      expect(detail.body.canReply).toBe(true);

      await agent.http
        .post(`/v1/messages/${recent.conversationId}`)
        .set('Authorization', own.user.auth)
        .send({ text: 'untagged' })
        .expect(422);
      const res = await agent.http
        .post(`/v1/messages/${recent.conversationId}`)
        .set('Authorization', own.user.auth)
        .send({ text: 'Following up on your refund', tag: 'HUMAN_AGENT' })
        .expect(201);
      expect(res.body.metadata).toEqual({ tag: 'HUMAN_AGENT' });
      expect(agent.simulator.sentMessages[0].body).toMatchObject({ tag: 'HUMAN_AGENT' });

      const old = await startConversation(agent, own, { timestamp: Date.now() - 8 * DAY });
      const refused = await agent.http
        .post(`/v1/messages/${old.conversationId}`)
        .set('Authorization', own.user.auth)
        .send({ text: 'too late', tag: 'HUMAN_AGENT' })
        .expect(422);
      expect(refused.body.error.message).toMatch(/7-day/);
    });
  });
});
