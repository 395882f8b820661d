import { loadEmbeddedDatabaseSettings } from '../../src/config/database.config';
import { loadEmbeddedRedisSettings } from '../../src/config/redis.config';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/database/embedded-database';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/redis/embedded-redis';

declare global {
  var __EMBEDDED_DB__: EmbeddedDatabase | undefined;
  var __EMBEDDED_REDIS__: EmbeddedRedis | undefined;
}

const log = (message: string) => process.stdout.write(`\n${message}\n`);

/**
 * Starts one throwaway database server and one Redis for the whole run; each test file uses its
 * own database and its own Redis key prefix. `TEST_MONGODB_URL` / `TEST_REDIS_URL` use existing
 * servers instead.
 */
export default async function globalSetup(): Promise<void> {
  const externalDb = process.env.TEST_MONGODB_URL;
  if (externalDb) {
    process.env.TEST_MONGODB_BASE_URI = externalDb.replace(/\/+$/, '');
  } else {
    const db = await startEmbeddedDatabase(loadEmbeddedDatabaseSettings(), {
      persistent: false,
      log,
    });
    globalThis.__EMBEDDED_DB__ = db;
    process.env.TEST_MONGODB_BASE_URI = db.uri;
  }
  const externalRedis = process.env.TEST_REDIS_URL;
  if (externalRedis) {
    process.env.TEST_REDIS_BASE_URL = externalRedis;
  } else {
    const redis = await startEmbeddedRedis(loadEmbeddedRedisSettings(), { persistent: false, log });
    globalThis.__EMBEDDED_REDIS__ = redis;
    process.env.TEST_REDIS_BASE_URL = redis.url;
  }
}
