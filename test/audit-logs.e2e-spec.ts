import { Types } from 'mongoose';
import { createAdmin, createUser, uniqueEmail, type TestUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const PASSWORD = 'Passw0rd-long';

interface LogEntry {
  id: string;
  action: string;
  actorId?: string;
  userId?: string;
  ip?: string;
  userAgent?: string;
  metadata: Record<string, unknown>;
  createdAt: string;
}

describe('Audit log', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_THROTTLE_LIMIT: '10000' } });
    admin = await createAdmin(t);
  });

  afterAll(async () => {
    await t.close();
  });

  const auditLogs = () => t.connection.collection('audit_logs');

  async function logs(query: Record<string, string | number> = {}) {
    const res = await t.http
      .get('/v1/logs')
      .query(query)
      .set('Authorization', admin.auth)
      .expect(200);
    return res.body as { logs: LogEntry[]; total: number; limit: number; skip: number };
  }

  it('lists entries newest first with total, limit and skip', async () => {
    const email = uniqueEmail('audited');
    await t.http
      .post('/v1/auth/register')
      .set('User-Agent', 'audit-test')
      .send({ name: 'Audited', email, password: PASSWORD })
      .expect(201);
    await t.http.post('/v1/auth/login').send({ email, password: PASSWORD }).expect(200);

    const page = await logs();
    expect(page).toMatchObject({ limit: 20, skip: 0, total: await auditLogs().countDocuments() });
    const times = page.logs.map((entry) => entry.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const [login, registered] = page.logs;
    expect(login).toMatchObject({ action: 'user.login', ip: expect.any(String) });
    expect(registered).toEqual({
      id: expect.any(String),
      action: 'user.registered',
      actorId: login.userId,
      userId: login.userId,
      ip: expect.any(String),
      userAgent: 'audit-test',
      metadata: { email },
      createdAt: expect.any(String),
    });
  });

  it('pages with limit and skip', async () => {
    const all = await logs({ limit: 100 });
    const page = await logs({ limit: 2, skip: 1 });
    expect(page).toMatchObject({ limit: 2, skip: 1, total: all.total });
    expect(page.logs).toEqual(all.logs.slice(1, 3));
  });

  it('filters by the user an event is about and by action', async () => {
    const user = await createUser(t);
    await t.http
      .post('/v1/auth/login')
      .send({ email: user.email, password: 'Wrong-passw0rd' })
      .expect(401);
    await t.http.post('/v1/auth/login').send({ email: user.email, password: PASSWORD }).expect(200);

    const mine = await logs({ userId: user.id });
    expect(mine.logs.map((entry) => entry.action)).toEqual(['user.login', 'user.login_failed']);
    expect(mine.total).toBe(2);
    const failed = await logs({ userId: user.id, action: 'user.login_failed' });
    expect(failed.logs).toHaveLength(1);
    expect(failed.logs[0].metadata).toEqual({ email: user.email, reason: 'wrong-password' });
  });

  it('filters by time range', async () => {
    const user = await createUser(t);
    const past = new Date(Date.now() - 3_600_000);
    await auditLogs().insertOne({
      action: 'user.updated',
      subjectUser: new Types.ObjectId(user.id),
      metadata: { fields: ['name'] },
      createdAt: past,
    });
    await t.http.post('/v1/auth/login').send({ email: user.email, password: PASSWORD }).expect(200);

    const cutoff = new Date(past.getTime() + 60_000).toISOString();
    const before = await logs({ userId: user.id, to: cutoff });
    expect(before.logs.map((entry) => entry.action)).toEqual(['user.updated']);
    const after = await logs({ userId: user.id, from: cutoff });
    expect(after.logs.map((entry) => entry.action)).toEqual(['user.login']);
  });

  it.each([
    'userId=not-an-id',
    'action=user.exploded',
    'from=yesterday',
    'to=2024-13-45',
    'from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z',
    'limit=101',
    'skip=-1',
    'actor=x',
  ])('refuses ?%s with 400', async (query) => {
    const res = await t.http.get(`/v1/logs?${query}`).set('Authorization', admin.auth).expect(400);
    expect(res.body.error.code).toBe(400);
  });

  it('refuses a user without view-logs with 403, and an anonymous caller with 401', async () => {
    const user = await createUser(t);
    const res = await t.http.get('/v1/logs').set('Authorization', user.auth).expect(403);
    expect(res.body.error.message).toBe('Missing permission: view-logs');
    await t.http.get('/v1/logs').expect(401);
  });

  it('never records passwords or tokens', async () => {
    const email = uniqueEmail('secret');
    const secret = 'Very-secret-passw0rd';
    const { body } = await t.http
      .post('/v1/auth/register')
      .send({ name: 'Secret', email, password: secret })
      .expect(201);
    await t.http.post('/v1/auth/login').send({ email, password: 'Wrong-Passw0rd-9' }).expect(401);
    const rotated = await t.http
      .post('/v1/auth/refresh-tokens')
      .send({ refreshToken: body.tokens.refresh.token })
      .expect(200);
    await t.http
      .post('/v1/auth/refresh-tokens')
      .send({ refreshToken: body.tokens.refresh.token })
      .expect(401);
    await t.http
      .patch('/v1/users/me')
      .set('Authorization', `Bearer ${rotated.body.access.token}`)
      .send({ password: 'Next-passw0rd', currentPassword: secret })
      .expect(200);

    const everything = JSON.stringify(await auditLogs().find().toArray());
    for (const value of [
      secret,
      'Wrong-Passw0rd-9',
      'Next-passw0rd',
      body.tokens.refresh.token,
      body.tokens.access.token,
      rotated.body.refresh.token,
    ]) {
      expect(everything).not.toContain(value);
    }
    const reuse = await logs({ action: 'user.refresh_token_reused', userId: body.user.id });
    expect(reuse.total).toBe(1);
  });
});
