import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { ScheduleModule } from '@nestjs/schedule';
import { AuthModule } from './auth/auth.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { JwtAuthGuard } from './common/guards/jwt-auth.guard';
import { PermissionsGuard } from './common/guards/permissions.guard';
import { configNamespaces } from './config';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { UsersModule } from './users/users.module';

export interface AppModuleOptions {
  /** Full connection string including the database name. */
  databaseUri: string;
}

@Module({})
export class AppModule {
  static register(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, cache: true, load: configNamespaces }),
        LoggingModule,
        MongooseModule.forRoot(options.databaseUri, {
          autoIndex: true,
          serverSelectionTimeoutMS: 5000,
        }),
        ScheduleModule.forRoot(),
        HealthModule,
        UsersModule,
        AuthModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: PermissionsGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
