import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConversationsModule } from '../conversations/conversations.module';
import { InstagramAccountsModule } from '../instagram-accounts/instagram-accounts.module';
import { MetaModule } from '../meta/meta.module';
import { MessageIngestionService } from './message-ingestion.service';
import { MessagesController } from './messages.controller';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';
import { Message, MessageSchema } from './schemas/message.schema';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: Message.name, schema: MessageSchema }]),
    ConversationsModule,
    InstagramAccountsModule,
    MetaModule,
  ],
  controllers: [MessagesController],
  providers: [MessagesRepository, MessagesService, MessageIngestionService],
  exports: [MessageIngestionService],
})
export class MessagesModule {}
