import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConversationsModule } from '../conversations/conversations.module';
import { InstagramAccountsModule } from '../instagram-accounts/instagram-accounts.module';
import { MessagesModule } from '../messages/messages.module';
import { MaintenanceModule } from '../queue/maintenance';
import { QUEUES } from '../queue/queue-names';
import { InboxMaintenance } from './inbox-maintenance';
import { InboxOutcomes } from './inbox-outcomes';
import { InboxQueue } from './inbox-queue';
import { InboxProcessor } from './inbox.processor';
import { WebhookInboxEntry, WebhookInboxEntrySchema } from './schemas/webhook-inbox-entry.schema';
import { WebhookReceipt, WebhookReceiptSchema } from './schemas/webhook-receipt.schema';
import { WebhookInboxRepository } from './webhook-inbox.repository';
import { WebhookController } from './webhook.controller';
import { WebhookService } from './webhook.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: WebhookInboxEntry.name, schema: WebhookInboxEntrySchema },
      { name: WebhookReceipt.name, schema: WebhookReceiptSchema },
    ]),
    BullModule.registerQueue({ name: QUEUES.inbox }),
    ConversationsModule,
    InstagramAccountsModule,
    MessagesModule,
    MaintenanceModule,
  ],
  controllers: [WebhookController],
  providers: [
    WebhookInboxRepository,
    WebhookService,
    InboxQueue,
    InboxOutcomes,
    InboxProcessor,
    InboxMaintenance,
  ],
})
export class WebhookModule {}
