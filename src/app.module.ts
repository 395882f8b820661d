import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuditLogsModule } from './audit-logs/audit-logs.module';
import { AuthModule } from './auth/auth.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { JwtAuthGuard } from './common/guards/jwt-auth.guard';
import { PermissionsGuard } from './common/guards/permissions.guard';
import { rootConfigModule, rootDatabaseModule } from './database/root-modules';
import { ConversationsModule } from './conversations/conversations.module';
import { HealthModule } from './health/health.module';
import { InstagramAccountsModule } from './instagram-accounts/instagram-accounts.module';
import { LoggingModule } from './logging/logging.module';
import { MailModule } from './mail/mail.module';
import { MediaModule } from './media/media.module';
import { MessagesModule } from './messages/messages.module';
import { UsersModule } from './users/users.module';
import { QueueModule } from './queue/queue.module';
import { RedisModule } from './redis/redis.module';
import { WebhookModule } from './webhook/webhook.module';
import { MetricsModule } from './metrics/metrics.module';
import { QueueAdminModule } from './queue-admin/queue-admin.module';

export interface AppModuleOptions {
  /** Full connection string including the database name. */
  databaseUri: string;
  /** Redis for queues, locks, pacing, throttling and change notifications. */
  redisUrl: string;
}

@Module({})
export class AppModule {
  static register(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        rootConfigModule(),
        LoggingModule,
        RedisModule.forRoot(options.redisUrl),
        QueueModule,
        rootDatabaseModule(options.databaseUri),
        EventEmitterModule.forRoot(),
        HealthModule,
        AuditLogsModule,
        MailModule.forRoot(),
        UsersModule,
        AuthModule,
        InstagramAccountsModule,
        MediaModule,
        ConversationsModule,
        MessagesModule,
        WebhookModule,
        QueueAdminModule,
        MetricsModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: PermissionsGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
