import { JwtService } from '@nestjs/jwt';
import { Queue, Worker, type Job } from 'bullmq';
import { Types } from 'mongoose';
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { authConfig, type AuthConfig } from '../src/config/auth.config';
import { QUEUES } from '../src/queue/queue-names';
import { RedisConnections } from '../src/redis/redis-connections';
import { createAdmin, createUser, type TestUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const COOKIE = 'queue_dashboard_session';

/** The `name=value` part of a Set-Cookie header, to send back as a Cookie header. */
function cookiePair(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  if (!header) throw new Error('No Set-Cookie header');
  return header.split(';', 1)[0];
}

describe('Queue administration', () => {
  let t: TestApp;
  let admin: TestUser;
  let user: TestUser;
  /** A queue handle of the deployment's maintenance queue, outside the app. */
  let maintenance: Queue;

  beforeAll(async () => {
    // No workers in the app: the test decides what runs and fails.
    t = await createTestApp({ env: { PROCESS_ROLE: 'api' } });
    admin = await createAdmin(t);
    user = await createUser(t);
    const redis = t.app.get(RedisConnections);
    maintenance = new Queue(QUEUES.maintenance, {
      connection: redis.bullConnection(),
      prefix: `${redis.prefix}:bull`,
    });
  });

  afterAll(async () => {
    await maintenance.close();
    await t.close();
  });

  /** Runs one job to failure with a real BullMQ worker, and returns its id. */
  async function failedJob(reason: string): Promise<string> {
    const redis = t.app.get(RedisConnections);
    const job = await maintenance.add('probe-failure', { reason }, { attempts: 1 });
    const worker = new Worker(
      QUEUES.maintenance,
      (running: Job<{ reason: string }>) => Promise.reject(new Error(running.data.reason)),
      { connection: redis.bullConnection(), prefix: `${redis.prefix}:bull`, autorun: false },
    );
    const failed = new Promise<void>((done) =>
      worker.on('failed', (finished) => {
        if (finished?.id === job.id) done();
      }),
    );
    void worker.run();
    await failed;
    await worker.close();
    return job.id as string;
  }

  describe('JSON API', () => {
    it('refuses users without manage-queues with 403 and anonymous callers with 401, retrying nothing', async () => {
      const id = await failedJob('refused retry');
      const calls = () => [
        t.http.get('/v1/admin/queues'),
        t.http.get('/v1/admin/queues/maintenance/failed'),
        t.http.post(`/v1/admin/queues/maintenance/jobs/${id}/retry`),
        t.http.post('/v1/admin/queues/session'),
      ];
      for (const call of calls()) {
        const res = await call.set('Authorization', user.auth).expect(403);
        expect(res.body.error).toMatchObject({
          code: 403,
          message: 'Missing permission: manage-queues',
        });
        expect(res.headers['set-cookie']).toBeUndefined();
      }
      for (const call of calls()) await call.expect(401);
      expect(await (await maintenance.getJob(id))?.getState()).toBe('failed');
    });

    it('shows an admin the jobs of every queue by state', async () => {
      await maintenance.add('probe-waiting', {});
      const res = await t.http.get('/v1/admin/queues').set('Authorization', admin.auth).expect(200);
      expect(res.body.queues.map((queue: { name: string }) => queue.name)).toEqual(
        Object.values(QUEUES),
      );
      const counts = res.body.queues.find(
        (queue: { name: string }) => queue.name === 'maintenance',
      );
      expect(counts.paused).toBe(false);
      expect(Object.keys(counts.counts).sort()).toEqual(
        [
          'active',
          'completed',
          'delayed',
          'failed',
          'prioritized',
          'waiting',
          'waiting-children',
        ].sort(),
      );
      expect(counts.counts.waiting).toBe(await maintenance.getWaitingCount());
      expect(counts.counts.waiting).toBeGreaterThanOrEqual(1);
      expect(counts.counts.failed).toBe(await maintenance.getFailedCount());
      await maintenance.drain();
    });

    it('lists recent failed jobs with their reason and retries one back to waiting', async () => {
      const older = await failedJob('first failure');
      const newer = await failedJob('Database unavailable');
      const list = await t.http
        .get('/v1/admin/queues/maintenance/failed?limit=2')
        .set('Authorization', admin.auth)
        .expect(200);
      expect(list.body.queue).toBe('maintenance');
      expect(list.body.jobs).toHaveLength(2);
      expect(list.body.jobs[0]).toEqual({
        id: newer,
        name: 'probe-failure',
        failedReason: 'Database unavailable',
        attemptsMade: 1,
        addedAt: expect.any(String),
        failedAt: expect.any(String),
      });
      expect(list.body.jobs[1]).toMatchObject({ id: older, failedReason: 'first failure' });

      const failedBefore = await maintenance.getFailedCount();
      const retried = await t.http
        .post(`/v1/admin/queues/maintenance/jobs/${newer}/retry`)
        .set('Authorization', admin.auth)
        .expect(200);
      expect(retried.body).toEqual({
        id: newer,
        name: 'probe-failure',
        queue: 'maintenance',
        state: 'waiting',
      });
      const job = await maintenance.getJob(newer);
      expect(await job?.getState()).toBe('waiting');
      expect(job?.attemptsMade).toBe(0);
      expect(await maintenance.getFailedCount()).toBe(failedBefore - 1);

      const again = await t.http
        .post(`/v1/admin/queues/maintenance/jobs/${newer}/retry`)
        .set('Authorization', admin.auth)
        .expect(409);
      expect(again.body.error).toEqual({
        code: 409,
        message: 'Only a failed job can be retried; this one is waiting',
        details: [{ state: 'waiting' }],
      });
      await maintenance.drain();
    });

    it('answers 404 for an unknown queue or job and 400 for a bad limit, changing nothing', async () => {
      const id = await failedJob('kept failed');
      const failedBefore = await maintenance.getFailedCount();
      for (const [path, status] of [
        ['/v1/admin/queues/nothing/failed', 404],
        ['/v1/admin/queues/maintenance/failed?limit=0', 400],
        ['/v1/admin/queues/maintenance/failed?limit=101', 400],
      ] as const) {
        const res = await t.http.get(path).set('Authorization', admin.auth).expect(status);
        expect(res.body.error.code).toBe(status);
      }
      const unknownQueue = await t.http
        .post(`/v1/admin/queues/nothing/jobs/${id}/retry`)
        .set('Authorization', admin.auth)
        .expect(404);
      expect(unknownQueue.body.error.message).toBe('Queue not found');
      const unknownJob = await t.http
        .post('/v1/admin/queues/maintenance/jobs/no-such-job/retry')
        .set('Authorization', admin.auth)
        .expect(404);
      expect(unknownJob.body.error.message).toBe('Job not found');
      expect(await maintenance.getFailedCount()).toBe(failedBefore);
      expect(await (await maintenance.getJob(id))?.getState()).toBe('failed');
    });

    it('documents the JSON API and leaves the dashboard and /metrics out of the OpenAPI document', async () => {
      const doc = await t.http.get('/docs-json').expect(200);
      const paths = Object.keys(doc.body.paths as Record<string, unknown>);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/v1/admin/queues',
          '/v1/admin/queues/session',
          '/v1/admin/queues/{queue}/failed',
          '/v1/admin/queues/{queue}/jobs/{jobId}/retry',
        ]),
      );
      expect(paths.filter((path) => path.startsWith('/admin') || path === '/metrics')).toEqual([]);
      const retry = doc.body.paths['/v1/admin/queues/{queue}/jobs/{jobId}/retry'].post;
      expect(Object.keys(retry.responses).sort()).toEqual(['200', '401', '403', '404', '409']);
    });
  });

  describe('dashboard', () => {
    const DASHBOARD_PATHS = [
      '/admin/queues',
      '/admin/queues/queue/maintenance',
      '/admin/queues/api/queues',
      '/admin/queues/api/redis/stats',
    ];

    async function openSession(who: TestUser = admin): Promise<string> {
      const res = await t.http
        .post('/v1/admin/queues/session')
        .set('Authorization', who.auth)
        .expect(201);
      expect(res.body).toEqual({ url: '/admin/queues', expiresAt: expect.any(String) });
      return cookiePair(res.headers['set-cookie']);
    }

    it('refuses every dashboard request (page, assets, API) without a session with 401', async () => {
      for (const path of DASHBOARD_PATHS) {
        const res = await t.http.get(path).expect(401);
        expect(res.body.error).toMatchObject({ code: 401 });
        expect(res.body.error.message).toContain('POST /v1/admin/queues/session');
      }
      await t.http.put('/admin/queues/api/queues/maintenance/retry/failed').expect(401);
      // A bearer access token is not a dashboard session.
      await t.http.get('/admin/queues/api/queues').set('Authorization', admin.auth).expect(401);
    });

    it('sets a short-lived HttpOnly SameSite=Strict cookie scoped to the dashboard', async () => {
      const res = await t.http
        .post('/v1/admin/queues/session')
        .set('Authorization', admin.auth)
        .expect(201);
      const header = String(res.headers['set-cookie']);
      expect(header).toMatch(new RegExp(`^${COOKIE}=[\\w.-]+;`));
      expect(header).toContain('Path=/admin/queues');
      expect(header).toContain('Max-Age=900');
      expect(header).toContain('HttpOnly');
      expect(header).toContain('SameSite=Strict');
      // The test app is served over http; over https the cookie is also Secure.
      expect(header).not.toContain('Secure');
      const expires = Date.parse(res.body.expiresAt) - Date.now();
      expect(expires).toBeGreaterThan(14 * 60_000);
      expect(expires).toBeLessThanOrEqual(15 * 60_000);
    });

    it('serves the dashboard and its API to an admin session, listing every queue', async () => {
      const cookie = await openSession();
      const page = await t.http.get('/admin/queues').set('Cookie', cookie).expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.text).toContain('<base href="/admin/queues/" />');
      const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(page.text)?.[1];
      expect(script).toBeDefined();
      const asset = `/admin/queues/${script as string}`;
      await t.http.get(asset).expect(401);
      const served = await t.http.get(asset).set('Cookie', cookie).expect(200);
      expect(served.headers['content-type']).toMatch(/javascript/);

      const api = await t.http.get('/admin/queues/api/queues').set('Cookie', cookie).expect(200);
      expect(api.body.queues.map((queue: { name: string }) => queue.name).sort()).toEqual(
        Object.values(QUEUES).sort(),
      );
    });

    it('retries a failed job through the dashboard API', async () => {
      const cookie = await openSession();
      const id = await failedJob('retry from the dashboard');
      await t.http
        .put(`/admin/queues/api/queues/maintenance/${id}/retry`)
        .set('Cookie', cookie)
        .expect(204);
      expect(await (await maintenance.getJob(id))?.getState()).toBe('waiting');
      await maintenance.drain();
    });

    it('refuses a forged, foreign or expired cookie', async () => {
      const session = { sub: admin.id, type: 'queue-dashboard' };
      const dashboardKey = new JwtService({
        secret: createHmac('sha256', t.app.get<AuthConfig>(authConfig.KEY).jwtSecret)
          .update('queue-dashboard')
          .digest('base64url'),
      });
      const valid = dashboardKey.sign(session, { expiresIn: 60 });
      await t.http.get('/admin/queues/api/queues').set('Cookie', `${COOKIE}=${valid}`).expect(200);
      const refused = [
        admin.accessToken,
        t.app.get(JwtService).sign(session, { expiresIn: 60 }),
        dashboardKey.sign({ ...session, exp: Math.floor(Date.now() / 1000) - 1 }),
        dashboardKey.sign({ sub: admin.id, type: 'access' }, { expiresIn: 60 }),
        'not-a-token',
      ];
      for (const token of refused) {
        await t.http
          .get('/admin/queues/api/queues')
          .set('Cookie', `${COOKIE}=${token}`)
          .expect(401);
      }
    });

    it('ends the session when its admin is disabled or loses the admin role', async () => {
      const other = await createAdmin(t);
      const cookie = await openSession(other);
      await t.http.get('/admin/queues/api/queues').set('Cookie', cookie).expect(200);
      await t.http
        .patch(`/v1/users/${other.id}`)
        .set('Authorization', admin.auth)
        .send({ role: 'user' })
        .expect(200);
      await t.http.get('/admin/queues/api/queues').set('Cookie', cookie).expect(401);

      const third = await createAdmin(t);
      const thirdCookie = await openSession(third);
      await t.connection
        .collection('users')
        .updateOne({ _id: new Types.ObjectId(third.id) }, { $set: { isDisabled: true } });
      // The authentication cache keeps a user's state for at most 5 s.
      const deadline = Date.now() + 7_000;
      let status = 200;
      while (status === 200 && Date.now() < deadline) {
        await sleep(250);
        status = (await t.http.get('/admin/queues/api/queues').set('Cookie', thirdCookie)).status;
      }
      expect(status).toBe(401);
    });

    it('clears the cookie on DELETE /v1/admin/queues/session', async () => {
      const res = await t.http
        .delete('/v1/admin/queues/session')
        .set('Authorization', admin.auth)
        .expect(204);
      const header = String(res.headers['set-cookie']);
      expect(header).toMatch(new RegExp(`^${COOKIE}=;`));
      expect(header).toContain('Max-Age=0');
      expect(header).toContain('Path=/admin/queues');
    });
  });
});
