import { WorkerHost } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Job } from 'bullmq';
import { QueueAdminService } from '../queue-admin/queue-admin.service';
import { MetricsService } from './metrics.service';

/**
 * Queue figures: depth by state, read from Redis on each scrape; wait and run time of every job
 * attempt finished by a worker of this process.
 */
@Injectable()
export class QueueMetrics implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly metrics: MetricsService,
    private readonly queues: QueueAdminService,
    private readonly discovery: DiscoveryService,
  ) {}

  onModuleInit(): void {
    this.metrics.readQueueDepthsFrom(async () =>
      Object.fromEntries((await this.queues.counts()).map((queue) => [queue.name, queue.counts])),
    );
  }

  /** Workers exist once every module is initialised (the BullMQ module creates them then). */
  onApplicationBootstrap(): void {
    const hosts = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
    for (const { worker } of hosts) {
      worker.on('completed', (job: Job) => this.record(worker.name, 'completed', job));
      worker.on('failed', (job: Job | undefined) => {
        if (job) this.record(worker.name, 'failed', job);
      });
    }
  }

  private record(queue: string, status: 'completed' | 'failed', job: Job): void {
    if (job.processedOn === undefined) return;
    const finishedOn = job.finishedOn ?? Date.now();
    this.metrics.jobFinished(queue, status, {
      waitMs: job.processedOn - job.timestamp - (job.delay ?? 0),
      durationMs: finishedOn - job.processedOn,
    });
  }
}
