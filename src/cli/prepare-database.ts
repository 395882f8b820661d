import { loadEmbeddedDatabaseSettings } from '../config/database.config';
import { loadEnvironment } from '../config/load-environment';
import { loadEmbeddedDatabaseModule } from '../database/resolve-database';

/**
 * Makes sure an embedded database can start on this machine (building FerretDB once if
 * needed), then stops it. Run by `.ci/run` before the tests so their first start is quick.
 */
async function main(): Promise<void> {
  loadEnvironment();
  const log = (message: string) => process.stdout.write(`${message}\n`);
  const { startEmbeddedDatabase } = loadEmbeddedDatabaseModule();
  const db = await startEmbeddedDatabase(loadEmbeddedDatabaseSettings(), {
    persistent: false,
    log,
  });
  await db.stop();
  log(`Embedded database ready: ${db.version}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
