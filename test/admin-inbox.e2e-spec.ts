import { createUser, type TestUser } from './utils/factories';
import {
  countDocs,
  createInbox,
  rawDocs,
  startConversation,
  type Inbox,
} from './utils/messaging-factories';
import { createTestApp, type TestApp } from './utils/test-app';

const ADMIN_READ = 'inbox.read_by_admin';

describe('Admins read every inbox', () => {
  let t: TestApp;
  let owner: Inbox;
  let admin: TestUser;
  let stranger: TestUser;
  let conversationId: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createInbox(t);
    admin = await createUser(t, { role: 'admin' });
    stranger = await createUser(t);
    ({ conversationId } = await startConversation(t, owner, { text: 'Is this in stock?' }));
  });

  afterAll(async () => {
    await t.close();
  });

  const get = (path: string, user: TestUser) =>
    t.http.get(path).set('Authorization', user.auth).set('User-Agent', 'admin-console/1.0');

  /** Audit entries of admin inbox reads, oldest first. */
  async function adminReads() {
    const entries = await rawDocs(t, 'audit_logs', { action: ADMIN_READ });
    return entries.sort((a, b) => String(a._id).localeCompare(String(b._id)));
  }

  it('lists the account in GET /v1/instagram, then its conversations and messages', async () => {
    const accounts = await get('/v1/instagram', admin).expect(200);
    expect(accounts.body.map((a: { id: string }) => a.id)).toContain(owner.account.id);

    const mine = await get(`/v1/conversations/${owner.account.id}`, owner.user).expect(200);
    const listed = await get(`/v1/conversations/${owner.account.id}`, admin).expect(200);
    expect(listed.body).toEqual(mine.body);

    const detail = await get(`/v1/conversations/detail/${conversationId}`, admin).expect(200);
    expect(detail.body).toMatchObject({ id: conversationId, lastMessage: 'Is this in stock?' });

    const messages = await get(`/v1/messages/${conversationId}`, admin).expect(200);
    expect(messages.body).toMatchObject({
      total: 1,
      messages: [{ text: 'Is this in stock?', sender: 'user' }],
    });
  });

  it('writes every read of another owner’s inbox to the audit log: who, which account, when', async () => {
    const before = await countDocs(t, 'audit_logs', { action: ADMIN_READ });
    const startedAt = Date.now();
    await get(`/v1/conversations/${owner.account.id}`, admin).expect(200);
    await get(`/v1/conversations/detail/${conversationId}`, admin).expect(200);
    await get(`/v1/messages/${conversationId}`, admin).expect(200);
    await get(`/v1/messages/${conversationId}`, admin).expect(200);

    const entries = (await adminReads()).slice(before);
    expect(entries.map((e) => e.metadata)).toEqual([
      { read: 'conversations' },
      { read: 'conversation', conversationId },
      { read: 'messages', conversationId },
      { read: 'messages', conversationId },
    ]);
    for (const entry of entries) {
      expect(String(entry.actor)).toBe(admin.id);
      expect(String(entry.subjectUser)).toBe(owner.user.id);
      expect(entry.target).toEqual({ type: 'instagram_account', id: owner.account.id });
      expect(entry.userAgent).toBe('admin-console/1.0');
      expect(entry.createdAt.getTime()).toBeGreaterThanOrEqual(startedAt - 1000);
    }

    const logs = await get(`/v1/logs?action=${ADMIN_READ}&userId=${owner.user.id}`, admin).expect(
      200,
    );
    expect(logs.body.logs[0]).toMatchObject({
      action: ADMIN_READ,
      actorId: admin.id,
      userId: owner.user.id,
      target: { type: 'instagram_account', id: owner.account.id },
    });
  });

  it('writes nothing to the audit log for reads of one’s own inbox', async () => {
    const own = await createInbox(t, { user: await createUser(t, { role: 'admin' }) });
    const started = await startConversation(t, own);
    const before = await countDocs(t, 'audit_logs', { action: ADMIN_READ });
    await get(`/v1/conversations/${own.account.id}`, own.user).expect(200);
    await get(`/v1/conversations/detail/${started.conversationId}`, own.user).expect(200);
    await get(`/v1/messages/${started.conversationId}`, own.user).expect(200);
    await get(`/v1/messages/${conversationId}`, owner.user).expect(200);
    expect(await countDocs(t, 'audit_logs', { action: ADMIN_READ })).toBe(before);
  });

  it('keeps sending, marking read and deleting to the owner, and changes nothing', async () => {
    const sent = t.simulator.sentMessages.length;
    const before = await countDocs(t, 'messages', { conversation: { $exists: true } });
    const [conversation] = await rawDocs(t, 'conversations', { lastMessage: 'Is this in stock?' });
    await t.http
      .post(`/v1/messages/${conversationId}`)
      .set('Authorization', admin.auth)
      .send({ text: 'admin here' })
      .expect(404);
    await t.http
      .post(`/v1/messages/${conversationId}/read`)
      .set('Authorization', admin.auth)
      .expect(404);
    await t.http
      .delete(`/v1/conversations/detail/${conversationId}`)
      .set('Authorization', admin.auth)
      .expect(404);
    expect(t.simulator.sentMessages.length).toBe(sent);
    expect(await countDocs(t, 'messages', { conversation: { $exists: true } })).toBe(before);
    const [after] = await rawDocs(t, 'conversations', { _id: conversation._id });
    expect(after).toMatchObject({ hiddenAt: null, unreadCount: conversation.unreadCount });
  });

  it('still answers 404 to a plain user for another user’s inbox, and audits nothing', async () => {
    const before = await countDocs(t, 'audit_logs', { action: ADMIN_READ });
    await get(`/v1/conversations/${owner.account.id}`, stranger).expect(404);
    await get(`/v1/conversations/detail/${conversationId}`, stranger).expect(404);
    await get(`/v1/messages/${conversationId}`, stranger).expect(404);
    expect(await countDocs(t, 'audit_logs', { action: ADMIN_READ })).toBe(before);
  });

  it('answers 404 to admins for accounts GET /v1/instagram does not show them', async () => {
    const removed = await createInbox(t);
    const started = await startConversation(t, removed);
    await t.http
      .delete(`/v1/instagram/${removed.account.id}`)
      .set('Authorization', removed.user.auth)
      .expect(204);
    const accounts = await get('/v1/instagram', admin).expect(200);
    expect(accounts.body.map((a: { id: string }) => a.id)).not.toContain(removed.account.id);
    await get(`/v1/conversations/${removed.account.id}`, admin).expect(404);
    await get(`/v1/conversations/detail/${started.conversationId}`, admin).expect(404);
    await get(`/v1/messages/${started.conversationId}`, admin).expect(404);
    await get('/v1/conversations/0123456789abcdef01234567', admin).expect(404);
  });
});

describe('With ADMIN_INBOX_ACCESS=false', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { ADMIN_INBOX_ACCESS: 'false' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('keeps every inbox to its owner: admins get 404 and nothing is audited', async () => {
    const owner = await createInbox(t);
    const admin = await createUser(t, { role: 'admin' });
    const { conversationId } = await startConversation(t, owner);
    for (const path of [
      `/v1/conversations/${owner.account.id}`,
      `/v1/conversations/detail/${conversationId}`,
      `/v1/messages/${conversationId}`,
    ]) {
      await t.http.get(path).set('Authorization', admin.auth).expect(404);
      await t.http.get(path).set('Authorization', owner.user.auth).expect(200);
    }
    await t.http.get('/v1/instagram').set('Authorization', admin.auth).expect(200);
    expect(await countDocs(t, 'audit_logs', { action: ADMIN_READ })).toBe(0);
  });
});
