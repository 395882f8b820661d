import { setTimeout as sleep } from 'node:timers/promises';
import { createTestApp, type TestApp } from './utils/test-app';
import { TcpProxy } from './utils/tcp-proxy';

const TOKEN = 'metrics-token-for-the-tests-0123456789';

/** Boots an app whose Redis and database traffic go through the proxies. */
async function appBehind(proxies: { redis: TcpProxy; database: TcpProxy }): Promise<TestApp> {
  const direct = {
    redis: process.env.TEST_REDIS_BASE_URL,
    database: process.env.TEST_MONGODB_BASE_URI,
  };
  process.env.TEST_REDIS_BASE_URL = `redis://127.0.0.1:${proxies.redis.port}`;
  process.env.TEST_MONGODB_BASE_URI = `mongodb://127.0.0.1:${proxies.database.port}`;
  try {
    return await createTestApp();
  } finally {
    process.env.TEST_REDIS_BASE_URL = direct.redis;
    process.env.TEST_MONGODB_BASE_URI = direct.database;
  }
}

/** A proxy in front of the server of this URL (`redis://…` or `mongodb://…`). */
async function startProxy(url: string | undefined): Promise<TcpProxy> {
  const target = new URL(url as string);
  return TcpProxy.start({ host: target.hostname, port: Number(target.port) });
}

/** Polls the health check until it answers 200 (or gives up after 4 s). */
async function healthyAgain(t: TestApp): Promise<number> {
  let status = 503;
  for (let tries = 0; tries < 40 && status !== 200; tries++) {
    await sleep(100);
    status = (await t.http.get('/health-check')).status;
  }
  return status;
}

describe('Health checks and process roles', () => {
  describe('a process of every role (PROCESS_ROLE=all)', () => {
    let redis: TcpProxy;
    let database: TcpProxy;
    let t: TestApp;

    beforeAll(async () => {
      redis = await startProxy(process.env.TEST_REDIS_BASE_URL);
      database = await startProxy(process.env.TEST_MONGODB_BASE_URI);
      t = await appBehind({ redis, database });
    });

    afterAll(async () => {
      redis.resume();
      database.resume();
      await t.close();
      await redis.stop();
      await database.stop();
    });

    it('answers OK while the database and Redis answer and the workers run', async () => {
      const res = await t.http.get('/health-check').expect(200);
      expect(res.text).toBe('OK');
    });

    it('answers 503 naming Redis within 2 s when Redis stops answering, and OK again after', async () => {
      redis.pause();
      const started = Date.now();
      const res = await t.http.get('/health-check').expect(503);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(res.body).toEqual({
        error: {
          code: 503,
          message: 'Redis unavailable',
          details: [
            { component: 'database', status: 'up' },
            { component: 'redis', status: 'down' },
            { component: 'workers', status: 'up' },
          ],
        },
      });
      redis.resume();
      expect(await healthyAgain(t)).toBe(200);
    });

    it('answers 503 naming the database within 2 s when it stops answering, and OK again after', async () => {
      database.pause();
      const started = Date.now();
      const res = await t.http.get('/health-check').expect(503);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(res.body).toEqual({
        error: {
          code: 503,
          message: 'Database unavailable',
          details: [
            { component: 'database', status: 'down' },
            { component: 'redis', status: 'up' },
            { component: 'workers', status: 'up' },
          ],
        },
      });
      expect(res.headers['cache-control']).toBe('no-store');
      database.resume();
      expect(await healthyAgain(t)).toBe(200);
    });
  });

  describe('an API process (PROCESS_ROLE=api)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { PROCESS_ROLE: 'api' } });
    });

    afterAll(async () => {
      await t.close();
    });

    it('checks the database and Redis only: it runs no workers', async () => {
      await t.http.get('/health-check').expect(200, 'OK');
      await t.http.get('/v1/users/me').expect(401);
    });
  });

  describe('a worker process (PROCESS_ROLE=worker)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { PROCESS_ROLE: 'worker', METRICS_TOKEN: TOKEN } });
    });

    afterAll(async () => {
      await t.close();
    });

    it('serves the health routes and /metrics', async () => {
      await t.http.get('/health-check').expect(200, 'OK');
      await t.http.get('/').expect(200, 'Service running');
      await t.http.get('/running').expect(200, { status: 'running' });
      const metrics = await t.http
        .get('/metrics')
        .set('Authorization', `Bearer ${TOKEN}`)
        .expect(200);
      expect(metrics.text).toContain('queue_jobs{queue="inbox",state="waiting"}');
      await t.http.get('/metrics').expect(401);
    });

    it('answers every other route with 404 in the envelope, running nothing behind it', async () => {
      const before = await t.connection.collection('users').countDocuments();
      for (const [method, path] of [
        ['get', '/v1/users/me'],
        ['post', '/v1/auth/register'],
        ['post', '/v1/webhook'],
        ['get', '/docs'],
        ['get', '/docs-json'],
        ['get', '/admin/queues'],
        ['get', '/media/0123456789abcdef0123456789abcdef.png'],
        ['get', '/health-check/extra'],
      ] as const) {
        const res = await t.http[method](path)
          .send({ name: 'X', email: 'worker-role@example.com', password: 'Passw0rd-long' })
          .expect(404);
        expect(res.body).toEqual({
          error: {
            code: 404,
            message:
              'Route not found: this process runs background work only (PROCESS_ROLE=worker)',
            details: [],
          },
        });
      }
      expect(await t.connection.collection('users').countDocuments()).toBe(before);
    });
  });
});
