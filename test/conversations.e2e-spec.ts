import { inboundMessage } from '../src/meta-simulator';
import { connectBody } from './utils/account-factories';
import { createUser, type TestUser } from './utils/factories';
import {
  countDocs,
  createInbox,
  deliverAndProcess,
  rawDocs,
  startConversation,
  type Inbox,
} from './utils/messaging-factories';
import { createTestApp, type TestApp } from './utils/test-app';

const HOUR = 60 * 60 * 1000;

describe('Conversations', () => {
  let t: TestApp;
  let inbox: Inbox;
  let stranger: TestUser;
  let admin: TestUser;
  /** Conversation ids, oldest activity first. */
  const ids: string[] = [];
  const base = Date.now() - 10 * 60_000;

  beforeAll(async () => {
    t = await createTestApp();
    inbox = await createInbox(t);
    stranger = await createUser(t);
    admin = await createUser(t, { role: 'admin' });
    for (let i = 0; i < 5; i++) {
      const participant = t.simulator.addUser({
        username: `buyer_${i}`,
        name: `Buyer Number ${i}`,
      });
      const started = await startConversation(t, inbox, {
        participant,
        text: `hello ${i}`,
        timestamp: base + i * 1000,
      });
      ids.push(started.conversationId);
    }
  });

  afterAll(async () => {
    await t.close();
  });

  const list = (
    user: TestUser,
    query: Record<string, unknown> = {},
    accountId = inbox.account.id,
  ) => t.http.get(`/v1/conversations/${accountId}`).set('Authorization', user.auth).query(query);

  it('lists conversations newest activity first with the documented shape', async () => {
    const res = await list(inbox.user).expect(200);
    expect(res.body).toMatchObject({ total: 5, limit: 20, skip: 0, nextCursor: null });
    expect(res.body.conversations.map((c: { id: string }) => c.id)).toEqual([...ids].reverse());
    expect(Object.keys(res.body.conversations[0]).sort()).toEqual(
      [
        'canReply',
        'createdAt',
        'id',
        'igUserId',
        'igUsername',
        'instagramAccount',
        'isActive',
        'lastMessage',
        'lastMessageTimestamp',
        'name',
        'profilePictureUrl',
        'unreadCount',
        'updatedAt',
        'windowExpiresAt',
      ].sort(),
    );
    expect(res.body.conversations[0]).toMatchObject({
      igUsername: 'buyer_4',
      name: 'Buyer Number 4',
      lastMessage: 'hello 4',
      unreadCount: 1,
      isActive: true,
      canReply: true,
    });
  });

  it('pages with skip and limit', async () => {
    const res = await list(inbox.user, { limit: 2, skip: 2 }).expect(200);
    expect(res.body).toMatchObject({ total: 5, limit: 2, skip: 2 });
    expect(res.body.conversations.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
  });

  it('refuses page sizes above 100 and malformed paging', async () => {
    for (const query of [
      { limit: 101 },
      { limit: 0 },
      { skip: -1 },
      { limit: 'ten' },
      { other: 1 },
    ]) {
      const res = await list(inbox.user, query).expect(400);
      expect(res.body.error.code).toBe(400);
    }
    await list(inbox.user, { before: 'not-a-cursor' }).expect(400);
  });

  it('pages with the before cursor while new activity arrives', async () => {
    const first = await list(inbox.user, { limit: 2 }).expect(200);
    expect(first.body.conversations.map((c: { id: string }) => c.id)).toEqual([ids[4], ids[3]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));

    const newcomer = await startConversation(t, inbox, { text: 'brand new' });
    const second = await list(inbox.user, { limit: 2, before: first.body.nextCursor }).expect(200);
    expect(second.body.conversations.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
    expect(second.body.total).toBe(6);
    const third = await list(inbox.user, { limit: 2, before: second.body.nextCursor }).expect(200);
    expect(third.body.conversations.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
    expect(third.body.nextCursor).toBeNull();

    await t.http
      .delete(`/v1/conversations/detail/${newcomer.conversationId}`)
      .set('Authorization', inbox.user.auth)
      .expect(204);
  });

  it('filters unread conversations', async () => {
    await t.http
      .post(`/v1/messages/${ids[0]}/read`)
      .set('Authorization', inbox.user.auth)
      .expect(204);
    const unread = await list(inbox.user, { unread: 'true' }).expect(200);
    expect(unread.body.total).toBe(4);
    expect(unread.body.conversations.map((c: { id: string }) => c.id)).not.toContain(ids[0]);
    const all = await list(inbox.user, { unread: 'false' }).expect(200);
    expect(all.body.total).toBe(5);
    await list(inbox.user, { unread: 'maybe' }).expect(400);
  });

  it('searches usernames and names case-insensitively, treating regex characters literally', async () => {
    const byUsername = await list(inbox.user, { search: 'BUYER_3' }).expect(200);
    expect(byUsername.body.conversations.map((c: { id: string }) => c.id)).toEqual([ids[3]]);
    const byName = await list(inbox.user, { search: 'number 1' }).expect(200);
    expect(byName.body.conversations.map((c: { id: string }) => c.id)).toEqual([ids[1]]);
    const literal = await list(inbox.user, { search: 'buyer_.*' }).expect(200);
    expect(literal.body).toMatchObject({ total: 0, conversations: [] });
  });

  it('shows one conversation to its owner and admins, 404 to other users, 400 for malformed ids', async () => {
    const mine = await t.http
      .get(`/v1/conversations/detail/${ids[1]}`)
      .set('Authorization', inbox.user.auth)
      .expect(200);
    expect(mine.body).toMatchObject({ id: ids[1], igUsername: 'buyer_1' });
    await t.http
      .get(`/v1/conversations/detail/${ids[1]}`)
      .set('Authorization', stranger.auth)
      .expect(404);
    await list(stranger).expect(404);
    const asAdmin = await t.http
      .get(`/v1/conversations/detail/${ids[1]}`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect(asAdmin.body).toEqual(mine.body);
    await list(admin).expect(200);
    await t.http
      .get('/v1/conversations/detail/not-an-id')
      .set('Authorization', inbox.user.auth)
      .expect(400);
    await t.http
      .get('/v1/conversations/detail/0123456789abcdef01234567')
      .set('Authorization', inbox.user.auth)
      .expect(404);
    await t.http
      .get('/v1/conversations/not-an-id')
      .set('Authorization', inbox.user.auth)
      .expect(400);
    await t.http.get(`/v1/conversations/${inbox.account.id}`).expect(401);
  });

  it('lists an empty inbox for an account without conversations, 404 for an unknown account', async () => {
    const fresh = await createInbox(t);
    const empty = await list(fresh.user, {}, fresh.account.id).expect(200);
    expect(empty.body).toMatchObject({ conversations: [], total: 0, nextCursor: null });
    await list(fresh.user, {}, '0123456789abcdef01234567').expect(404);
    await list(stranger, {}, fresh.account.id).expect(404);
  });

  it('counts the total of a full page and of a page past the end', async () => {
    const full = await list(inbox.user, { limit: 2 }).expect(200);
    expect(full.body).toMatchObject({ total: ids.length, limit: 2, skip: 0 });
    const past = await list(inbox.user, { limit: 2, skip: 50 }).expect(200);
    expect(past.body).toMatchObject({ conversations: [], total: ids.length, skip: 50 });
  });

  it('refuses to delete another user’s conversation and changes nothing', async () => {
    await t.http
      .delete(`/v1/conversations/detail/${ids[2]}`)
      .set('Authorization', stranger.auth)
      .expect(404);
    const [stored] = await rawDocs(t, 'conversations', {
      igUserId: { $exists: true },
      lastMessage: 'hello 2',
    });
    expect(stored.hiddenAt).toBeNull();
  });

  it('hides a deleted conversation with its messages until the participant writes again', async () => {
    const participant = t.simulator.addUser();
    const started = await startConversation(t, inbox, { participant, text: 'before delete' });
    await t.http
      .delete(`/v1/conversations/detail/${started.conversationId}`)
      .set('Authorization', inbox.user.auth)
      .expect(204);

    const detail = `/v1/conversations/detail/${started.conversationId}`;
    await t.http.get(detail).set('Authorization', inbox.user.auth).expect(404);
    await t.http.delete(detail).set('Authorization', inbox.user.auth).expect(404);
    await t.http
      .get(`/v1/messages/${started.conversationId}`)
      .set('Authorization', inbox.user.auth)
      .expect(404);
    const listed = await list(inbox.user).expect(200);
    expect(listed.body.conversations.map((c: { id: string }) => c.id)).not.toContain(
      started.conversationId,
    );

    await deliverAndProcess(t, inbox.igId, [
      inboundMessage({ account: inbox.igId, from: participant.igsid, text: 'after delete' }),
    ]);
    const back = await t.http.get(detail).set('Authorization', inbox.user.auth).expect(200);
    expect(back.body).toMatchObject({
      isActive: true,
      lastMessage: 'after delete',
      unreadCount: 1,
    });
    const messages = await t.http
      .get(`/v1/messages/${started.conversationId}`)
      .set('Authorization', inbox.user.auth)
      .expect(200);
    expect(messages.body.total).toBe(1);
    expect(messages.body.messages.map((m: { text: string }) => m.text)).toEqual(['after delete']);
    expect(await countDocs(t, 'conversations', { igUserId: participant.igsid })).toBe(1);
  });

  it('reports a closed reply window once the last inbound message is a day old', async () => {
    const lastInbound = Date.now() - 25 * HOUR;
    const started = await startConversation(t, inbox, { text: 'long ago', timestamp: lastInbound });
    const res = await t.http
      .get(`/v1/conversations/detail/${started.conversationId}`)
      .set('Authorization', inbox.user.auth)
      .expect(200);
    expect(res.body).toMatchObject({
      canReply: false,
      windowExpiresAt: new Date(lastInbound + 24 * HOUR).toISOString(),
    });
  });

  it('hides the conversations and messages of a removed account until the owner reconnects it', async () => {
    const other = await createInbox(t);
    const started = await startConversation(t, other, { text: 'before removal' });
    const auth = other.user.auth;
    await t.http.delete(`/v1/instagram/${other.account.id}`).set('Authorization', auth).expect(204);
    await t.http
      .get(`/v1/conversations/detail/${started.conversationId}`)
      .set('Authorization', auth)
      .expect(404);
    await t.http
      .get(`/v1/conversations/${other.account.id}`)
      .set('Authorization', auth)
      .expect(404);
    await t.http
      .get(`/v1/messages/${started.conversationId}`)
      .set('Authorization', auth)
      .expect(404);

    await t.http
      .post('/v1/instagram')
      .set('Authorization', auth)
      .send(connectBody(other.account.sim))
      .expect(201);
    const detail = await t.http
      .get(`/v1/conversations/detail/${started.conversationId}`)
      .set('Authorization', auth)
      .expect(200);
    expect(detail.body.lastMessage).toBe('before removal');
    const messages = await t.http
      .get(`/v1/messages/${started.conversationId}`)
      .set('Authorization', auth)
      .expect(200);
    expect(messages.body.messages.map((m: { text: string }) => m.text)).toEqual(['before removal']);
  });
});
