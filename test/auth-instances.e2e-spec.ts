import type { Response } from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAdmin, createUser, uniqueEmail } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const LIMIT = 4;
const ATTEMPTS = 11;
const PASSWORD = 'Passw0rd-long';
/** A change made through one instance must be seen by the others within this bound. */
const PROPAGATION_BOUND_MS = 1_000;

/**
 * Polls `status()` until it answers `expected`; returns how long that took, or fails once the
 * bound is over.
 */
async function msUntilStatus(status: () => Promise<number>, expected: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const seen = await status();
    const elapsed = Date.now() - started;
    if (seen === expected) return elapsed;
    if (elapsed > PROPAGATION_BOUND_MS) {
      throw new Error(`still ${seen} after ${elapsed} ms, expected ${expected}`);
    }
    await sleep(20);
  }
}

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

  describe('a change made through one instance', () => {
    const me = (t: TestApp, auth: string) =>
      t.http
        .get('/v1/users/me')
        .set('Authorization', auth)
        .then((res) => res.status);
    const listUsers = (t: TestApp, auth: string) =>
      t.http
        .get('/v1/users')
        .set('Authorization', auth)
        .then((res) => res.status);

    it('refuses a user disabled through instance A on instance B within 1 s', async () => {
      const admin = await createAdmin(a);
      const user = await createUser(a);
      expect(await me(b, user.auth)).toBe(200);
      expect(await me(a, user.auth)).toBe(200);
      await a.http
        .patch(`/v1/users/${user.id}`)
        .set('Authorization', admin.auth)
        .send({ isDisabled: true })
        .expect(200);
      expect(await msUntilStatus(() => me(b, user.auth), 401)).toBeLessThanOrEqual(
        PROPAGATION_BOUND_MS,
      );
      expect(await me(a, user.auth)).toBe(401);
      const res = await b.http.get('/v1/users/me').set('Authorization', user.auth);
      expect(res.body).toEqual({
        error: { code: 401, message: 'User is disabled', details: [] },
      });
    });

    it('applies a role changed through instance B on instance A within 1 s, both ways', async () => {
      const admin = await createAdmin(a);
      const user = await createUser(a);
      expect(await listUsers(a, user.auth)).toBe(403);
      await b.http
        .patch(`/v1/users/${user.id}`)
        .set('Authorization', admin.auth)
        .send({ role: 'admin' })
        .expect(200);
      expect(await msUntilStatus(() => listUsers(a, user.auth), 200)).toBeLessThanOrEqual(
        PROPAGATION_BOUND_MS,
      );
      await b.http
        .patch(`/v1/users/${user.id}`)
        .set('Authorization', admin.auth)
        .send({ role: 'user' })
        .expect(200);
      expect(await msUntilStatus(() => listUsers(a, user.auth), 403)).toBeLessThanOrEqual(
        PROPAGATION_BOUND_MS,
      );
    });

    it('refuses a user deleted through instance A on instance B within 1 s', async () => {
      const admin = await createAdmin(a);
      const user = await createUser(a);
      expect(await me(b, user.auth)).toBe(200);
      await a.http.delete(`/v1/users/${user.id}`).set('Authorization', admin.auth).expect(204);
      expect(await msUntilStatus(() => me(b, user.auth), 401)).toBeLessThanOrEqual(
        PROPAGATION_BOUND_MS,
      );
    });
  });
});
