import {
  deletedMessage,
  inboundMessage,
  messageEdit,
  reaction,
  readReceipt,
  signWebhookBody,
  webhookBatch,
} from '../src/meta-simulator';
import { createUser, type TestUser } from './utils/factories';
import {
  countDocs,
  createInbox,
  deliver,
  rawDocs,
  waitFor,
  worker,
  type Inbox,
} from './utils/messaging-factories';
import { createTestApp, type TestApp } from './utils/test-app';

const SECRET = 'test-app-secret';
const VERIFY_TOKEN = 'test-verify-token';

describe('Webhook verification (GET /v1/webhook)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Retries back off from 20 ms here: enough attempts that an update waiting for its message
    // is still pending, not given up, when the message arrives however slow the machine is.
    t = await createTestApp({ env: { WEBHOOK_MAX_ATTEMPTS: '50' } });
  });

  afterAll(async () => {
    await t.close();
  });

  const verify = (query: Record<string, string>) => t.http.get('/v1/webhook').query(query);

  it('answers the challenge as plain text when mode and verify token match', async () => {
    const res = await verify({
      'hub.mode': 'subscribe',
      'hub.verify_token': VERIFY_TOKEN,
      'hub.challenge': '1158201444',
    }).expect(200);
    expect(res.text).toBe('1158201444');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('refuses a wrong verify token or mode with 403', async () => {
    await verify({
      'hub.mode': 'subscribe',
      'hub.verify_token': 'wrong-token',
      'hub.challenge': '123',
    }).expect(403);
    await verify({
      'hub.mode': 'unsubscribe',
      'hub.verify_token': VERIFY_TOKEN,
      'hub.challenge': '123',
    }).expect(403);
    await verify({ 'hub.challenge': '123' }).expect(403);
  });

  it('refuses a challenge carrying markup with 400 and never reflects it', async () => {
    const challenge = '<script>alert(1)</script>';
    const res = await verify({
      'hub.mode': 'subscribe',
      'hub.verify_token': VERIFY_TOKEN,
      'hub.challenge': challenge,
    }).expect(400);
    expect(res.text).not.toContain('<script>');
    expect(res.body.error.code).toBe(400);
  });

  it('refuses a missing challenge with 400', async () => {
    await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN }).expect(400);
  });
});

