import { WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { appConfig, type AppConfig } from '../config/app.config';

/**
 * Starts every queue worker when this process runs background work (`PROCESS_ROLE` `all` or
 * `worker`); an `api` process only adds jobs. Workers are closed by the BullMQ module on
 * shutdown, which lets active jobs finish.
 */
@Injectable()
export class WorkerRunner implements OnApplicationBootstrap {
  private readonly logger = new Logger(WorkerRunner.name);

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
    for (const host of hosts) {
      host.worker.run().catch((error: unknown) => {
        this.logger.error({ err: error }, `Worker of queue ${host.worker.name} stopped`);
      });
    }
    this.logger.log(`Running workers of ${hosts.map((host) => host.worker.name).join(', ')}`);
  }
}
