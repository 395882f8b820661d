import { loadEmbeddedDatabaseSettings } from '../../src/config/database.config';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/database/embedded-database';

declare global {
  var __EMBEDDED_DB__: EmbeddedDatabase | undefined;
}

/** Starts one throwaway database server for the whole run; each test file uses its own database. */
export default async function globalSetup(): Promise<void> {
  const external = process.env.TEST_MONGODB_URL;
  if (external) {
    process.env.TEST_MONGODB_BASE_URI = external.replace(/\/+$/, '');
    return;
  }
  const db = await startEmbeddedDatabase(loadEmbeddedDatabaseSettings(), {
    persistent: false,
    log: (message) => process.stdout.write(`\n${message}\n`),
  });
  globalThis.__EMBEDDED_DB__ = db;
  process.env.TEST_MONGODB_BASE_URI = db.uri;
}
