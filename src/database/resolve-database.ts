import { loadDatabaseConfig, loadEmbeddedDatabaseSettings } from '../config/database.config';
import { isProductionEnv } from '../config/env';
import type * as EmbeddedDatabaseModule from './embedded-database';

export const DEFAULT_DATABASE_NAME = 'instagram-dm-automation';

export interface ResolvedDatabase {
  uri: string;
  /** Stops the embedded server, if one was started. */
  stop(): Promise<void>;
}

/** Packages of the embedded database; development tooling, absent from a production install. */
const EMBEDDED_DATABASE_PACKAGES = ['mongodb', 'mongodb-memory-server-core'];

function isMissingEmbeddedDatabasePackage(error: unknown): boolean {
  const { code, message } = error as NodeJS.ErrnoException;
  return (
    code === 'MODULE_NOT_FOUND' &&
    EMBEDDED_DATABASE_PACKAGES.some((name) => message.includes(`'${name}'`))
  );
}

/**
 * The embedded database module. It is development tooling built on devDependencies, so it is
 * loaded only when an embedded server is about to start; a production install explains itself
 * instead of failing on a missing module.
 */
export function loadEmbeddedDatabaseModule(): typeof EmbeddedDatabaseModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when it starts
    return require('./embedded-database') as typeof EmbeddedDatabaseModule;
  } catch (error) {
    if (!isMissingEmbeddedDatabasePackage(error)) throw error;
    throw new Error(
      'The embedded development database is not installed ' +
        `(${EMBEDDED_DATABASE_PACKAGES.join(', ')} are devDependencies): set MONGODB_URL.`,
      { cause: error },
    );
  }
}

/**
 * `MONGODB_URL` when set; otherwise (outside production) an embedded server whose data
 * persists in `.data/` across restarts.
 */
export async function resolveDatabase(log: (message: string) => void): Promise<ResolvedDatabase> {
  const { url } = loadDatabaseConfig();
  if (url) return { uri: url, stop: () => Promise.resolve() };
  if (isProductionEnv()) throw new Error('MONGODB_URL is required when NODE_ENV=production');
  const db = await loadEmbeddedDatabaseModule().startEmbeddedDatabase(
    loadEmbeddedDatabaseSettings(),
    { persistent: true, log },
  );
  return { uri: `${db.uri}/${DEFAULT_DATABASE_NAME}`, stop: () => db.stop() };
}
