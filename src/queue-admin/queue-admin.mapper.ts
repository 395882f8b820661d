import type {
  FailedJobDto,
  FailedJobListDto,
  QueueCountsListDto,
  RetriedJobDto,
} from './dto/queue-admin-response.dto';
import type { FailedJobRecord, QueueCountsRecord, RetriedJobRecord } from './queue-admin.service';
import type { QueueName } from '../queue/queue-names';

export function toQueueCountsList(queues: QueueCountsRecord[]): QueueCountsListDto {
  return {
    queues: queues.map(({ name, paused, counts }) => ({ name, paused, counts: { ...counts } })),
  };
}

function toFailedJob(job: FailedJobRecord): FailedJobDto {
  return {
    id: job.id,
    name: job.name,
    failedReason: job.failedReason,
    attemptsMade: job.attemptsMade,
    addedAt: job.addedAt.toISOString(),
    failedAt: job.failedAt?.toISOString() ?? null,
  };
}

export function toFailedJobList(queue: QueueName, jobs: FailedJobRecord[]): FailedJobListDto {
  return { queue, jobs: jobs.map(toFailedJob) };
}

export function toRetriedJob(job: RetriedJobRecord): RetriedJobDto {
  return { id: job.id, name: job.name, queue: job.queue, state: job.state };
}
