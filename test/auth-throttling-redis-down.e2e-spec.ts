import { uniqueEmail } from './utils/factories';
import { TcpProxy } from './utils/tcp-proxy';
import { createTestApp, type TestApp } from './utils/test-app';

const PASSWORD = 'Passw0rd-long';

describe('Auth rate limits while Redis does not answer', () => {
  let redis: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    const direct = process.env.TEST_REDIS_BASE_URL as string;
    const target = new URL(direct);
    redis = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
    process.env.TEST_REDIS_BASE_URL = `redis://127.0.0.1:${redis.port}`;
    try {
      t = await createTestApp();
    } finally {
      process.env.TEST_REDIS_BASE_URL = direct;
    }
  });

  afterAll(async () => {
    redis.resume();
    await t?.close();
    await redis.stop();
  });

  const auditLogs = () => t.connection.collection('audit_logs');
  const login = (email: string) =>
    t.http.post('/v1/auth/login').send({ email, password: PASSWORD });

  it('refuses credential routes with 503 and Retry-After, writing nothing, and serves them again once Redis answers', async () => {
    redis.pause();
    const email = uniqueEmail('redis-down');
    const before = await auditLogs().countDocuments();
    const res = await login(email);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: {
        code: 503,
        message: 'Rate limiting is unavailable, try again in a moment',
        details: [{ reason: 'throttling_unavailable' }],
        requestId: expect.any(String),
      },
    });
    expect(res.headers['retry-after']).toBe('1');
    const registered = await t.http
      .post('/v1/auth/register')
      .send({ name: 'Down', email, password: PASSWORD });
    expect(registered.status).toBe(503);
    expect(await t.connection.collection('users').countDocuments({ email })).toBe(0);
    expect(await auditLogs().countDocuments()).toBe(before);

    redis.resume();
    let status = 503;
    for (let tries = 0; tries < 40 && status === 503; tries++) {
      status = (await login(email)).status;
    }
    expect(status).toBe(401);
  });
});
