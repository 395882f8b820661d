import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { RedisConnections } from '../redis/redis-connections';
import { WorkerRunner } from './worker-runner';

/** BullMQ on the deployment's Redis (its key prefix), and the role-aware worker start. */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [RedisConnections],
      useFactory: (redis: RedisConnections) => ({
        connection: redis.bullConnection(),
        prefix: `${redis.prefix}:bull`,
      }),
    }),
  ],
  providers: [WorkerRunner],
  exports: [WorkerRunner],
})
export class QueueModule {}
