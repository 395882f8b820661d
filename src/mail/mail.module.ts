import { DynamicModule, Module } from '@nestjs/common';
import { loadAppConfig } from '../config/app.config';
import { DevOutbox } from './dev-outbox';
import { DevOutboxController } from './dev-outbox.controller';
import { MailService } from './mail.service';

@Module({})
export class MailModule {
  /** Global; the development outbox route exists only when NODE_ENV=development. */
  static forRoot(): DynamicModule {
    const development = loadAppConfig().nodeEnv === 'development';
    return {
      global: true,
      module: MailModule,
      controllers: development ? [DevOutboxController] : [],
      providers: [MailService, DevOutbox],
      exports: [MailService],
    };
  }
}
