import { Queue } from 'bullmq';
import { MetricsService } from '../src/metrics/metrics.service';
import { QUEUES } from '../src/queue/queue-names';
import { RedisConnections } from '../src/redis/redis-connections';
import { connectAccount } from './utils/account-factories';
import { createUser, type TestUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const TOKEN = 'metrics-token-for-the-tests-0123456789';

/** The value of one sample line of the exposition text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Prometheus metrics', () => {
  describe('without METRICS_TOKEN', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { METRICS_TOKEN: undefined } });
    });

    afterAll(async () => {
      await t.close();
    });

    it('answers /metrics with the 404 of an unknown route, with or without a token', async () => {
      const unknown = await t.http.get('/no-such-route').expect(404);
      const res = await t.http.get('/metrics').expect(404);
      expect(res.body).toEqual(unknown.body);
      await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404);
    });
  });

  describe('with METRICS_TOKEN', () => {
    let t: TestApp;
    let user: TestUser;
    let maintenance: Queue;

    beforeAll(async () => {
      t = await createTestApp({ env: { METRICS_TOKEN: TOKEN, PROCESS_ROLE: 'api' } });
      user = await createUser(t);
      const redis = t.app.get(RedisConnections);
      maintenance = new Queue(QUEUES.maintenance, {
        connection: redis.bullConnection(),
        prefix: `${redis.prefix}:bull`,
      });
      // Start from an empty queue: every process schedules the maintenance tasks at boot.
      await maintenance.obliterate({ force: true });
    });

    afterAll(async () => {
      await maintenance.close();
      await t.close();
    });

    async function scrape(): Promise<string> {
      const res = await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.headers['cache-control']).toBe('no-store');
      return res.text;
    }

    it('refuses a missing or wrong token, or an access token, with 401 and WWW-Authenticate', async () => {
      for (const authorization of [
        undefined,
        'Bearer wrong-token',
        `Bearer ${TOKEN}x`,
        `Basic ${TOKEN}`,
        user.auth,
      ]) {
        const call = t.http.get('/metrics');
        if (authorization) void call.set('Authorization', authorization);
        const res = await call.expect(401);
        expect(res.body).toEqual({
          error: { code: 401, message: 'A valid metrics token is required', details: [] },
        });
        expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      }
    });

    it('serves process metrics in the Prometheus text format', async () => {
      const text = await scrape();
      expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
      expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    });

    it('times HTTP requests by method, route pattern and status, never by raw URL', async () => {
      await t.http.get('/v1/users/me').set('Authorization', user.auth).expect(200);
      await t.http.get('/v1/users/me').set('Authorization', user.auth).expect(200);
      await t.http.get('/v1/users/me').expect(401);
      const id = '0123456789abcdef01234567';
      await t.http.get(`/v1/conversations/detail/${id}`).set('Authorization', user.auth);
      await t.http.get('/no-such-route/abc').expect(404);

      const text = await scrape();
      const me = 'http_request_duration_seconds_count{method="GET",route="/v1/users/me"';
      expect(sample(text, `${me},status_code="200"}`)).toBe(2);
      expect(sample(text, `${me},status_code="401"}`)).toBe(1);
      expect(text).toMatch(
        /http_request_duration_seconds_count\{method="GET",route="\/v1\/conversations\/detail\/:conversationId",status_code="\d+"\} 1/,
      );
      expect(
        sample(
          text,
          'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}',
        ),
      ).toBe(1);
      expect(text).not.toContain(id);
      expect(text).not.toContain('no-such-route');
    });

    it('reports the jobs of every queue by state, as Redis holds them', async () => {
      await maintenance.add('probe', {});
      await maintenance.add('probe', {}, { delay: 60_000 });
      const text = await scrape();
      expect(sample(text, 'queue_jobs{queue="maintenance",state="waiting"}')).toBe(1);
      expect(sample(text, 'queue_jobs{queue="maintenance",state="delayed"}')).toBe(1);
      for (const queue of Object.values(QUEUES)) {
        expect(sample(text, `queue_jobs{queue="${queue}",state="failed"}`)).toBe(0);
      }
      await maintenance.obliterate({ force: true });
      const after = await scrape();
      expect(sample(after, 'queue_jobs{queue="maintenance",state="waiting"}')).toBe(0);
    });

    it('records Meta calls by endpoint pattern, outcome and Meta error code', async () => {
      const { sim: account } = await connectAccount(t, user);
      await t.http
        .post('/v1/instagram')
        .set('Authorization', user.auth)
        .send({ accessToken: 'not-a-valid-token' })
        .expect((res) => expect(res.status).toBeGreaterThanOrEqual(400));

      const text = await scrape();
      const ok =
        /meta_api_request_duration_seconds_count\{endpoint="GET \/me",outcome="ok",code=""\} (\d+)/.exec(
          text,
        );
      expect(Number(ok?.[1])).toBeGreaterThanOrEqual(1);
      expect(text).toMatch(
        /meta_api_request_duration_seconds_count\{endpoint="GET \/me",outcome="token_invalid",code="190"\} 1/,
      );
      expect(text).not.toContain(account.instagramBusinessId);
      expect(text).not.toContain(account.accessToken);
    });

    it('records ingest lag and job timings reported by other modules', async () => {
      const metrics = t.app.get(MetricsService);
      metrics.ingestLag(0.4);
      metrics.ingestLag(3);
      metrics.jobFinished('inbox', 'completed', { waitMs: 20, durationMs: 120 });
      const text = await scrape();
      expect(sample(text, 'webhook_ingest_lag_seconds_count')).toBe(2);
      expect(sample(text, 'webhook_ingest_lag_seconds_bucket{le="0.5"}')).toBe(1);
      expect(sample(text, 'webhook_ingest_lag_seconds_sum')).toBeCloseTo(3.4);
      expect(
        sample(text, 'queue_job_duration_seconds_count{queue="inbox",status="completed"}'),
      ).toBe(1);
      expect(sample(text, 'queue_job_wait_seconds_sum{queue="inbox"}')).toBeCloseTo(0.02);
    });
  });
});
