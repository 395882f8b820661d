import { registerAs } from '@nestjs/config';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { EnvReader, rawEnv } from './env';

export type EmbeddedEngine = 'mongod' | 'ferretdb';

export interface DatabaseConfig {
  /** Set in production (and docker-compose); otherwise an embedded server is started. */
  url?: string;
}

export interface EmbeddedDatabaseSettings {
  forcedEngine?: EmbeddedEngine;
  mongodBinary?: string;
  ferretdbBinary?: string;
  /** Where built or downloaded database binaries are cached (outside the repository). */
  cacheDir: string;
  /** Persistent data of the development server. */
  dataDir: string;
  pathDirs: string[];
  homeDir: string;
}

export function loadDatabaseConfig(): DatabaseConfig {
  const env = new EnvReader();
  return env.done({ url: env.string('MONGODB_URL') });
}

export function loadEmbeddedDatabaseSettings(): EmbeddedDatabaseSettings {
  const env = new EnvReader();
  const forced = rawEnv('EMBEDDED_DB');
  const cacheRoot = rawEnv('XDG_CACHE_HOME') ?? join(homedir(), '.cache');
  return env.done({
    forcedEngine:
      forced === undefined
        ? undefined
        : env.oneOf<EmbeddedEngine>('EMBEDDED_DB', ['mongod', 'ferretdb'], 'ferretdb'),
    mongodBinary: env.string('MONGOD_BINARY'),
    ferretdbBinary: env.string('FERRETDB_BINARY'),
    cacheDir: resolve(
      env.string('EMBEDDED_DB_CACHE_DIR', join(cacheRoot, 'instagram-dm-automation')),
    ),
    dataDir: resolve(env.string('EMBEDDED_DB_DATA_DIR', '.data/db')),
    pathDirs: (rawEnv('PATH') ?? '').split(':').filter(Boolean),
    homeDir: homedir(),
  });
}

export const databaseConfig = registerAs('database', loadDatabaseConfig);

/** Environment for the Go toolchain that builds FerretDB (inherits PATH, GOPATH, proxies...). */
export function goEnvironment(toolchain?: string): NodeJS.ProcessEnv {
  return { ...process.env, GOFLAGS: '-mod=mod', ...(toolchain ? { GOTOOLCHAIN: toolchain } : {}) };
}
