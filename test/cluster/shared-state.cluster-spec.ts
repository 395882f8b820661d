import { Queue, QueueEvents } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { QUEUES } from '../../src/queue/queue-names';
import { Cluster } from './cluster';

/**
 * Three API processes (`node dist/main.js`) on one database and one Redis: what one instance
 * changes or counts holds on the others.
 */
const THROTTLE_LIMIT = 10;
const CONTENT_TYPES = { jpg: 'image/jpeg', png: 'image/png', gif: 'image/gif' };
/** A change that must be seen at once reaches every instance within this bound. */
const PROPAGATION_BOUND_MS = 1000;
/** The period of every scheduled maintenance task here, and how many periods are watched. */
const SCHEDULE_PERIOD_MS = 1000;
const WATCHED_PERIODS = 6;

let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.start({
    env: {
      AUTH_THROTTLE_LIMIT: String(THROTTLE_LIMIT),
      AUTH_THROTTLE_TTL_SECONDS: '600',
      META_TOKEN_REFRESH_INTERVAL_MS: String(SCHEDULE_PERIOD_MS),
      AUTH_TOKEN_PURGE_INTERVAL_MS: String(SCHEDULE_PERIOD_MS),
      WEBHOOK_SWEEP_INTERVAL_MS: String(SCHEDULE_PERIOD_MS),
    },
  });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe('State shared by three API processes', () => {
  it('lets exactly the login limit through for the three instances together, then answers 429 with Retry-After', async () => {
    const user = await cluster.register();
    const login = (instance: number, clientIp: string) =>
      cluster.request(
        '/v1/auth/login',
        { method: 'POST', body: { email: user.email, password: user.password }, clientIp },
        instance,
      );
    // One attempt after another, in turn through each instance: the limit counts them all.
    const statuses: number[] = [];
    for (let i = 0; i < THROTTLE_LIMIT * 3; i++) {
      const answer = await login(i % cluster.size, '203.0.113.7');
      statuses.push(answer.status);
      if (answer.status === 429) {
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(answer.body).toMatchObject({ error: { code: 429 } });
      }
    }
    expect(statuses).toEqual([
      ...Array<number>(THROTTLE_LIMIT).fill(200),
      ...Array<number>(THROTTLE_LIMIT * 2).fill(429),
    ]);
  });

  it('lets exactly the login limit through when the attempts reach the three instances at the same moment', async () => {
    const user = await cluster.register();
    const answers = await Promise.all(
      Array.from({ length: THROTTLE_LIMIT * 3 }, (_, i) =>
        cluster.request(
          '/v1/auth/login',
          {
            method: 'POST',
            body: { email: user.email, password: user.password },
            clientIp: '203.0.113.8',
          },
          i % cluster.size,
        ),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([
      ...Array<number>(THROTTLE_LIMIT).fill(200),
      ...Array<number>(THROTTLE_LIMIT * 2).fill(429),
    ]);
  });

  it('refuses a user disabled through one instance on every other instance within 1 s', async () => {
    const admin = await cluster.admin();
    const user = await cluster.register();
    for (let i = 0; i < cluster.size; i++) {
      expect((await cluster.request('/v1/users/me', { token: user.token }, i)).status).toBe(200);
    }
    const disabled = await cluster.request(
      `/v1/users/${user.id}`,
      { method: 'PATCH', token: admin.token, body: { isDisabled: true } },
      0,
    );
    expect(disabled.status).toBe(200);
    const disabledAt = Date.now();
    const refusedAfter = await Promise.all(
      [1, 2].map(async (instance) => {
        for (;;) {
          const answer = await cluster.request('/v1/users/me', { token: user.token }, instance);
          const elapsed = Date.now() - disabledAt;
          if (answer.status === 401) return elapsed;
          if (elapsed > PROPAGATION_BOUND_MS * 5) return elapsed;
          await sleep(25);
        }
      }),
    );
    for (const elapsed of refusedAfter) expect(elapsed).toBeLessThanOrEqual(PROPAGATION_BOUND_MS);
  });

  it('serves an image uploaded through one instance from every other instance', async () => {
    const user = await cluster.register();
    const png = await sharp({
      create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 30, b: 60 } },
    })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'photo.png');
    const uploaded = await fetch(`${cluster.baseUrl(0)}/v1/upload/image`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const { url, format } = (await uploaded.json()) as {
      url: string;
      format: 'jpg' | 'png' | 'gif';
    };
    const path = new URL(url).pathname;
    expect(path).toMatch(/^\/media\//);
    const stored = Buffer.from(await (await fetch(`${cluster.baseUrl(0)}${path}`)).arrayBuffer());
    for (const instance of [1, 2]) {
      const served = await fetch(`${cluster.baseUrl(instance)}${path}`);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe(CONTENT_TYPES[format]);
      expect(Buffer.from(await served.arrayBuffer()).equals(stored)).toBe(true);
    }
  });

  it('runs each scheduled maintenance job once per period in the whole deployment', async () => {
    const connection = { url: cluster.redis.url };
    // The product's BullMQ keys live under its Redis prefix (REDIS_PREFIX), then `bull`.
    const prefix = `${cluster.databaseName}:bull`;
    const queue = new Queue(QUEUES.maintenance, { connection, prefix });
    const events = new QueueEvents(QUEUES.maintenance, { connection, prefix });
    try {
      await events.waitUntilReady();
      const schedulers = (await queue.getJobSchedulers()).filter(
        (scheduler) => scheduler.every === SCHEDULE_PERIOD_MS,
      );
      expect(schedulers.length).toBeGreaterThanOrEqual(3);
      // BullMQ names the job of each period `repeat:<scheduler id>:<due time>`.
      const runs = new Map<string, number[]>();
      events.on('completed', ({ jobId }) => {
        const match = /^repeat:(.+):(\d+)$/.exec(jobId);
        if (match) runs.set(match[1], [...(runs.get(match[1]) ?? []), Number(match[2])]);
      });
      await sleep(SCHEDULE_PERIOD_MS * WATCHED_PERIODS);
      for (const scheduler of schedulers) {
        const due = runs.get(scheduler.key) ?? [];
        expect({ scheduler: scheduler.key, ran: due.length > 0 }).toEqual({
          scheduler: scheduler.key,
          ran: true,
        });
        expect(due.length).toBeLessThanOrEqual(WATCHED_PERIODS + 1);
        const sorted = [...due].sort((a, b) => a - b);
        const gaps = sorted.slice(1).map((time, i) => time - sorted[i]);
        expect(gaps.filter((gap) => gap < SCHEDULE_PERIOD_MS)).toEqual([]);
      }
    } finally {
      await events.close();
      await queue.close();
    }
  });
});
