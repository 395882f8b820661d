import { WorkerHost } from '@nestjs/bullmq';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { appConfig, type AppConfig } from '../config/app.config';

/**
 * Starts every queue worker when this process runs background work (`PROCESS_ROLE` `all` or
 * `worker`); an `api` process only adds jobs. On shutdown the workers close first, before the
 * HTTP server, the database and Redis connections: active jobs finish, nothing new starts.
 */
@Injectable()
export class WorkerRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerRunner.name);
  private hosts: WorkerHost[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  get runsWorkers(): boolean {
    return this.app.processRole !== 'api';
  }

  onApplicationBootstrap(): void {
    if (!this.runsWorkers) return;
    const hosts = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
    this.hosts = hosts;
    for (const host of hosts) {
      host.worker.run().catch((error: unknown) => {
        this.logger.error({ err: error }, `Worker of queue ${host.worker.name} stopped`);
      });
    }
    this.logger.log(`Running workers of ${hosts.map((host) => host.worker.name).join(', ')}`);
  }

  /** The workers this process runs, by queue, and whether each is taking jobs. */
  workerStatus(): { queue: string; running: boolean }[] {
    return this.hosts.map((host) => ({
      queue: host.worker.name,
      running: host.worker.isRunning() && !host.worker.closing,
    }));
  }

  /** Lets the active jobs finish (BullMQ `worker.close()`), while everything they need is open. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.hosts.map((host) => host.worker.close()));
  }
}
