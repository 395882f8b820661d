import { registerAs } from '@nestjs/config';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { EnvReader, rawEnv } from './env';

export interface RedisConfig {
  /** Set in production (and docker-compose); otherwise an embedded `redis-server` is started. */
  url?: string;
  /**
   * Prefix of every key this deployment writes (queues, locks, pacing, throttling), so several
   * deployments or test files can share one Redis.
   */
  prefix: string;
}

export interface EmbeddedRedisSettings {
  redisBinary?: string;
  /** Persistent data (AOF) of the development server. */
  dataDir: string;
  /** Where redis-memory-server keeps the Redis it builds (machines with internet access). */
  cacheDir: string;
  pathDirs: string[];
}

export function loadRedisConfig(): RedisConfig {
  const env = new EnvReader();
  const prefix = env.string('REDIS_PREFIX', 'igdm');
  if (!/^[\w.-]{1,64}$/.test(prefix)) {
    env.problem('REDIS_PREFIX must be 1 to 64 letters, digits, ".", "_" or "-"');
  }
  return env.done({ url: env.url('REDIS_URL'), prefix });
}

export function loadEmbeddedRedisSettings(): EmbeddedRedisSettings {
  const env = new EnvReader();
  const cacheRoot = rawEnv('XDG_CACHE_HOME') ?? join(homedir(), '.cache');
  return env.done({
    redisBinary: env.string('REDIS_BINARY'),
    dataDir: resolve(env.string('EMBEDDED_REDIS_DATA_DIR', '.data/redis')),
    cacheDir: resolve(
      env.string('EMBEDDED_DB_CACHE_DIR', join(cacheRoot, 'instagram-dm-automation')),
    ),
    pathDirs: (rawEnv('PATH') ?? '').split(':').filter(Boolean),
  });
}

export const redisConfig = registerAs('redis', loadRedisConfig);
