import { DynamicModule, Global, Module } from '@nestjs/common';
import { ChangeBus } from './change-bus';
import { ClusterLock } from './cluster-lock';
import { Pacer } from './pacer';
import { REDIS_URL, RedisConnections } from './redis-connections';

/**
 * Cluster-wide state on Redis: connections, locks, pacing and change notifications, shared by
 * every module (global).
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        { provide: REDIS_URL, useValue: url },
        RedisConnections,
        ClusterLock,
        Pacer,
        ChangeBus,
      ],
      exports: [RedisConnections, ClusterLock, Pacer, ChangeBus],
    };
  }
}
