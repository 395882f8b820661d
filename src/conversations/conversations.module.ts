import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { InstagramAccountsModule } from '../instagram-accounts/instagram-accounts.module';
import { MetaModule } from '../meta/meta.module';
import { AccountLifecycleListener } from './account-lifecycle.listener';
import { ConversationLock } from './conversation-lock';
import { ConversationsController } from './conversations.controller';
import { ConversationsRepository } from './conversations.repository';
import { ConversationsService } from './conversations.service';
import { ParticipantProfileService } from './participant-profile.service';
import { Conversation, ConversationSchema } from './schemas/conversation.schema';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: Conversation.name, schema: ConversationSchema }]),
    InstagramAccountsModule,
    MetaModule,
  ],
  controllers: [ConversationsController],
  providers: [
    AccountLifecycleListener,
    ConversationsRepository,
    ConversationLock,
    ConversationsService,
    ParticipantProfileService,
  ],
  exports: [ConversationsService, ConversationLock],
})
export class ConversationsModule {}
