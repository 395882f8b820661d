import { loadEmbeddedDatabaseSettings } from '../config/database.config';
import { loadEnvironment } from '../config/load-environment';
import { loadEmbeddedDatabaseModule } from '../database/resolve-database';

/**
 * `npm run db:serve`: starts a throwaway embedded database, prints `MONGODB_URL=<url>` on stdout
 * once it answers (everything else goes to stderr), and keeps it running until SIGINT or SIGTERM,
 * then stops it and removes its data. Lets a production build (`NODE_ENV=production node
 * dist/main.js`, which needs MONGODB_URL) run on a machine without MongoDB, as `.ci/run` does.
 */
async function main(): Promise<void> {
  loadEnvironment();
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const { startEmbeddedDatabase } = loadEmbeddedDatabaseModule();
  const db = await startEmbeddedDatabase(loadEmbeddedDatabaseSettings(), {
    persistent: false,
    log,
  });
  process.stdout.write(`MONGODB_URL=${db.uri}\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: stopping the embedded database`);
    db.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`Could not stop the embedded database: ${String(error)}`);
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
