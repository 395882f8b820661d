import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { createUser, uniqueEmail, type TestUser } from './utils/factories';
import { MailCatcher, tokenFromMail } from './utils/mail-catcher';
import { createTestApp, type TestApp } from './utils/test-app';

const NEW_PASSWORD = 'Brand-new-passw0rd';
const RESET_SUBJECT = /reset your password/i;
const VERIFY_SUBJECT = /verify your email/i;

describe('Auth: password reset and email verification', () => {
  let t: TestApp;
  let mail: MailCatcher;

  beforeAll(async () => {
    mail = await MailCatcher.start();
    t = await createTestApp({ env: { SMTP_URL: mail.url, AUTH_THROTTLE_LIMIT: '10000' } });
  });

  afterAll(async () => {
    await t.close();
    await mail.stop();
  });

  const users = () => t.connection.collection('users');
  const oneTimeTokens = () => t.connection.collection('one_time_tokens');
  const refreshTokens = () => t.connection.collection('refresh_tokens');
  const auditLogs = () => t.connection.collection('audit_logs');
  const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

  function login(email: string, password: string) {
    return t.http.post('/v1/auth/login').send({ email, password });
  }

  async function requestReset(user: TestUser): Promise<string> {
    const before = mail.mailsTo(user.email).length;
    await t.http.post('/v1/auth/forgot-password').send({ email: user.email }).expect(204);
    return tokenFromMail(await mail.waitForCount(user.email, before + 1));
  }

  async function requestVerification(user: TestUser): Promise<string> {
    const before = mail.mailsTo(user.email).length;
    await t.http
      .post('/v1/auth/send-verification-email')
      .set('Authorization', user.auth)
      .expect(204);
    return tokenFromMail(await mail.waitForCount(user.email, before + 1));
  }

  describe('POST /v1/auth/forgot-password', () => {
    it('answers 204 and emails a single-use link; only the token hash is stored', async () => {
      const user = await createUser(t);
      await t.http.post('/v1/auth/forgot-password').send({ email: user.email }).expect(204);
      const received = await mail.waitFor(user.email, RESET_SUBJECT);
      expect(received.text).toContain(`${t.baseUrl}/v1/auth/reset-password?token=`);
      const token = tokenFromMail(received);
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);

      const stored = await oneTimeTokens().findOne({ user: user.user._id });
      expect(stored).toMatchObject({
        purpose: 'reset-password',
        tokenHash: sha256(token),
        usedAt: null,
      });
      const minutes = (stored?.expiresAt.getTime() - Date.now()) / 60_000;
      expect(minutes).toBeGreaterThan(55);
      expect(minutes).toBeLessThanOrEqual(60);
      expect(JSON.stringify(await oneTimeTokens().find().toArray())).not.toContain(token);
      expect(
        await auditLogs().countDocuments({
          action: 'user.password_reset_requested',
          subjectUser: user.user._id,
        }),
      ).toBe(1);
    });

    it('answers the same 204 for an unknown email and stores or sends nothing', async () => {
      const ghost = uniqueEmail('ghost');
      const before = await oneTimeTokens().countDocuments();
      const res = await t.http.post('/v1/auth/forgot-password').send({ email: ghost }).expect(204);
      expect(res.text).toBe('');
      expect(await oneTimeTokens().countDocuments()).toBe(before);

      const user = await createUser(t);
      await requestReset(user);
      expect(mail.mailsTo(ghost)).toEqual([]);
    });

    it('refuses an invalid email or an operator payload with 400 and stores nothing', async () => {
      const before = await oneTimeTokens().countDocuments();
      for (const email of ['not-an-email', { $gt: '' }, undefined]) {
        await t.http.post('/v1/auth/forgot-password').send({ email }).expect(400);
      }
      expect(await oneTimeTokens().countDocuments()).toBe(before);
    });
  });

  describe('POST /v1/auth/reset-password', () => {
    it('sets the new password, ends every session and records the reset', async () => {
      const user = await createUser(t);
      const session = (await login(user.email, user.password).expect(200)).body;
      const token = await requestReset(user);

      await t.http
        .post('/v1/auth/reset-password')
        .query({ token })
        .send({ password: NEW_PASSWORD })
        .expect(204);

      await login(user.email, user.password).expect(401);
      await login(user.email, NEW_PASSWORD).expect(200);
      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: session.tokens.refresh.token })
        .expect(401);
      const stale = await refreshTokens().findOne({
        tokenHash: sha256(session.tokens.refresh.token),
      });
      expect(stale?.revokedAt).toBeInstanceOf(Date);
      expect(
        await auditLogs().countDocuments({
          action: 'user.password_reset',
          subjectUser: user.user._id,
        }),
      ).toBe(1);
    });

    it('accepts a token once: a second use is refused with 401', async () => {
      const user = await createUser(t);
      const token = await requestReset(user);
      await t.http
        .post('/v1/auth/reset-password')
        .query({ token })
        .send({ password: NEW_PASSWORD })
        .expect(204);
      const hashAfterReset = (await users().findOne({ _id: user.user._id }))?.passwordHash;

      const res = await t.http
        .post('/v1/auth/reset-password')
        .query({ token })
        .send({ password: 'Another-passw0rd' })
        .expect(401);
      expect(res.body.error.message).toBe('Invalid or expired password reset token');
      expect((await users().findOne({ _id: user.user._id }))?.passwordHash).toBe(hashAfterReset);
    });

    it('refuses an expired token with 401 and leaves the password unchanged', async () => {
      const user = await createUser(t);
      const token = await requestReset(user);
      await oneTimeTokens().updateOne(
        { tokenHash: sha256(token) },
        { $set: { expiresAt: new Date(Date.now() - 1000) } },
      );
      const before = (await users().findOne({ _id: user.user._id }))?.passwordHash;
      await t.http
        .post('/v1/auth/reset-password')
        .query({ token })
        .send({ password: NEW_PASSWORD })
        .expect(401);
      expect((await users().findOne({ _id: user.user._id }))?.passwordHash).toBe(before);
    });

    it('invalidates the previous link when a new one is requested', async () => {
      const user = await createUser(t);
      const first = await requestReset(user);
      const second = await requestReset(user);
      expect(second).not.toBe(first);
      await t.http
        .post('/v1/auth/reset-password')
        .query({ token: first })
        .send({ password: NEW_PASSWORD })
        .expect(401);
      await t.http
        .post('/v1/auth/reset-password')
        .query({ token: second })
        .send({ password: NEW_PASSWORD })
        .expect(204);
      expect(await oneTimeTokens().countDocuments({ user: user.user._id })).toBe(1);
    });

    it('refuses garbage, an email-verification token and an access token with 401', async () => {
      const user = await createUser(t);
      const verifyToken = await requestVerification(user);
      const before = (await users().findOne({ _id: user.user._id }))?.passwordHash;
      for (const token of ['garbage', verifyToken, user.accessToken]) {
        await t.http
          .post('/v1/auth/reset-password')
          .query({ token })
          .send({ password: NEW_PASSWORD })
          .expect(401);
      }
      expect((await users().findOne({ _id: user.user._id }))?.passwordHash).toBe(before);
    });

    it('refuses a weak password with 400 without using up the token', async () => {
      const user = await createUser(t);
      const token = await requestReset(user);
      const before = (await users().findOne({ _id: user.user._id }))?.passwordHash;
      await t.http
        .post('/v1/auth/reset-password')
        .query({ token })
        .send({ password: 'weak' })
        .expect(400);
      expect((await users().findOne({ _id: user.user._id }))?.passwordHash).toBe(before);
      expect(await oneTimeTokens().findOne({ tokenHash: sha256(token) })).toMatchObject({
        usedAt: null,
      });
      await t.http
        .post('/v1/auth/reset-password')
        .query({ token })
        .send({ password: NEW_PASSWORD })
        .expect(204);
    });

    it('refuses a missing token, unknown fields or an operator with 400, changing nothing', async () => {
      const user = await createUser(t);
      const token = await requestReset(user);
      const before = await users().findOne({ _id: user.user._id });
      await t.http.post('/v1/auth/reset-password').send({ password: NEW_PASSWORD }).expect(400);
      await t.http
        .post('/v1/auth/reset-password')
        .query({ token })
        .send({ password: NEW_PASSWORD, email: user.email })
        .expect(400);
      await t.http
        .post('/v1/auth/reset-password?token[$ne]=x')
        .send({ password: NEW_PASSWORD })
        .expect(400);
      expect(await users().findOne({ _id: user.user._id })).toEqual(before);
      expect(await oneTimeTokens().findOne({ tokenHash: sha256(token) })).toMatchObject({
        usedAt: null,
      });
    });
  });

  describe('email verification', () => {
    it('emails a link whose token marks the address verified, once', async () => {
      const user = await createUser(t);
      const token = await requestVerification(user);
      const received = mail.mailsTo(user.email).find((m) => VERIFY_SUBJECT.test(m.subject));
      expect(received?.text).toContain(`${t.baseUrl}/v1/auth/verify-email?token=`);
      const stored = await oneTimeTokens().findOne({
        user: user.user._id,
        purpose: 'verify-email',
      });
      const hours = (stored?.expiresAt.getTime() - Date.now()) / 3_600_000;
      expect(hours).toBeGreaterThan(23);
      expect(hours).toBeLessThanOrEqual(24);

      await t.http.post('/v1/auth/verify-email').query({ token }).expect(204);
      const me = await t.http.get('/v1/users/me').set('Authorization', user.auth).expect(200);
      expect(me.body.isEmailVerified).toBe(true);
      expect(
        await auditLogs().countDocuments({
          action: 'user.email_verified',
          subjectUser: user.user._id,
        }),
      ).toBe(1);
      await t.http.post('/v1/auth/verify-email').query({ token }).expect(401);
    });

    it('refuses to send a link to an already verified address with 409', async () => {
      const user = await createUser(t, { isEmailVerified: true });
      const res = await t.http
        .post('/v1/auth/send-verification-email')
        .set('Authorization', user.auth)
        .expect(409);
      expect(res.body.error.message).toBe('Email is already verified');
      expect(await oneTimeTokens().countDocuments({ user: user.user._id })).toBe(0);
    });

    it('requires a signed-in user to send a link', async () => {
      const before = await oneTimeTokens().countDocuments();
      await t.http.post('/v1/auth/send-verification-email').expect(401);
      await t.http
        .post('/v1/auth/send-verification-email')
        .set('Authorization', 'Bearer garbage')
        .expect(401);
      expect(await oneTimeTokens().countDocuments()).toBe(before);
    });

    it('refuses an expired, a superseded, a reset or a garbage token with 401', async () => {
      const user = await createUser(t);
      const first = await requestVerification(user);
      const second = await requestVerification(user);
      const resetToken = await requestReset(user);
      await oneTimeTokens().updateOne(
        { tokenHash: sha256(second) },
        { $set: { expiresAt: new Date(Date.now() - 1000) } },
      );
      for (const token of [first, second, resetToken, 'garbage']) {
        await t.http.post('/v1/auth/verify-email').query({ token }).expect(401);
      }
      expect((await users().findOne({ _id: user.user._id }))?.isEmailVerified).toBe(false);
    });

    it('refuses a missing token, a repeated token or unknown parameters with 400', async () => {
      const user = await createUser(t);
      const token = await requestVerification(user);
      await t.http.post('/v1/auth/verify-email').expect(400);
      await t.http.post(`/v1/auth/verify-email?token=${token}&token=${token}`).expect(400);
      await t.http.post('/v1/auth/verify-email').query({ token, userId: user.id }).expect(400);
      expect((await users().findOne({ _id: user.user._id }))?.isEmailVerified).toBe(false);
      expect(await oneTimeTokens().findOne({ tokenHash: sha256(token) })).toMatchObject({
        usedAt: null,
      });
    });

    it('invalidates a pending link when the email changes', async () => {
      const user = await createUser(t);
      const token = await requestVerification(user);
      await t.http
        .patch('/v1/users/me')
        .set('Authorization', user.auth)
        .send({ email: uniqueEmail('moved') })
        .expect(200);
      await t.http.post('/v1/auth/verify-email').query({ token }).expect(401);
      expect(
        await oneTimeTokens().countDocuments({
          user: new Types.ObjectId(user.id),
          purpose: 'verify-email',
        }),
      ).toBe(0);
    });
  });
});

