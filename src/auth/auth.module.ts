import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { authConfig, type AuthConfig } from '../config/auth.config';
import { TokenPurgeTask } from '../credentials/token-purge.task';
import { MaintenanceModule } from '../queue/maintenance';
import { RedisConnections } from '../redis/redis-connections';
import { UsersModule } from '../users/users.module';
import { authThrottlerOptions } from './auth-throttler.guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { CredentialsModule } from '../credentials/credentials.module';
import { JwtStrategy } from './jwt.strategy';
import { TokensService } from './tokens.service';

@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [authConfig.KEY],
      useFactory: (config: AuthConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
    ThrottlerModule.forRootAsync({
      inject: [authConfig.KEY, RedisConnections],
      useFactory: (config: AuthConfig, redis: RedisConnections) =>
        authThrottlerOptions(config, redis),
    }),
    CredentialsModule,
    MaintenanceModule,
    UsersModule,
  ],
  controllers: [AuthController],
  providers: [JwtStrategy, AuthService, TokensService, TokenPurgeTask],
  exports: [CredentialsModule, JwtModule],
})
export class AuthModule {}
