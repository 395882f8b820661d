import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConversationsModule } from '../conversations/conversations.module';
import { InstagramAccountsModule } from '../instagram-accounts/instagram-accounts.module';
import { MetaModule } from '../meta/meta.module';
import { MaintenanceModule } from '../queue/maintenance';
import { MessageIngestionService } from './message-ingestion.service';
import { MessagesController } from './messages.controller';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';
import { Message, MessageSchema } from './schemas/message.schema';
import { UnconfirmedSendsTask } from './unconfirmed-sends.task';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: Message.name, schema: MessageSchema }]),
    ConversationsModule,
    InstagramAccountsModule,
    MetaModule,
    MaintenanceModule,
  ],
  controllers: [MessagesController],
  providers: [MessagesRepository, MessagesService, MessageIngestionService, UnconfirmedSendsTask],
  exports: [MessageIngestionService],
})
export class MessagesModule {}
