import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Job, Queue } from 'bullmq';
import { ConflictError, NotFoundError } from '../common/errors';
import { QUEUES, type QueueName } from '../queue/queue-names';

/** The job states an operator looks at, in the order they are listed. */
export const JOB_STATES = [
  'waiting',
  'prioritized',
  'delayed',
  'active',
  'waiting-children',
  'completed',
  'failed',
] as const;
export type JobStateName = (typeof JOB_STATES)[number];

export interface QueueCountsRecord {
  name: QueueName;
  /** Paused queues keep their jobs waiting: no worker takes them. */
  paused: boolean;
  counts: Record<JobStateName, number>;
}

export interface FailedJobRecord {
  id: string;
  name: string;
  failedReason: string;
  attemptsMade: number;
  addedAt: Date;
  failedAt: Date | null;
}

export interface RetriedJobRecord {
  id: string;
  name: string;
  queue: QueueName;
  /** Where the job went: `waiting` (or `prioritized`, `delayed`), or further if a worker took it. */
  state: string;
}

export const QUEUE_NAMES: readonly QueueName[] = Object.values(QUEUES);

export function isQueueName(value: string): value is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(value);
}

/**
 * Every queue of the product as operators see it: counts by state, recent failures and the
 * retry of a failed job. BullMQ keeps these in Redis, so every instance answers the same.
 */
@Injectable()
export class QueueAdminService implements OnModuleInit {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    for (const name of QUEUE_NAMES) {
      this.queues.set(name, this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    }
  }

  async counts(): Promise<QueueCountsRecord[]> {
    return Promise.all(
      QUEUE_NAMES.map(async (name) => {
        const queue = this.queue(name);
        const [raw, paused] = await Promise.all([
          queue.getJobCounts(...JOB_STATES),
          queue.isPaused(),
        ]);
        const counts = Object.fromEntries(
          JOB_STATES.map((state) => [state, raw[state] ?? 0]),
        ) as Record<JobStateName, number>;
        return { name, paused, counts };
      }),
    );
  }

  /** The most recently failed jobs of a queue, newest first. */
  async failedJobs(name: QueueName, limit: number): Promise<FailedJobRecord[]> {
    const jobs = (await this.queue(name).getFailed(0, limit - 1)) as Job[];
    return jobs.filter((job) => job.id !== undefined).map(toFailedJob);
  }

  /** Moves a failed job back to the queue, with its attempts reset. */
  async retry(name: QueueName, jobId: string): Promise<RetriedJobRecord> {
    const job = (await this.queue(name).getJob(jobId)) as Job | undefined;
    if (!job) throw new NotFoundError('Job');
    const state = await job.getState();
    if (state !== 'failed') {
      throw new ConflictError(`Only a failed job can be retried; this one is ${state}`, [
        { state },
      ]);
    }
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return { id: jobId, name: job.name, queue: name, state: await job.getState() };
  }

  queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new NotFoundError('Queue');
    return queue;
  }
}

function toFailedJob(job: Job): FailedJobRecord {
  return {
    id: job.id as string,
    name: job.name,
    failedReason: job.failedReason,
    attemptsMade: job.attemptsMade,
    addedAt: new Date(job.timestamp),
    failedAt: job.finishedOn === undefined ? null : new Date(job.finishedOn),
  };
}
