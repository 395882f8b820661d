import { ApiProperty } from '@nestjs/swagger';
import { INBOX_KINDS, INBOX_STATUSES } from '../schemas/webhook-inbox-entry.schema';
import type { InboxKind, InboxStatus } from '../schemas/webhook-inbox-entry.schema';

export class InboxCountsDto {
  @ApiProperty({
    description:
      'Stored, waiting for (another) attempt or being applied (outcomes are written within WEBHOOK_OUTCOME_FLUSH_MS)',
  })
  pending!: number;

  @ApiProperty({ description: 'Taken by a worker of an earlier version that wrote this state' })
  processing!: number;

  @ApiProperty({
    description:
      'Applied within the retention (WEBHOOK_RETENTION_HOURS); applied entries leave the inbox, their receipts stay',
  })
  done!: number;

  @ApiProperty({ description: 'Gave up after the maximum number of attempts' })
  failed!: number;

  @ApiProperty({ description: 'Kept but not processed (unknown account, unsupported event)' })
  ignored!: number;
}

export class InboxProblemDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: INBOX_KINDS })
  kind!: InboxKind;

  @ApiProperty({ enum: INBOX_STATUSES })
  status!: InboxStatus;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ type: String, nullable: true })
  lastError!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  receivedAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Next attempt' })
  nextAttemptAt!: Date | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  processedAt!: Date | null;
}

export class InboxStatsDto {
  @ApiProperty({ type: InboxCountsDto })
  counts!: InboxCountsDto;

  @ApiProperty({ type: [InboxProblemDto], description: 'Entries that gave up, newest first' })
  failed!: InboxProblemDto[];

  @ApiProperty({
    type: [InboxProblemDto],
    description:
      'Entries that failed at least once and are waiting for (or in) a retry, soonest first',
  })
  retrying!: InboxProblemDto[];
}
