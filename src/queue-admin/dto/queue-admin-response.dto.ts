import { ApiProperty } from '@nestjs/swagger';
import { QUEUES, type QueueName } from '../../queue/queue-names';
import { JOB_STATES } from '../queue-admin.service';

const QUEUE_NAME_VALUES = Object.values(QUEUES);

export class JobCountsDto {
  @ApiProperty({ example: 3 }) waiting!: number;
  @ApiProperty({ example: 0 }) prioritized!: number;
  @ApiProperty({ example: 1, description: 'Due later (backoff, scheduled)' }) delayed!: number;
  @ApiProperty({ example: 2 }) active!: number;
  @ApiProperty({ example: 0 }) 'waiting-children'!: number;
  @ApiProperty({ example: 120, description: 'Kept completed jobs' }) completed!: number;
  @ApiProperty({ example: 1 }) failed!: number;
}

export class QueueCountsDto {
  @ApiProperty({ enum: QUEUE_NAME_VALUES, example: 'inbox' })
  name!: QueueName;

  @ApiProperty({ description: 'A paused queue keeps its jobs waiting: no worker takes them' })
  paused!: boolean;

  @ApiProperty({ type: JobCountsDto, description: `Jobs by state (${JOB_STATES.join(', ')})` })
  counts!: JobCountsDto;
}

export class QueueCountsListDto {
  @ApiProperty({ type: [QueueCountsDto] })
  queues!: QueueCountsDto[];
}

export class FailedJobDto {
  @ApiProperty({ example: '42' })
  id!: string;

  @ApiProperty({ example: 'conversation' })
  name!: string;

  @ApiProperty({ example: 'Database unavailable', description: 'Why the last attempt failed' })
  failedReason!: string;

  @ApiProperty({ example: 5 })
  attemptsMade!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  addedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  failedAt!: string | null;
}

export class FailedJobListDto {
  @ApiProperty({ enum: QUEUE_NAME_VALUES, example: 'inbox' })
  queue!: QueueName;

  @ApiProperty({ type: [FailedJobDto], description: 'Newest first' })
  jobs!: FailedJobDto[];
}

export class RetriedJobDto {
  @ApiProperty({ example: '42' })
  id!: string;

  @ApiProperty({ example: 'conversation' })
  name!: string;

  @ApiProperty({ enum: QUEUE_NAME_VALUES, example: 'inbox' })
  queue!: QueueName;

  @ApiProperty({
    example: 'waiting',
    description:
      'State right after the retry: `waiting` (or `prioritized`), or later if a worker took it at once',
  })
  state!: string;
}

export class DashboardSessionDto {
  @ApiProperty({ example: '/admin/queues', description: 'Open this path in the same browser' })
  url!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt!: string;
}
