import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { CryptoModule } from '../common/crypto/crypto.module';
import { MetaModule } from '../meta/meta.module';
import { MaintenanceModule } from '../queue/maintenance';
import { UsersModule } from '../users/users.module';
import { AccountConnectionService } from './account-connection.service';
import { AccountsGateway } from './accounts.gateway';
import { InstagramAccountsController } from './instagram-accounts.controller';
import { InstagramAccountsRepository } from './instagram-accounts.repository';
import { InstagramAccountsService } from './instagram-accounts.service';
import { InstagramProfileService } from './instagram-profile.service';
import { InstagramAccount, InstagramAccountSchema } from './schemas/instagram-account.schema';
import { TokenRefreshTask } from './token-refresh.task';
import { WebhookSubscriptionService } from './webhook-subscription.service';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: InstagramAccount.name, schema: InstagramAccountSchema }]),
    MetaModule,
    MaintenanceModule,
    CryptoModule,
    UsersModule,
  ],
  controllers: [InstagramAccountsController],
  providers: [
    InstagramAccountsRepository,
    AccountsGateway,
    AccountConnectionService,
    WebhookSubscriptionService,
    InstagramAccountsService,
    InstagramProfileService,
    TokenRefreshTask,
  ],
  exports: [AccountsGateway],
})
export class InstagramAccountsModule {}
