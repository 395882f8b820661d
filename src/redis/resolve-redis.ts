import { isProductionEnv } from '../config/env';
import { loadEmbeddedRedisSettings, loadRedisConfig } from '../config/redis.config';
import type * as EmbeddedRedisModule from './embedded-redis';

export interface ResolvedRedis {
  url: string;
  /** Stops the embedded server, if one was started. */
  stop(): Promise<void>;
}

/**
 * The embedded Redis module: development tooling, loaded only when an embedded server is about to
 * start (its fallback, redis-memory-server, is a devDependency).
 */
export function loadEmbeddedRedisModule(): typeof EmbeddedRedisModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when it starts
  return require('./embedded-redis') as typeof EmbeddedRedisModule;
}

/**
 * `REDIS_URL` when set; otherwise (outside production) an embedded `redis-server` whose data
 * persists in `.data/redis` (AOF) across restarts.
 */
export async function resolveRedis(log: (message: string) => void): Promise<ResolvedRedis> {
  const { url } = loadRedisConfig();
  if (url) return { url, stop: () => Promise.resolve() };
  if (isProductionEnv()) throw new Error('REDIS_URL is required when NODE_ENV=production');
  const redis = await loadEmbeddedRedisModule().startEmbeddedRedis(loadEmbeddedRedisSettings(), {
    persistent: true,
    log,
  });
  return { url: redis.url, stop: () => redis.stop() };
}
