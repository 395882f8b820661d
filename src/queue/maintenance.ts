import { BullModule, InjectQueue, WorkerHost } from '@nestjs/bullmq';
import {
  Global,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { QueueProcessor } from './queue-processor.decorator';
import { QUEUES } from './queue-names';

/** Scheduled upkeep run once per period across the cluster. */
export interface MaintenanceTask {
  /** The job name and the id of its BullMQ job scheduler. */
  name: string;
  everyMs: number;
  /** When its scheduler is first created, wait one period before the first run (else run at once). */
  firstRunAfterPeriod?: boolean;
  run(): Promise<unknown>;
}

/** How often every process checks that each task still has its scheduler. */
const SCHEDULER_CHECK_MS = 5000;

/**
 * The tasks of the `maintenance` queue. Each gets a BullMQ job scheduler, upserted by every
 * process at boot (the same scheduler, so a period runs once in the whole cluster). Schedulers
 * live in Redis: when Redis loses its data, every process finds them missing within
 * {@link SCHEDULER_CHECK_MS} and creates them again (the sweep that finds what Redis lost is one).
 */
@Injectable()
export class MaintenanceTasks implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MaintenanceTasks.name);
  private readonly tasks = new Map<string, MaintenanceTask>();
  private checks: NodeJS.Timeout | undefined;

  constructor(@InjectQueue(QUEUES.maintenance) private readonly queue: Queue) {}

  /** Called by the task's owner while the application is created (constructor or onModuleInit). */
  register(task: MaintenanceTask): void {
    if (this.tasks.has(task.name))
      throw new Error(`Maintenance task ${task.name} registered twice`);
    this.tasks.set(task.name, task);
  }

  find(name: string): MaintenanceTask | undefined {
    return this.tasks.get(name);
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all([...this.tasks.values()].map((task) => this.schedule(task)));
    this.checks = setInterval(() => void this.scheduleMissing(), SCHEDULER_CHECK_MS);
    this.checks.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.checks);
  }

  private async scheduleMissing(): Promise<void> {
    for (const task of this.tasks.values()) {
      try {
        if (await this.queue.getJobScheduler(task.name)) continue;
      } catch {
        return; // Redis unreachable: checked again next time.
      }
      this.logger.warn(`Maintenance task ${task.name} had no scheduler (Redis lost its data?)`);
      await this.schedule(task);
    }
  }

  private async schedule(task: MaintenanceTask): Promise<void> {
    await this.queue
      .upsertJobScheduler(
        task.name,
        {
          every: task.everyMs,
          ...(task.firstRunAfterPeriod ? { startDate: Date.now() + task.everyMs } : {}),
        },
        { name: task.name, opts: { removeOnComplete: true, removeOnFail: 100 } },
      )
      .catch((error: unknown) =>
        this.logger.error({ err: error }, `Could not schedule maintenance task ${task.name}`),
      );
  }
}

/**
 * The one worker of the `maintenance` queue (BullMQ hands any job of a queue to any of its
 * workers): runs the registered task named by the job.
 */
@QueueProcessor(QUEUES.maintenance)
export class MaintenanceProcessor extends WorkerHost {
  constructor(private readonly tasks: MaintenanceTasks) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const task = this.tasks.find(job.name);
    if (!task) throw new Error(`No maintenance task named ${job.name}`);
    return task.run();
  }
}

@Global()
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.maintenance })],
  providers: [MaintenanceTasks, MaintenanceProcessor],
  exports: [MaintenanceTasks],
})
export class MaintenanceModule {}
