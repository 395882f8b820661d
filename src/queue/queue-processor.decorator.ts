import { Processor } from '@nestjs/bullmq';
import type { WorkerOptions } from 'bullmq';
import type { QueueName } from './queue-names';

/**
 * A BullMQ processor whose worker starts only in processes that run background work
 * (`PROCESS_ROLE=all|worker`); see {@link WorkerRunner}.
 */
export function QueueProcessor(
  queue: QueueName,
  options: Omit<WorkerOptions, 'connection' | 'autorun'> = {},
): ClassDecorator {
  return Processor(queue, { ...options, autorun: false });
}
