import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUE_NAMES, QueueAdminService } from './queue-admin.service';

/** A handle on every queue of the product, for the admin API, the dashboard and the metrics. */
@Module({
  imports: [BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name })))],
  providers: [QueueAdminService],
  exports: [QueueAdminService],
})
export class QueueInspectionModule {}