describe('Development outbox', () => {
  it('is not served outside development', async () => {
    const t = await createTestApp();
    try {
      await t.http.get('/v1/dev/outbox').expect(404);
    } finally {
      await t.close();
    }
  });

  it('keeps mails without SMTP in development and serves them at GET /v1/dev/outbox', async () => {
    const t = await createTestApp({
      env: {
        NODE_ENV: 'development',
        JWT_SECRET: 'a-development-jwt-secret-for-this-test-0001',
        TOKEN_ENCRYPTION_KEY: 'a-development-encryption-key-for-this-test-01',
      },
    });
    try {
      const user = await createUser(t);
      await t.http.post('/v1/auth/forgot-password').send({ email: user.email }).expect(204);
      let outbox = await t.http.get('/v1/dev/outbox').expect(200);
      while (outbox.body.mails.length === 0) {
        await new Promise((r) => setImmediate(r));
        outbox = await t.http.get('/v1/dev/outbox').expect(200);
      }
      expect(outbox.body.mails[0]).toMatchObject({
        to: user.email,
        subject: 'Reset your password',
        text: expect.stringContaining(`${t.baseUrl}/v1/auth/reset-password?token=`),
        queuedAt: expect.any(String),
      });
      const token = tokenFromMail(outbox.body.mails[0]);
      await t.http
        .post('/v1/auth/reset-password')
        .query({ token })
        .send({ password: NEW_PASSWORD })
        .expect(204);
    } finally {
      await t.close();
    }
  });
});
