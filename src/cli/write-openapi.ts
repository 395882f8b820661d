import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp } from '../app.factory';
import { buildOpenApiDocument } from '../common/openapi/openapi';
import { loadEnvironment } from '../config/load-environment';
import { resolveDatabase } from '../database/resolve-database';
import { resolveRedis } from '../redis/resolve-redis';

/** Writes `openapi.json` (for client generators) from the built application. */
async function main(): Promise<void> {
  loadEnvironment();
  const database = await resolveDatabase(() => undefined);
  const redis = await resolveRedis(() => undefined);
  const app = await createApp({ databaseUri: database.uri, redisUrl: redis.url });
  try {
    const target = resolve('openapi.json');
    writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
    process.stdout.write(`Wrote ${target}\n`);
  } finally {
    await app.close();
    await Promise.all([database.stop(), redis.stop()]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
