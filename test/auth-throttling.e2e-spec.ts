import type { Response } from 'supertest';
import { createUser, uniqueEmail } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const LIMIT = 3;
const PASSWORD = 'Passw0rd-long';

describe('Auth rate limits', () => {
  let t: TestApp;
  let ipSequence = 0;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        AUTH_THROTTLE_LIMIT: String(LIMIT),
        AUTH_THROTTLE_TTL_SECONDS: '60',
        TRUST_PROXY: 'true',
      },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  const users = () => t.connection.collection('users');
  const auditLogs = () => t.connection.collection('audit_logs');
  const oneTimeTokens = () => t.connection.collection('one_time_tokens');
  const freshIp = () => `198.51.100.${++ipSequence}`;

  function expectRateLimited(res: Response) {
    expect(res.status).toBe(429);
    expect(res.body).toEqual({
      error: { code: 429, message: 'Too many attempts, try again later', details: [] },
    });
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  }

  it('limits login attempts per IP address, whatever the email', async () => {
    const ip = freshIp();
    for (let i = 0; i < LIMIT; i++) {
      await t.http
        .post('/v1/auth/login')
        .set('X-Forwarded-For', ip)
        .send({ email: uniqueEmail('ip'), password: PASSWORD })
        .expect(401);
    }
    const failuresBefore = await auditLogs().countDocuments({ action: 'user.login_failed' });
    const res = await t.http
      .post('/v1/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ email: uniqueEmail('ip'), password: PASSWORD });
    expectRateLimited(res);
    expect(await auditLogs().countDocuments({ action: 'user.login_failed' })).toBe(failuresBefore);

    await t.http
      .post('/v1/auth/login')
      .set('X-Forwarded-For', freshIp())
      .send({ email: uniqueEmail('ip'), password: PASSWORD })
      .expect(401);
  });

  it('limits login attempts per email, whatever the IP address, even with the right password', async () => {
    const user = await createUser(t);
    for (let i = 0; i < LIMIT; i++) {
      await t.http
        .post('/v1/auth/login')
        .set('X-Forwarded-For', freshIp())
        .send({ email: i % 2 ? user.email : user.email.toUpperCase(), password: 'Wrong-passw0rd' })
        .expect(401);
    }
    const res = await t.http
      .post('/v1/auth/login')
      .set('X-Forwarded-For', freshIp())
      .send({ email: user.email, password: user.password });
    expectRateLimited(res);
    expect(
      await auditLogs().countDocuments({ action: 'user.login', subjectUser: user.user._id }),
    ).toBe(0);
  });

  it('limits registrations and writes nothing once limited', async () => {
    const ip = freshIp();
    for (let i = 0; i < LIMIT; i++) {
      await t.http
        .post('/v1/auth/register')
        .set('X-Forwarded-For', ip)
        .send({ name: 'Reg', email: uniqueEmail('reg'), password: PASSWORD })
        .expect(201);
    }
    const email = uniqueEmail('reg');
    const res = await t.http
      .post('/v1/auth/register')
      .set('X-Forwarded-For', ip)
      .send({ name: 'Reg', email, password: PASSWORD });
    expectRateLimited(res);
    expect(await users().countDocuments({ email })).toBe(0);
  });

  it('limits password-reset requests per email and stores no token once limited', async () => {
    const user = await createUser(t);
    for (let i = 0; i < LIMIT; i++) {
      await t.http
        .post('/v1/auth/forgot-password')
        .set('X-Forwarded-For', freshIp())
        .send({ email: user.email })
        .expect(204);
    }
    const before = await oneTimeTokens().findOne({ user: user.user._id });
    const res = await t.http
      .post('/v1/auth/forgot-password')
      .set('X-Forwarded-For', freshIp())
      .send({ email: user.email });
    expectRateLimited(res);
    expect(await oneTimeTokens().findOne({ user: user.user._id })).toEqual(before);
  });

  it('limits refresh attempts per IP address', async () => {
    const ip = freshIp();
    for (let i = 0; i < LIMIT; i++) {
      await t.http
        .post('/v1/auth/refresh-tokens')
        .set('X-Forwarded-For', ip)
        .send({ refreshToken: `guess-${i}` })
        .expect(401);
    }
    const res = await t.http
      .post('/v1/auth/refresh-tokens')
      .set('X-Forwarded-For', ip)
      .send({ refreshToken: 'guess-final' });
    expectRateLimited(res);
  });

  it('counts each route separately', async () => {
    const ip = freshIp();
    for (let i = 0; i < LIMIT; i++) {
      await t.http
        .post('/v1/auth/refresh-tokens')
        .set('X-Forwarded-For', ip)
        .send({ refreshToken: `guess-${i}` })
        .expect(401);
    }
    await t.http
      .post('/v1/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ email: uniqueEmail('route'), password: PASSWORD })
      .expect(401);
  });
});
