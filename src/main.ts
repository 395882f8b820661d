import type { Logger } from 'pino';
import { createApp } from './app.factory';
import { loadAppConfig, type AppConfig } from './config/app.config';
import { loadEnvironment } from './config/load-environment';
import { resolveDatabase } from './database/resolve-database';
import { createProcessLogger } from './logging/log-output';
import { resolveRedis } from './redis/resolve-redis';

async function bootstrap(config: AppConfig, logger: Logger): Promise<void> {
  const database = await resolveDatabase((message) => logger.info(message));
  const redis = await resolveRedis((message) => logger.info(message));
  const app = await createApp({ databaseUri: database.uri, redisUrl: redis.url });
  await app.listen({ port: config.port, host: config.host });
  const base = config.appUrl;
  logger.info(`API listening on ${base} (docs: ${base}/docs, ReDoc: ${base}/redoc)`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal} received: finishing in-flight requests`);
    try {
      await app.close();
    } finally {
      await Promise.all([database.stop(), redis.stop()]);
      process.exit(0);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutdown(signal));
  }
}

function main(): void {
  const environment = loadEnvironment();
  let config: AppConfig;
  try {
    config = loadAppConfig();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const logger = createProcessLogger(config, 'Bootstrap');
  if (environment) {
    logger.info(
      `Settings from ${environment.path}: ${environment.applied.join(', ') || 'none new'}`,
    );
  }
  bootstrap(config, logger).catch((error: unknown) => {
    logger.fatal(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}

main();
