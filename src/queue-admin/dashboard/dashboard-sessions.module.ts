import { Module } from '@nestjs/common';
import { CredentialsModule } from '../../credentials/credentials.module';
import { UsersModule } from '../../users/users.module';
import { DashboardSessions } from './dashboard-sessions';

@Module({
  imports: [UsersModule, CredentialsModule],
  providers: [DashboardSessions],
  exports: [DashboardSessions],
})
export class DashboardSessionsModule {}
