import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { loadAppConfig } from './config/app.config';
import { resolveDatabase } from './database/resolve-database';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const config = loadAppConfig();
  const database = await resolveDatabase((message) => logger.log(message));
  const app = await createApp({ databaseUri: database.uri });
  await app.listen({ port: config.port, host: config.host });
  const base = config.appUrl;
  logger.log(`API listening on ${base} (docs: ${base}/docs, ReDoc: ${base}/redoc)`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: finishing in-flight requests`);
    try {
      await app.close();
    } finally {
      await database.stop();
      process.exit(0);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutdown(signal));
  }
}

bootstrap().catch((error: unknown) => {
  new Logger('Bootstrap').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
