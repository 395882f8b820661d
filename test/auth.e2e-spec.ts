import { JwtService } from '@nestjs/jwt';
import { Types } from 'mongoose';
import { createHash } from 'node:crypto';
import { TokenPurgeTask } from '../src/credentials/token-purge.task';
import { createUser, uniqueEmail } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const PASSWORD = 'Passw0rd-long';

describe('Auth: register, login, logout, refresh', () => {
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

  async function register(email = uniqueEmail('reg'), password = PASSWORD) {
    const res = await t.http
      .post('/v1/auth/register')
      .send({ name: 'Jane Doe', email, password })
      .expect(201);
    return res.body;
  }

  async function login(email: string, password = PASSWORD) {
    const res = await t.http.post('/v1/auth/login').send({ email, password }).expect(200);
    return res.body;
  }

  describe('POST /v1/auth/register', () => {
    it('creates a user and returns the user with an access and a refresh token', async () => {
      const email = uniqueEmail('reg');
      const body = await register(email);
      expect(Object.keys(body.user).sort()).toEqual(
        ['createdAt', 'email', 'id', 'isEmailVerified', 'name', 'role', 'updatedAt'].sort(),
      );
      expect(body.user).toMatchObject({
        name: 'Jane Doe',
        email,
        role: 'user',
        isEmailVerified: false,
      });
      expect(new Date(body.user.createdAt).toISOString()).toBe(body.user.createdAt);
      expect(body.tokens.access.token).toEqual(expect.any(String));
      expect(new Date(body.tokens.access.expires).toISOString()).toBe(body.tokens.access.expires);
      expect(body.tokens.refresh.token).toEqual(expect.any(String));
      expect(new Date(body.tokens.refresh.expires).getTime()).toBeGreaterThan(
        new Date(body.tokens.access.expires).getTime(),
      );

      const stored = await users().findOne({ email });
      expect(stored?.passwordHash).toMatch(/^\$2[aby]\$/);
      expect(stored?.passwordHash).not.toContain(PASSWORD);
      expect(
        await auditLogs().countDocuments({ action: 'user.registered', subjectUser: stored?._id }),
      ).toBe(1);
    });

    it('issues an HS256 access JWT with sub, role, type and exp', async () => {
      const body = await register();
      const [header] = body.tokens.access.token.split('.');
      expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({
        alg: 'HS256',
      });
      const payload = t.app.get(JwtService).decode(body.tokens.access.token);
      expect(payload).toMatchObject({ sub: body.user.id, role: 'user', type: 'access' });
      expect(payload.exp).toBe(Math.floor(new Date(body.tokens.access.expires).getTime() / 1000));
    });

    it('stores refresh tokens only as a hash of a long random string', async () => {
      const body = await register();
      const token: string = body.tokens.refresh.token;
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
      expect(token.split('.')).toHaveLength(1);
      expect(await refreshTokens().findOne({ tokenHash: token })).toBeNull();
      expect(await refreshTokens().findOne({ tokenHash: sha256(token) })).not.toBeNull();
    });

    it('refuses a duplicate email, whatever its case, with 409', async () => {
      const email = uniqueEmail('dup');
      await register(email);
      const res = await t.http
        .post('/v1/auth/register')
        .send({ name: 'Other', email: email.toUpperCase(), password: PASSWORD })
        .expect(409);
      expect(res.body.error).toMatchObject({ code: 409, message: 'Email is already registered' });
      expect(await users().countDocuments({ email })).toBe(1);
    });

    it.each([
      ['too short', 'Ab1cdef'],
      ['without a digit', 'only-letters-here'],
      ['without a letter', '1234567890'],
      ['longer than 72 bytes', `a1${'é'.repeat(36)}`],
    ])('refuses a password %s with 400 and writes nothing', async (_label, password) => {
      const email = uniqueEmail('weak');
      const res = await t.http
        .post('/v1/auth/register')
        .send({ name: 'Weak', email, password })
        .expect(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'password' })]);
      expect(await users().countDocuments({ email })).toBe(0);
    });

    it.each([
      ['an empty name', { name: '   ' }],
      ['a name over 100 characters', { name: 'x'.repeat(101) }],
      ['an invalid email', { email: 'not-an-email' }],
      ['a missing password', { password: undefined }],
      ['an unknown field', { role: 'admin' }],
      ['a NoSQL operator as email', { email: { $gt: '' } }],
    ])('refuses %s with 400 and writes nothing', async (_label, override) => {
      const email = uniqueEmail('bad');
      const usersBefore = await users().countDocuments();
      const tokensBefore = await refreshTokens().countDocuments();
      const res = await t.http
        .post('/v1/auth/register')
        .send({ name: 'Jane', email, password: PASSWORD, ...override })
        .expect(400);
      expect(res.body.error.code).toBe(400);
      expect(await users().countDocuments()).toBe(usersBefore);
      expect(await refreshTokens().countDocuments()).toBe(tokensBefore);
    });
  });

  describe('POST /v1/auth/login', () => {
    it('signs in with the right password, whatever the email case', async () => {
      const user = await createUser(t);
      const body = await login(user.email.toUpperCase(), user.password);
      expect(body.user).toMatchObject({ id: user.id, email: user.email });
      expect(body.user.passwordHash).toBeUndefined();
      await t.http
        .get('/v1/users/me')
        .set('Authorization', `Bearer ${body.tokens.access.token}`)
        .expect(200);
      const entry = await auditLogs().findOne({ action: 'user.login', subjectUser: user.user._id });
      expect(entry).toMatchObject({ ip: expect.any(String) });
    });

    it('refuses a wrong password with 401, issues nothing and records the attempt', async () => {
      const user = await createUser(t);
      const res = await t.http
        .post('/v1/auth/login')
        .set('User-Agent', 'login-test-agent')
        .send({ email: user.email, password: 'Wrong-passw0rd' })
        .expect(401);
      expect(res.body.error).toMatchObject({ code: 401, message: 'Incorrect email or password' });
      expect(await refreshTokens().countDocuments({ user: user.user._id })).toBe(0);
      const entry = await auditLogs().findOne({
        action: 'user.login_failed',
        subjectUser: user.user._id,
      });
      expect(entry).toMatchObject({
        ip: expect.any(String),
        userAgent: 'login-test-agent',
        metadata: { email: user.email, reason: 'wrong-password' },
      });
      expect(JSON.stringify(entry)).not.toContain('Wrong-passw0rd');
    });

    it('refuses an unknown email with the same 401 and records the attempted email', async () => {
      const email = uniqueEmail('ghost');
      const before = await refreshTokens().countDocuments();
      const res = await t.http
        .post('/v1/auth/login')
        .send({ email, password: PASSWORD })
        .expect(401);
      expect(res.body.error.message).toBe('Incorrect email or password');
      expect(await refreshTokens().countDocuments()).toBe(before);
      const entry = await auditLogs().findOne({
        action: 'user.login_failed',
        'metadata.email': email,
      });
      expect(entry).toMatchObject({ metadata: { reason: 'unknown-email' } });
      expect(entry?.subjectUser).toBeUndefined();
    });

    it('refuses a disabled user with 403', async () => {
      const user = await createUser(t);
      await users().updateOne({ _id: user.user._id }, { $set: { isDisabled: true } });
      const res = await t.http
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password })
        .expect(403);
      expect(res.body.error.message).toBe('This account is disabled');
      expect(await refreshTokens().countDocuments({ user: user.user._id })).toBe(0);
    });

    it.each([
      ['an operator as email', { email: { $gt: '' }, password: PASSWORD }],
      ['an operator as password', { email: 'nosql@example.com', password: { $ne: null } }],
      ['an unknown field', { email: 'nosql@example.com', password: PASSWORD, admin: true }],
      ['a missing password', { email: 'nosql@example.com' }],
    ])('refuses %s with 400 and signs nobody in', async (_label, body) => {
      if (!(await users().findOne({ email: 'nosql@example.com' }))) {
        await createUser(t, { email: 'nosql@example.com', password: PASSWORD });
      }
      const before = await refreshTokens().countDocuments();
      const res = await t.http.post('/v1/auth/login').send(body).expect(400);
      expect(res.body.error.code).toBe(400);
      expect(res.body.tokens).toBeUndefined();
      expect(await refreshTokens().countDocuments()).toBe(before);
    });
  });

  describe('POST /v1/auth/refresh-tokens', () => {
    it('rotates: returns a new pair and the old refresh token stops working', async () => {
      const { tokens } = await register();
      const res = await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: tokens.refresh.token })
        .expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['access', 'refresh', 'tokens']);
      expect(res.body.tokens).toEqual({ access: res.body.access, refresh: res.body.refresh });
      expect(res.body.refresh.token).not.toBe(tokens.refresh.token);
      await t.http
        .get('/v1/users/me')
        .set('Authorization', `Bearer ${res.body.access.token}`)
        .expect(200);

      const old = await refreshTokens().findOne({ tokenHash: sha256(tokens.refresh.token) });
      const next = await refreshTokens().findOne({ tokenHash: sha256(res.body.refresh.token) });
      expect(old?.usedAt).toBeInstanceOf(Date);
      expect(old?.replacedBy).toEqual(next?._id);
      expect(next?.family).toBe(old?.family);
    });

    it('treats a replayed refresh token as theft: 401 and the whole family is revoked', async () => {
      const { user, tokens } = await register();
      const first = await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: tokens.refresh.token })
        .expect(200);

      const replay = await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: tokens.refresh.token })
        .expect(401);
      expect(replay.body.error.code).toBe(401);

      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: first.body.refresh.token })
        .expect(401);
      const mine = await refreshTokens()
        .find({ user: new Types.ObjectId(user.id) })
        .toArray();
      expect(mine).toHaveLength(2);
      expect(mine.every((doc) => doc.revokedAt instanceof Date)).toBe(true);
      expect(
        await auditLogs().countDocuments({
          action: 'user.refresh_token_reused',
          'metadata.family': mine[0].family,
        }),
      ).toBe(1);
    });

    it('keeps other sessions of the same user working after a replay', async () => {
      const email = uniqueEmail('multi');
      const { tokens } = await register(email);
      const other = await login(email);
      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: tokens.refresh.token })
        .expect(200);
      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: tokens.refresh.token })
        .expect(401);
      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: other.tokens.refresh.token })
        .expect(200);
    });

    it('refuses an expired refresh token with 401', async () => {
      const { tokens } = await register();
      await refreshTokens().updateOne(
        { tokenHash: sha256(tokens.refresh.token) },
        { $set: { expiresAt: new Date(Date.now() - 1000) } },
      );
      const before = await refreshTokens().countDocuments();
      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: tokens.refresh.token })
        .expect(401);
      expect(await refreshTokens().countDocuments()).toBe(before);
    });

    it('refuses a garbage token and an access token with 401, issuing nothing', async () => {
      const { tokens } = await register();
      const before = await refreshTokens().countDocuments();
      for (const refreshToken of ['garbage', tokens.access.token]) {
        const res = await t.http.post('/v1/auth/refresh-tokens').send({ refreshToken }).expect(401);
        expect(res.body.error.message).toBe('Invalid or expired refresh token');
      }
      expect(await refreshTokens().countDocuments()).toBe(before);
    });

    it('refuses the refresh token of a user disabled since', async () => {
      const { user, tokens } = await register();
      await users().updateOne({ email: user.email }, { $set: { isDisabled: true } });
      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: tokens.refresh.token })
        .expect(401);
    });

    it('refuses a missing or non-string token with 400, rotating nothing', async () => {
      const { tokens } = await register();
      const before = await refreshTokens().find().toArray();
      await t.http.post('/v1/auth/refresh-tokens').send({}).expect(400);
      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: { $ne: null } })
        .expect(400);
      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: tokens.refresh.token, userId: 'x' })
        .expect(400);
      expect(await refreshTokens().find().toArray()).toEqual(before);
    });
  });

  describe('POST /v1/auth/logout', () => {
    it('revokes the session: its refresh token stops working', async () => {
      const { user, tokens } = await register();
      await t.http.post('/v1/auth/logout').send({ refreshToken: tokens.refresh.token }).expect(204);
      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: tokens.refresh.token })
        .expect(401);
      const stored = await refreshTokens().findOne({ tokenHash: sha256(tokens.refresh.token) });
      expect(stored?.revokedAt).toBeInstanceOf(Date);
      expect(await auditLogs().countDocuments({ action: 'user.logout', actor: stored?.user })).toBe(
        1,
      );
      expect(String(stored?.user)).toBe(user.id);
    });

    it('answers 204 for an unknown, already revoked or access token, changing nothing', async () => {
      const { tokens } = await register();
      await t.http.post('/v1/auth/logout').send({ refreshToken: tokens.refresh.token }).expect(204);
      const before = await refreshTokens().find().toArray();
      const logouts = await auditLogs().countDocuments({ action: 'user.logout' });
      for (const refreshToken of ['garbage', tokens.access.token, tokens.refresh.token]) {
        const res = await t.http.post('/v1/auth/logout').send({ refreshToken }).expect(204);
        expect(res.text).toBe('');
      }
      expect(await refreshTokens().find().toArray()).toEqual(before);
      expect(await auditLogs().countDocuments({ action: 'user.logout' })).toBe(logouts);
    });

    it('revokes the whole session when given a refresh token already exchanged', async () => {
      const { tokens } = await register();
      const next = await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: tokens.refresh.token })
        .expect(200);
      await t.http.post('/v1/auth/logout').send({ refreshToken: tokens.refresh.token }).expect(204);
      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: next.body.refresh.token })
        .expect(401);
      const stored = await refreshTokens().findOne({ tokenHash: sha256(next.body.refresh.token) });
      expect(stored?.revokedAt).toBeInstanceOf(Date);
    });

    it('refuses a body without a refresh token or with an operator with 400, revoking nothing', async () => {
      await register();
      const before = await refreshTokens().find().toArray();
      await t.http.post('/v1/auth/logout').send({ token: 'x' }).expect(400);
      await t.http
        .post('/v1/auth/logout')
        .send({ refreshToken: { $gt: '' } })
        .expect(400);
      expect(await refreshTokens().find().toArray()).toEqual(before);
    });
  });

  describe('access tokens', () => {
    it('refuses a request without a token with 401', async () => {
      const res = await t.http.get('/v1/users/me').expect(401);
      expect(res.body.error.message).toBe('Missing access token');
    });

    it('refuses an expired access token with 401', async () => {
      const user = await createUser(t);
      const expired = await t.app.get(JwtService).signAsync({
        sub: user.id,
        role: 'user',
        type: 'access',
        exp: Math.floor(Date.now() / 1000) - 60,
      });
      const res = await t.http
        .get('/v1/users/me')
        .set('Authorization', `Bearer ${expired}`)
        .expect(401);
      expect(res.body.error.message).toBe('Access token expired');
    });

    it('refuses a token signed with another secret, a garbage token and a refresh token', async () => {
      const user = await createUser(t);
      const forged = await new JwtService({ secret: 'another-secret-another-secret-00' }).signAsync(
        {
          sub: user.id,
          role: 'admin',
          type: 'access',
        },
      );
      const { tokens } = await register();
      for (const token of [forged, 'not.a.jwt', tokens.refresh.token]) {
        await t.http.get('/v1/users/me').set('Authorization', `Bearer ${token}`).expect(401);
      }
    });

    it('refuses a JWT whose type is not access', async () => {
      const user = await createUser(t);
      const jwt = t.app.get(JwtService);
      for (const type of ['refresh', 'resetPassword', undefined]) {
        const token = await jwt.signAsync({
          sub: user.id,
          role: 'user',
          ...(type ? { type } : {}),
        });
        await t.http.get('/v1/users/me').set('Authorization', `Bearer ${token}`).expect(401);
      }
    });

    it('refuses a token signed with the none algorithm', async () => {
      const user = await createUser(t);
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: user.id, role: 'admin', type: 'access', exp: Math.floor(Date.now() / 1000) + 600 })}.`;
      await t.http.get('/v1/users/me').set('Authorization', `Bearer ${token}`).expect(401);
    });
  });

  describe('expired token purge', () => {
    it('deletes expired refresh and one-time tokens and keeps live ones', async () => {
      const expired = await register();
      const live = await register();
      const past = new Date(Date.now() - 1000);
      await refreshTokens().updateOne(
        { tokenHash: sha256(expired.tokens.refresh.token) },
        { $set: { expiresAt: past } },
      );
      const oneTimeTokens = t.connection.collection('one_time_tokens');
      await oneTimeTokens.insertMany([
        {
          user: new Types.ObjectId(expired.user.id),
          purpose: 'reset-password',
          tokenHash: sha256('old'),
          expiresAt: past,
          usedAt: null,
        },
        {
          user: new Types.ObjectId(live.user.id),
          purpose: 'reset-password',
          tokenHash: sha256('new'),
          expiresAt: new Date(Date.now() + 60_000),
          usedAt: null,
        },
      ]);

      await t.app.get(TokenPurgeTask).purgeExpired();

      expect(
        await refreshTokens().findOne({ tokenHash: sha256(expired.tokens.refresh.token) }),
      ).toBeNull();
      expect(
        await refreshTokens().findOne({ tokenHash: sha256(live.tokens.refresh.token) }),
      ).not.toBeNull();
      expect(await oneTimeTokens.findOne({ tokenHash: sha256('old') })).toBeNull();
      expect(await oneTimeTokens.findOne({ tokenHash: sha256('new') })).not.toBeNull();
    });
  });
});