describe('Webhook deliveries (POST /v1/webhook)', () => {
  let t: TestApp;
  let inbox: Inbox;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp({
      env: { WEBHOOK_RETRY_BASE_DELAY_MS: '100' },
    });
    inbox = await createInbox(t);
    admin = await createUser(t, { role: 'admin' });
  });

  afterAll(async () => {
    await t.close();
  });

  function messageFrom(from: string, text: string, timestamp?: number) {
    return inboundMessage({ account: inbox.igId, from, text, timestamp });
  }

  async function expectNothingStored(): Promise<void> {
    expect(await countDocs(t, 'webhook_inbox')).toBe(0);
    expect(await countDocs(t, 'messages')).toBe(0);
    expect(await countDocs(t, 'conversations')).toBe(0);
  }

  describe('signature', () => {
    afterEach(async () => {
      await t.connection.collection('webhook_inbox').deleteMany({});
    });

    const payload = () =>
      webhookBatch([{ id: inbox.igId, messaging: [messageFrom('6100000000000001', 'hello')] }]);

    it('refuses a delivery without a signature and stores nothing', async () => {
      const res = await t.simulator.deliverWebhook(payload(), { signature: null });
      expect(res.status).toBe(401);
      await expectNothingStored();
    });

    it('refuses a signature made with another secret and stores nothing', async () => {
      const res = await t.simulator.deliverWebhook(payload(), { secret: 'not-the-app-secret' });
      expect(res.status).toBe(401);
      await expectNothingStored();
    });

    it('refuses a body that does not match its signature and stores nothing', async () => {
      const original = JSON.stringify(payload());
      const tampered = original.replace('hello', 'HELLO');
      const res = await t.simulator.deliverWebhook(payload(), {
        rawBody: tampered,
        signature: signWebhookBody(original, SECRET),
      });
      expect(res.status).toBe(401);
      await expectNothingStored();
    });

    it('refuses a signature without the sha256= prefix', async () => {
      const body = JSON.stringify(payload());
      const hex = signWebhookBody(body, SECRET).slice('sha256='.length);
      const res = await t.simulator.deliverWebhook(payload(), { rawBody: body, signature: hex });
      expect(res.status).toBe(401);
      await expectNothingStored();
    });

    it('answers malformed JSON with a valid signature with 400 and stores nothing', async () => {
      const res = await t.simulator.deliverWebhook(undefined, {
        rawBody: '{"object":"instagram",',
      });
      expect(res.status).toBe(400);
      await expectNothingStored();
    });

    it('answers signed JSON that is not a webhook body with 400 and stores nothing', async () => {
      const res = await t.simulator.deliverWebhook({ hello: 'world' });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe(400);
      await expectNothingStored();
    });
  });

  it('acknowledges deliveries of other objects without storing them', async () => {
    const res = await t.simulator.deliverWebhook({
      object: 'page',
      entry: [{ id: '1', messaging: [] }],
    });
    expect(res).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
    expect(await countDocs(t, 'webhook_inbox')).toBe(0);
  });

  it('stores changes-shaped updates as ignored', async () => {
    const change = { field: 'comments', value: { id: '17865799348089039', text: 'Nice!' } };
    const res = await t.simulator.deliverWebhook(
      webhookBatch([{ id: inbox.igId, changes: [change] }]),
    );
    expect(res.status).toBe(200);
    const [entry] = await rawDocs(t, 'webhook_inbox', { kind: 'change' });
    expect(entry).toMatchObject({ status: 'ignored', accountMetaId: inbox.igId });
    expect(JSON.parse(entry.payload as string).event).toEqual(change);
  });

  it('ingests a batch with many entries, one conversation per participant', async () => {
    const participants = Array.from({ length: 12 }, () => t.simulator.addUser());
    const base = Date.now() - 60_000;
    const events = participants.flatMap((p, i) =>
      [0, 1, 2].map((n) => messageFrom(p.igsid, `message ${n} of ${i}`, base + n * 1000 + i)),
    );
    const other = await createInbox(t);
    const otherEvents = participants
      .slice(0, 4)
      .map((p) => inboundMessage({ account: other.igId, from: p.igsid, text: 'other account' }));
    await deliver(t, [
      { id: inbox.igId, messaging: events.reverse() },
      { id: other.igId, messaging: otherEvents },
    ]);
    await worker(t).drain();

    const ids = participants.map((p) => p.igsid);
    const conversations = await rawDocs(t, 'conversations', { igUserId: { $in: ids } });
    expect(conversations).toHaveLength(16);
    const mine = conversations.filter((c) => c.accountInstagramId === inbox.igId);
    expect(mine).toHaveLength(12);
    for (const conversation of mine) {
      const i = ids.indexOf(conversation.igUserId as string);
      expect(conversation).toMatchObject({ unreadCount: 3, lastMessage: `message 2 of ${i}` });
    }
    expect(await countDocs(t, 'messages', { senderId: { $in: ids } })).toBe(40);
    expect(await countDocs(t, 'webhook_inbox', { kind: 'message', status: { $ne: 'done' } })).toBe(
      0,
    );
  });

  it('stores one message when the same delivery arrives twice or is retried', async () => {
    const from = t.simulator.addUser().igsid;
    const first = messageFrom(from, 'only once');
    const payload = webhookBatch([{ id: inbox.igId, messaging: [first] }]);
    expect((await t.simulator.deliverWebhook(payload)).status).toBe(200);
    expect((await t.simulator.deliverWebhook(payload)).status).toBe(200);
    await worker(t).drain();
    const second = messageFrom(from, 'new one');
    await deliver(t, [{ id: inbox.igId, messaging: [first, second] }]);
    await worker(t).drain();

    const messages = await rawDocs(t, 'messages', { senderId: from });
    expect(messages.map((m) => m.text).sort()).toEqual(['new one', 'only once']);
    const mid = (first.message as { mid: string }).mid;
    expect(await countDocs(t, 'messages', { messageId: mid })).toBe(1);
    const [conversation] = await rawDocs(t, 'conversations', { igUserId: from });
    expect(conversation.unreadCount).toBe(2);
  });

  it('acknowledges and drops updates for an unknown account', async () => {
    const from = t.simulator.addUser().igsid;
    const event = inboundMessage({ account: '17841400000000999', from, text: 'to nobody' });
    const res = await t.simulator.deliverWebhook(
      webhookBatch([{ id: '17841400000000999', messaging: [event] }]),
    );
    expect(res.status).toBe(200);
    await worker(t).drain();
    const [entry] = await rawDocs(t, 'webhook_inbox', { accountMetaId: '17841400000000999' });
    expect(entry).toMatchObject({ status: 'ignored', lastError: expect.stringMatching(/account/) });
    expect(await countDocs(t, 'messages', { senderId: from })).toBe(0);
    expect(await countDocs(t, 'conversations', { igUserId: from })).toBe(0);
  });

  it('drops updates for an account its owner removed', async () => {
    const removed = await createInbox(t);
    await t.http
      .delete(`/v1/instagram/${removed.account.id}`)
      .set('Authorization', removed.user.auth)
      .expect(204);
    const from = t.simulator.addUser().igsid;
    await deliver(t, [
      {
        id: removed.igId,
        messaging: [inboundMessage({ account: removed.igId, from, text: 'hi' })],
      },
    ]);
    await worker(t).drain();
    expect(await countDocs(t, 'messages', { senderId: from })).toBe(0);
    expect(
      await countDocs(t, 'webhook_inbox', { accountMetaId: removed.igId, status: 'ignored' }),
    ).toBe(1);
  });

  it('ignores at once reactions, reads, edits and deletions of messages never stored', async () => {
    const from = t.simulator.addUser().igsid;
    await deliver(t, [{ id: inbox.igId, messaging: [messageFrom(from, 'after connecting')] }]);
    await worker(t).drain();
    const stranger = t.simulator.addUser().igsid;
    const before = 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAxOjM0MDI4MjM2Njg0';
    await deliver(t, [
      {
        id: inbox.igId,
        messaging: [
          reaction({ account: inbox.igId, from, mid: before, action: 'react', reaction: 'love' }),
          messageEdit({ account: inbox.igId, from, mid: before, text: 'edited', numEdit: 1 }),
          deletedMessage({ account: inbox.igId, from, mid: before }),
          readReceipt({ account: inbox.igId, from: stranger, mid: before }),
        ],
      },
    ]);
    await worker(t).drain();

    const entries = await rawDocs(t, 'webhook_inbox', {
      kind: { $in: ['reaction', 'message_edit', 'message_deleted', 'read'] },
      accountMetaId: inbox.igId,
    });
    expect(entries.map((e) => e.kind).sort()).toEqual(
      ['message_deleted', 'message_edit', 'reaction', 'read'].sort(),
    );
    for (const entry of entries) {
      expect(entry).toMatchObject({
        status: 'ignored',
        attempts: 1,
        lastError: expect.stringMatching(/never stored/),
        nextAttemptAt: null,
      });
    }
    const [stored] = await rawDocs(t, 'messages', { senderId: from });
    expect(stored).toMatchObject({ text: 'after connecting', isDeleted: false });
    expect(stored.reactions ?? {}).toEqual({});
    expect(stored.editCount).toBeUndefined();
    expect(await countDocs(t, 'conversations', { igUserId: stranger })).toBe(0);
  });

  it('shows the inbox only to admins', async () => {
    const user = await createUser(t);
    await t.http.get('/v1/webhook/inbox').expect(401);
    await t.http.get('/v1/webhook/inbox').set('Authorization', user.auth).expect(403);
    const res = await t.http.get('/v1/webhook/inbox').set('Authorization', admin.auth).expect(200);
    expect(Object.keys(res.body.counts).sort()).toEqual([
      'done',
      'failed',
      'ignored',
      'pending',
      'processing',
    ]);
  });

  it('purges receipts and ignored entries older than the retention', async () => {
    const from = t.simulator.addUser().igsid;
    await deliver(t, [{ id: inbox.igId, messaging: [messageFrom(from, 'old news')] }]);
    await worker(t).drain();
    const old = new Date(Date.now() - 73 * 60 * 60 * 1000);
    await t.connection.collection('webhook_receipts').updateMany({}, { $set: { receivedAt: old } });
    await t.connection
      .collection('webhook_inbox')
      .updateMany({ status: 'ignored' }, { $set: { processedAt: old } });
    const kept = await countDocs(t, 'webhook_inbox', { status: { $nin: ['done', 'ignored'] } });
    await deliver(t, [{ id: inbox.igId, messaging: [messageFrom(from, 'fresh')] }]);
    await worker(t).drain();

    const purged = await worker(t).purgeExpired();
    expect(purged).toBeGreaterThan(0);
    expect(await countDocs(t, 'webhook_receipts', { receivedAt: old })).toBe(0);
    expect(await countDocs(t, 'webhook_receipts', {})).toBe(1);
    expect(await countDocs(t, 'webhook_inbox', { processedAt: old })).toBe(0);
    expect(await countDocs(t, 'webhook_inbox', { status: { $nin: ['done', 'ignored'] } })).toBe(
      kept,
    );
    expect(await countDocs(t, 'messages', { senderId: from })).toBe(2);
  });

  it('refuses by its receipt an update redelivered after its entry was applied and left the inbox', async () => {
    const from = t.simulator.addUser().igsid;
    const body = webhookBatch([{ id: inbox.igId, messaging: [messageFrom(from, 'only once')] }]);
    expect((await t.simulator.deliverWebhook(body)).status).toBe(200);
    await worker(t).drain();
    const applied = await rawDocs(t, 'webhook_inbox', {});
    expect((await t.simulator.deliverWebhook(body)).status).toBe(200);
    await worker(t).drain();

    expect(await countDocs(t, 'messages', { senderId: from })).toBe(1);
    expect(await rawDocs(t, 'webhook_inbox', {})).toEqual(applied);
    const [conversation] = await rawDocs(t, 'conversations', { igUserId: from });
    expect(conversation).toMatchObject({ unreadCount: 1, lastMessage: 'only once' });
  });
});

