import { loadDatabaseConfig, loadEmbeddedDatabaseSettings } from '../config/database.config';
import { isProductionEnv } from '../config/env';
import { startEmbeddedDatabase } from './embedded-database';

export const DEFAULT_DATABASE_NAME = 'instagram-dm-automation';

export interface ResolvedDatabase {
  uri: string;
  /** Stops the embedded server, if one was started. */
  stop(): Promise<void>;
}

/**
 * `MONGODB_URL` when set; otherwise (outside production) an embedded server whose data
 * persists in `.data/` across restarts.
 */
export async function resolveDatabase(log: (message: string) => void): Promise<ResolvedDatabase> {
  const { url } = loadDatabaseConfig();
  if (url) return { uri: url, stop: () => Promise.resolve() };
  if (isProductionEnv()) throw new Error('MONGODB_URL is required when NODE_ENV=production');
  const db = await startEmbeddedDatabase(loadEmbeddedDatabaseSettings(), { persistent: true, log });
  return { uri: `${db.uri}/${DEFAULT_DATABASE_NAME}`, stop: () => db.stop() };
}
