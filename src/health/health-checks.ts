import { Injectable } from '@nestjs/common';
import { HealthCheckService, MongooseHealthIndicator } from '@nestjs/terminus';
import { WorkerRunner } from '../queue/worker-runner';
import { RedisConnections } from '../redis/redis-connections';

/** How long each dependency may take to answer before it counts as down. */
const CHECK_TIMEOUT_MS = 1_500;

export type ComponentName = 'database' | 'redis' | 'workers';

export interface ComponentHealth {
  component: ComponentName;
  status: 'up' | 'down';
  /** For `workers`: the queues whose worker is not running. */
  stopped?: string[];
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * What the health check of this process checks: the database and Redis answer a ping; in a
 * process that runs background work (`PROCESS_ROLE` `all` or `worker`), every queue worker runs.
 */
@Injectable()
export class HealthChecks {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongoose: MongooseHealthIndicator,
    private readonly redis: RedisConnections,
    private readonly workers: WorkerRunner,
  ) {}

  /** The components this process's role depends on. */
  components(): ComponentName[] {
    return this.workers.runsWorkers ? ['database', 'redis', 'workers'] : ['database', 'redis'];
  }

  async run(): Promise<ComponentHealth[]> {
    return Promise.all(this.components().map((component) => this.check(component)));
  }

  private async check(component: ComponentName): Promise<ComponentHealth> {
    switch (component) {
      case 'database':
        return this.probe(component, async () => {
          await this.health.check([
            () => this.mongoose.pingCheck('database').withTimeout(CHECK_TIMEOUT_MS),
          ]);
        });
      case 'redis':
        return this.probe(component, async () => {
          await withTimeout(this.redis.commands.ping(), 'Redis');
        });
      case 'workers': {
        const stopped = this.workers
          .workerStatus()
          .filter((worker) => !worker.running)
          .map((worker) => worker.queue);
        return stopped.length === 0
          ? { component, status: 'up' }
          : { component, status: 'down', stopped };
      }
    }
  }

  private async probe(
    component: ComponentName,
    ping: () => Promise<void>,
  ): Promise<ComponentHealth> {
    try {
      await ping();
      return { component, status: 'up' };
    } catch {
      return { component, status: 'down' };
    }
  }
}
