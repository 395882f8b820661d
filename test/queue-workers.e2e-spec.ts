import { BullModule } from '@nestjs/bullmq';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { configNamespaces } from '../src/config';
import { HealthChecks } from '../src/health/health-checks';
import { HealthModule } from '../src/health/health.module';
import { MetricsModule } from '../src/metrics/metrics.module';
import { MetricsService } from '../src/metrics/metrics.service';
import { QUEUES } from '../src/queue/queue-names';
import { QueueModule } from '../src/queue/queue.module';
import { RedisModule } from '../src/redis/redis.module';
import {
  PROBE_COLLECTION,
  ProbeJobProcessor,
  type ProbeJobData,
} from './fixtures/probe-job.processor';

interface Running {
  app: INestApplicationContext;
  queue: Queue<ProbeJobData>;
  events: QueueEvents;
  databaseUri: string;
  /** The deployment's Redis key prefix. */
  prefix: string;
}

/**
 * A worker process of the product (PROCESS_ROLE=worker: the queue, Redis, database, metrics and
 * health modules of the application) running one probe job processor.
 */
async function startWorkerProcess(): Promise<Running> {
  const base = process.env.TEST_MONGODB_BASE_URI as string;
  const redisUrl = process.env.TEST_REDIS_BASE_URL as string;
  const name = `t_queue_workers_${randomBytes(4).toString('hex')}`;
  const databaseUri = `${base}/${name}`;
  const previous = { ...process.env };
  Object.assign(process.env, { REDIS_PREFIX: name, PROCESS_ROLE: 'worker' });
  @Module({
    imports: [BullModule.registerQueue({ name: QUEUES.maintenance })],
    providers: [ProbeJobProcessor],
  })
  class ProbeModule {}
  @Module({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, load: configNamespaces, ignoreEnvFile: true }),
      RedisModule.forRoot(redisUrl),
      QueueModule,
      MongooseModule.forRoot(databaseUri, { serverSelectionTimeoutMS: 5000 }),
      MetricsModule,
      HealthModule,
      ProbeModule,
    ],
  })
  class WorkerProcessModule {}
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(WorkerProcessModule, { logger: false });
    await app.init();
  } finally {
    process.env = previous;
  }
  const connection = { url: redisUrl };
  const bullPrefix = `${name}:bull`;
  const queue = new Queue<ProbeJobData>(QUEUES.maintenance, {
    connection,
    prefix: bullPrefix,
  });
  const events = new QueueEvents(QUEUES.maintenance, { connection, prefix: bullPrefix });
  await events.waitUntilReady();
  return { app, queue, events, databaseUri, prefix: name };
}

async function markers(databaseUri: string): Promise<string[]> {
  const client = await MongoClient.connect(databaseUri);
  try {
    const docs = await client.db().collection(PROBE_COLLECTION).find().toArray();
    return docs.map((doc) => doc.marker as string).sort();
  } finally {
    await client.db().dropDatabase();
    await client.close();
  }
}

describe('Queue workers of the product', () => {
  it('record the wait and run time of every job attempt by queue and status', async () => {
    const running = await startWorkerProcess();
    try {
      const ok = await running.queue.add('probe', { marker: 'ok', workMs: 30 });
      const bad = await running.queue.add(
        'probe',
        { marker: 'bad', workMs: 10, fail: 'probe failed' },
        { attempts: 1 },
      );
      await ok.waitUntilFinished(running.events, 10_000);
      await expect(bad.waitUntilFinished(running.events, 10_000)).rejects.toThrow('probe failed');

      // The worker reports an attempt just after Redis has it: wait for both reports.
      const metrics = running.app.get(MetricsService);
      let body = '';
      for (let tries = 0; tries < 50 && !body.includes('status="failed"} 1'); tries++) {
        await sleep(20);
        body = (await metrics.render()).body;
      }
      expect(body).toContain(
        'queue_job_duration_seconds_count{queue="maintenance",status="completed"} 1',
      );
      expect(body).toContain(
        'queue_job_duration_seconds_count{queue="maintenance",status="failed"} 1',
      );
      expect(body).toContain('queue_job_wait_seconds_count{queue="maintenance"} 2');
      expect(body).toContain('queue_jobs{queue="maintenance",state="failed"} 1');
      const sum =
        /queue_job_duration_seconds_sum\{queue="maintenance",status="completed"\} ([\d.]+)/.exec(
          body,
        );
      expect(Number(sum?.[1])).toBeGreaterThanOrEqual(0.03);
    } finally {
      await running.events.close();
      await running.queue.close();
      await running.app.close();
      await markers(running.databaseUri);
    }
  });

  it('report in the health check whether every worker runs, besides the database and Redis', async () => {
    const running = await startWorkerProcess();
    try {
      const health = running.app.get(HealthChecks);
      expect(await health.run()).toEqual([
        { component: 'database', status: 'up' },
        { component: 'redis', status: 'up' },
        { component: 'workers', status: 'up' },
      ]);
      await running.app.get(ProbeJobProcessor).worker.close();
      expect(await health.run()).toEqual([
        { component: 'database', status: 'up' },
        { component: 'redis', status: 'up' },
        { component: 'workers', status: 'down', stopped: ['maintenance'] },
      ]);
    } finally {
      await running.events.close();
      await running.queue.close();
      await running.app.close();
      await markers(running.databaseUri);
    }
  });

  it('let an active job finish on shutdown, its database write landing before the connections close', async () => {
    const running = await startWorkerProcess();
    const job = await running.queue.add('probe', { marker: 'finished-on-shutdown', workMs: 1500 });
    const started = new Promise<void>((done) =>
      running.events.on('active', ({ jobId }) => {
        if (jobId === job.id) done();
      }),
    );
    await started;
    const closing = Date.now();
    await running.app.close();
    const closedAfterMs = Date.now() - closing;

    expect(await job.getState()).toBe('completed');
    expect(closedAfterMs).toBeGreaterThan(1000);
    const redis = new Redis(process.env.TEST_REDIS_BASE_URL as string);
    expect(await redis.get(`${running.prefix}:probe:finished-on-shutdown`)).toBe('done');
    redis.disconnect();
    await running.events.close();
    await running.queue.close();
    expect(await markers(running.databaseUri)).toEqual(['finished-on-shutdown']);
  });
});
