import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { InstagramAccountsModule } from '../instagram-accounts/instagram-accounts.module';
import { MessagesModule } from '../messages/messages.module';
import { InboxWorker } from './inbox-worker';
import { WebhookInboxEntry, WebhookInboxEntrySchema } from './schemas/webhook-inbox-entry.schema';
import { WebhookInboxRepository } from './webhook-inbox.repository';
import { WebhookController } from './webhook.controller';
import { WebhookService } from './webhook.service';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: WebhookInboxEntry.name, schema: WebhookInboxEntrySchema }]),
    InstagramAccountsModule,
    MessagesModule,
  ],
  controllers: [WebhookController],
  providers: [WebhookInboxRepository, WebhookService, InboxWorker],
  exports: [InboxWorker],
})
export class WebhookModule {}
