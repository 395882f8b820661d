import { createHash } from 'node:crypto';
import { createUser, uniqueEmail, type TestUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const NEW_PASSWORD = 'Brand-new-passw0rd';

describe('Users: own profile', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_THROTTLE_LIMIT: '10000' } });
  });

  afterAll(async () => {
    await t.close();
  });

  const users = () => t.connection.collection('users');
  const refreshTokens = () => t.connection.collection('refresh_tokens');
  const auditLogs = () => t.connection.collection('audit_logs');
  const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
  const stored = (user: TestUser) => users().findOne({ _id: user.user._id });

  async function login(email: string, password: string) {
    const res = await t.http.post('/v1/auth/login').send({ email, password }).expect(200);
    return res.body.tokens as { access: { token: string }; refresh: { token: string } };
  }

  async function refreshWorks(refreshToken: string): Promise<boolean> {
    const res = await t.http.post('/v1/auth/refresh-tokens').send({ refreshToken });
    return res.status === 200;
  }

  describe('GET /v1/users/me', () => {
    it('returns the caller without any secret', async () => {
      const user = await createUser(t, { name: 'Ada Lovelace' });
      const res = await t.http.get('/v1/users/me').set('Authorization', user.auth).expect(200);
      expect(res.body).toEqual({
        id: user.id,
        name: 'Ada Lovelace',
        email: user.email,
        role: 'user',
        isEmailVerified: false,
        createdAt: user.user.createdAt.toISOString(),
        updatedAt: user.user.updatedAt.toISOString(),
      });
    });

    it('refuses a caller without a token with 401', async () => {
      await t.http.get('/v1/users/me').expect(401);
    });
  });

  describe('PATCH /v1/users/me', () => {
    it('changes the name and records it', async () => {
      const user = await createUser(t);
      const res = await t.http
        .patch('/v1/users/me')
        .set('Authorization', user.auth)
        .send({ name: '  Grace Hopper ' })
        .expect(200);
      expect(res.body).toMatchObject({ id: user.id, name: 'Grace Hopper' });
      expect((await stored(user))?.name).toBe('Grace Hopper');
      expect(
        await auditLogs().findOne({ action: 'user.updated', subjectUser: user.user._id }),
      ).toMatchObject({ metadata: { fields: ['name'] } });
    });

    it('marks a changed email unverified', async () => {
      const user = await createUser(t, { isEmailVerified: true });
      const email = uniqueEmail('moved');
      const res = await t.http
        .patch('/v1/users/me')
        .set('Authorization', user.auth)
        .send({ email: email.toUpperCase() })
        .expect(200);
      expect(res.body).toMatchObject({ email, isEmailVerified: false });
      await t.http.get('/v1/users/me').set('Authorization', user.auth).expect(200);
    });

    it('refuses an email already taken, whatever its case, with 409 and changes nothing', async () => {
      const other = await createUser(t);
      const user = await createUser(t, { isEmailVerified: true });
      const res = await t.http
        .patch('/v1/users/me')
        .set('Authorization', user.auth)
        .send({ email: other.email.toUpperCase(), name: 'Changed' })
        .expect(409);
      expect(res.body.error.message).toBe('Email is already registered');
      expect(await stored(user)).toMatchObject({
        email: user.email,
        name: 'Test User',
        isEmailVerified: true,
      });
    });

    it('changes the password with the current one and ends every other session', async () => {
      const user = await createUser(t);
      const current = await login(user.email, user.password);
      const other = await login(user.email, user.password);
      await t.http
        .patch('/v1/users/me')
        .set('Authorization', user.auth)
        .send({
          password: NEW_PASSWORD,
          currentPassword: user.password,
          refreshToken: current.refresh.token,
        })
        .expect(200);

      expect(await refreshWorks(other.refresh.token)).toBe(false);
      expect(await refreshWorks(current.refresh.token)).toBe(true);
      await t.http
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password })
        .expect(401);
      await login(user.email, NEW_PASSWORD);
      expect(
        await auditLogs().findOne({ action: 'user.password_changed', subjectUser: user.user._id }),
      ).toMatchObject({ metadata: { keptCurrentSession: true } });
    });

    it('ends every session when the password changes without naming the current one', async () => {
      const user = await createUser(t);
      const first = await login(user.email, user.password);
      const second = await login(user.email, user.password);
      await t.http
        .patch('/v1/users/me')
        .set('Authorization', user.auth)
        .send({ password: NEW_PASSWORD, currentPassword: user.password })
        .expect(200);
      expect(await refreshWorks(first.refresh.token)).toBe(false);
      expect(await refreshWorks(second.refresh.token)).toBe(false);
    });

    it('does not keep a session named by another user’s refresh token', async () => {
      const user = await createUser(t);
      const mine = await login(user.email, user.password);
      const stranger = await createUser(t);
      const theirs = await login(stranger.email, stranger.password);
      await t.http
        .patch('/v1/users/me')
        .set('Authorization', user.auth)
        .send({
          password: NEW_PASSWORD,
          currentPassword: user.password,
          refreshToken: theirs.refresh.token,
        })
        .expect(200);
      expect(await refreshWorks(mine.refresh.token)).toBe(false);
      expect(await refreshWorks(theirs.refresh.token)).toBe(true);
    });

    it.each([
      ['without the current password', { password: NEW_PASSWORD }, 'currentPassword'],
      [
        'with a wrong current password',
        { password: NEW_PASSWORD, currentPassword: 'Wrong-passw0rd' },
        'currentPassword',
      ],
      [
        'to a weak password',
        { password: 'weakpass', currentPassword: 'Passw0rd-long' },
        'password',
      ],
    ])('refuses a password change %s with 400 and changes nothing', async (_l, body, field) => {
      const user = await createUser(t);
      const session = await login(user.email, user.password);
      const before = await stored(user);
      const res = await t.http
        .patch('/v1/users/me')
        .set('Authorization', user.auth)
        .send(body)
        .expect(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field })]);
      expect((await stored(user))?.passwordHash).toBe(before?.passwordHash);
      expect(
        await refreshTokens().findOne({ tokenHash: sha256(session.refresh.token) }),
      ).toMatchObject({ revokedAt: null });
    });

    it.each([
      ['a role', { role: 'admin' }],
      ['the disabled flag', { isDisabled: true }],
      ['an operator as name', { name: { $gt: '' } }],
      ['an operator as email', { email: { $ne: null } }],
      ['a name of only spaces', { name: '   ' }],
      ['an invalid email', { email: 'nope' }],
    ])('refuses %s with 400 and changes nothing', async (_label, body) => {
      const user = await createUser(t);
      const before = await stored(user);
      await t.http.patch('/v1/users/me').set('Authorization', user.auth).send(body).expect(400);
      expect(await stored(user)).toEqual(before);
    });
  });
});