describe('Webhook inbox durability', () => {
  it('marks an update failed after the last attempt and lists it for admins', async () => {
    const t = await createTestApp({ env: { WEBHOOK_MAX_ATTEMPTS: '3' } });
    try {
      const inbox = await createInbox(t);
      const admin = await createUser(t, { role: 'admin' });
      const from = t.simulator.addUser().igsid;
      const message = (text: string) => inboundMessage({ account: inbox.igId, from, text });
      await deliver(t, [{ id: inbox.igId, messaging: [message('first')] }]);
      await worker(t).drain();
      await t.connection
        .collection('conversations')
        .updateOne({ igUserId: from }, { $set: { unreadCount: 'corrupted' } });

      await deliver(t, [{ id: inbox.igId, messaging: [message('cannot be counted')] }]);
      const failed = await waitFor(
        async () => {
          const [entry] = await rawDocs(t, 'webhook_inbox', { status: 'failed' });
          return entry;
        },
        { what: 'the entry to fail for good' },
      );
      expect(failed.attempts).toBe(3);
      expect(failed.lastError).toMatch(/unreadCount/);
      expect(await countDocs(t, 'messages', { text: 'cannot be counted' })).toBe(0);

      const stats = await t.http
        .get('/v1/webhook/inbox')
        .set('Authorization', admin.auth)
        .expect(200);
      expect(stats.body.counts.failed).toBe(1);
      expect(stats.body.failed).toEqual([
        expect.objectContaining({
          id: String(failed._id),
          kind: 'message',
          status: 'failed',
          attempts: 3,
          lastError: failed.lastError,
        }),
      ]);
    } finally {
      await t.close();
    }
  });

  it('stores a delivery as large as Meta’s biggest batch (1,000 updates) before answering', async () => {
    const t = await createTestApp({ env: { PROCESS_ROLE: 'api' } });
    try {
      const inbox = await createInbox(t);
      const from = t.simulator.addUser().igsid;
      const long = 'x'.repeat(2100);
      const events = Array.from({ length: 1000 }, (_, i) =>
        inboundMessage({ account: inbox.igId, from, text: `${i} ${long}` }),
      );
      const payload = webhookBatch([{ id: inbox.igId, messaging: events }]);
      expect(JSON.stringify(payload).length).toBeGreaterThan(2 * 1024 * 1024);
      const res = await t.simulator.deliverWebhook(payload);
      expect(res).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
      expect(await countDocs(t, 'webhook_inbox', { status: 'pending' })).toBe(1000);
    } finally {
      await t.close();
    }
  });

  it('processes updates acknowledged by a process that stopped before processing them', async () => {
    const first = await createTestApp({ env: { PROCESS_ROLE: 'api' } });
    let second: TestApp | undefined;
    try {
      const inbox = await createInbox(first);
      const from = first.simulator.addUser().igsid;
      const events = ['one', 'two', 'three'].map((text, i) =>
        inboundMessage({ account: inbox.igId, from, text, timestamp: Date.now() - 1000 + i }),
      );
      await deliver(first, [{ id: inbox.igId, messaging: events }]);
      expect(await countDocs(first, 'webhook_inbox', { status: 'pending' })).toBe(3);
      expect(await countDocs(first, 'messages')).toBe(0);
      // One entry was claimed by a worker that died: its claim has expired.
      await first.connection.collection('webhook_inbox').updateOne(
        { status: 'pending' },
        {
          $set: {
            status: 'processing',
            attempts: 1,
            claimedAt: new Date(Date.now() - 120_000),
            nextAttemptAt: new Date(Date.now() - 60_000),
          },
        },
      );
      await first.close({ keepDatabase: true });

      second = await createTestApp({ databaseName: first.databaseName });
      const restarted = second;
      await waitFor(async () => (await countDocs(restarted, 'messages')) === 3, {
        what: 'the replayed entries to be processed',
      });
      expect(await countDocs(restarted, 'messages')).toBe(3);
      const [conversation] = await rawDocs(restarted, 'conversations', { igUserId: from });
      expect(conversation).toMatchObject({ unreadCount: 3, lastMessage: 'three' });
    } finally {
      await second?.close();
    }
  });

  it('accepts signatures made with the separate Instagram app secret', async () => {
    const t = await createTestApp({ env: { META_INSTAGRAM_APP_SECRET: 'instagram-app-secret' } });
    try {
      // Instagram Login calls are signed with the Instagram app's secret.
      t.simulator.appSecret = 'instagram-app-secret';
      const inbox = await createInbox(t);
      const from = t.simulator.addUser().igsid;
      const message = (text: string) =>
        webhookBatch([
          { id: inbox.igId, messaging: [inboundMessage({ account: inbox.igId, from, text })] },
        ]);
      const viaInstagramApp = await t.simulator.deliverWebhook(message('via IG app'), {
        secret: 'instagram-app-secret',
      });
      expect(viaInstagramApp.status).toBe(200);
      const viaMainApp = await t.simulator.deliverWebhook(message('via main app'), {
        secret: SECRET,
      });
      expect(viaMainApp.status).toBe(200);
      await worker(t).drain();
      expect(await countDocs(t, 'messages', { senderId: from })).toBe(2);
    } finally {
      await t.close();
    }
  });
});
