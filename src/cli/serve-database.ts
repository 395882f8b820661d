import { loadEmbeddedDatabaseSettings } from '../config/database.config';
import { loadEnvironment } from '../config/load-environment';
import { loadEmbeddedRedisSettings } from '../config/redis.config';
import { loadEmbeddedDatabaseModule } from '../database/resolve-database';
import { loadEmbeddedRedisModule } from '../redis/resolve-redis';

/**
 * `npm run db:serve`: starts a throwaway embedded database and Redis, prints `MONGODB_URL=<url>`
 * and `REDIS_URL=<url>` on stdout once both answer (everything else goes to stderr), and keeps
 * them running until SIGINT or SIGTERM, then stops them and removes their data. Lets a
 * production build (`NODE_ENV=production node dist/main.js`, which needs both URLs) run on a
 * machine without MongoDB, as `.ci/run` does.
 */
async function main(): Promise<void> {
  loadEnvironment();
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const { startEmbeddedDatabase } = loadEmbeddedDatabaseModule();
  const { startEmbeddedRedis } = loadEmbeddedRedisModule();
  const [db, redis] = await Promise.all([
    startEmbeddedDatabase(loadEmbeddedDatabaseSettings(), { persistent: false, log }),
    startEmbeddedRedis(loadEmbeddedRedisSettings(), { persistent: false, log }),
  ]);
  process.stdout.write(`MONGODB_URL=${db.uri}\nREDIS_URL=${redis.url}\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: stopping the embedded database and Redis`);
    Promise.all([db.stop(), redis.stop()]).then(
      () => process.exit(0),
      (error: unknown) => {
        log(`Could not stop the embedded services: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop(signal));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
