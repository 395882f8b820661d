import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { DashboardSessionsModule } from './dashboard/dashboard-sessions.module';
import { DASHBOARD_PATH, DashboardSessions } from './dashboard/dashboard-sessions';
import { gatedFastifyAdapter } from './dashboard/gated-fastify-adapter';
import { QueueAdminController } from './queue-admin.controller';
import { QUEUE_NAMES } from './queue-admin.service';
import { QueueInspectionModule } from './queue-inspection.module';

/**
 * What admins see of the queues: the JSON API under `/v1/admin/queues` and the bull-board
 * dashboard at `/admin/queues`, both limited to admins (`manage-queues`).
 */
@Module({
  imports: [
    QueueInspectionModule,
    DashboardSessionsModule,
    BullBoardModule.forRootAsync({
      imports: [DashboardSessionsModule],
      inject: [DashboardSessions],
      useFactory: (sessions: DashboardSessions) => ({
        route: DASHBOARD_PATH,
        adapter: gatedFastifyAdapter(sessions),
        boardOptions: { uiConfig: { boardTitle: 'Queues' } },
      }),
    }),
    BullBoardModule.forFeature(...QUEUE_NAMES.map((name) => ({ name, adapter: BullMQAdapter }))),
  ],
  controllers: [QueueAdminController],
})
export class QueueAdminModule {}
