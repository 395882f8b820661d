import type { Response } from 'supertest';
import { uniqueEmail } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const LIMIT = 4;
const ATTEMPTS = 11;
const PASSWORD = 'Passw0rd-long';

describe('Auth across two instances of one deployment', () => {
  let a: TestApp;
  let b: TestApp;
  let ipSequence = 0;
  const freshIp = () => `203.0.113.${++ipSequence}`;

  beforeAll(async () => {
    const env = {
      AUTH_THROTTLE_LIMIT: String(LIMIT),
      AUTH_THROTTLE_TTL_SECONDS: '60',
      TRUST_PROXY: 'true',
    };
    a = await createTestApp({ env });
    b = await createTestApp({ env, databaseName: a.databaseName });
  });

  afterAll(async () => {
    await b?.close({ keepDatabase: true });
    await a?.close();
  });

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

  it('lets exactly the limit of concurrent login attempts from one IP through both instances together', async () => {
    const ip = freshIp();
    const responses = await Promise.all(
      Array.from({ length: ATTEMPTS }, (_, i) =>
        (i % 2 ? b : a).http
          .post('/v1/auth/login')
          .set('X-Forwarded-For', ip)
          .send({ email: uniqueEmail('cluster-ip'), password: PASSWORD }),
      ),
    );
    const through = responses.filter((res) => res.status === 401);
    const limited = responses.filter((res) => res.status === 429);
    expect(through).toHaveLength(LIMIT);
    expect(limited).toHaveLength(ATTEMPTS - LIMIT);
    limited.forEach(expectRateLimited);
    for (const t of [a, b]) {
      expectRateLimited(
        await t.http
          .post('/v1/auth/login')
          .set('X-Forwarded-For', ip)
          .send({ email: uniqueEmail('cluster-ip'), password: PASSWORD }),
      );
    }
  });

  it('counts attempts on one email from many IPs through both instances against one limit', async () => {
    const email = uniqueEmail('cluster-email');
    const responses: Response[] = [];
    for (let i = 0; i < ATTEMPTS; i++) {
      responses.push(
        await (i % 2 ? b : a).http
          .post('/v1/auth/login')
          .set('X-Forwarded-For', freshIp())
          .send({ email, password: PASSWORD }),
      );
    }
    expect(responses.slice(0, LIMIT).map((res) => res.status)).toEqual(Array(LIMIT).fill(401));
    responses.slice(LIMIT).forEach(expectRateLimited);
  });
});
