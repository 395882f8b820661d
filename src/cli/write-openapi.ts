import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp } from '../app.factory';
import { buildOpenApiDocument } from '../common/openapi/openapi';
import { loadEnvironment } from '../config/load-environment';
import { resolveDatabase } from '../database/resolve-database';

/** Writes `openapi.json` (for client generators) from the built application. */
async function main(): Promise<void> {
  loadEnvironment();
  const database = await resolveDatabase(() => undefined);
  const app = await createApp({ databaseUri: database.uri });
  try {
    const target = resolve('openapi.json');
    writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
    process.stdout.write(`Wrote ${target}\n`);
  } finally {
    await app.close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
