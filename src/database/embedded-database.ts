import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { goEnvironment } from '../config/database.config';
import {
  buildOnce,
  findOnPath,
  freePort,
  isExecutable,
  killOnExit,
  stopChild,
  tail,
} from '../embedded/child-processes';
import type { EmbeddedDatabaseSettings, EmbeddedEngine } from '../config/database.config';

const execFileAsync = promisify(execFile);

export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
export const FERRETDB_VERSION = 'v1.24.2';
/** Tried after the machine's own Go when a build fails. */
export const FERRETDB_FALLBACK_TOOLCHAIN = 'go1.24.3';

export interface EmbeddedDatabase {
  /** Base connection string without a database name, e.g. mongodb://127.0.0.1:40123 */
  uri: string;
  engine: EmbeddedEngine;
  version: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Keep data in `settings.dataDir` across restarts (development server); otherwise a throwaway folder. */
  persistent: boolean;
  log: (message: string) => void;
}

export class EmbeddedDatabaseUnavailableError extends Error {
  constructor(reasons: string[]) {
    super(
      [
        'No MongoDB-compatible database is available. Fix it in one of three ways:',
        '  1. set MONGODB_URL to a MongoDB 6+ server (e.g. `docker compose up -d mongo`), or',
        '  2. put a `mongod` binary on PATH or point MONGOD_BINARY at one, or',
        `  3. install Go (https://go.dev/dl) so FerretDB ${FERRETDB_VERSION} can be built once (\`npm run db:prepare\`), or point FERRETDB_BINARY at a ferretdb binary.`,
        'What was tried:',
        ...reasons.map((r) => `  - ${r}`),
      ].join('\n'),
    );
    this.name = 'EmbeddedDatabaseUnavailableError';
  }
}

async function waitForPing(uri: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, directConnection: true });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.close().catch(() => undefined);
    }
  }
  throw new Error(`did not answer a ping within ${timeoutMs} ms: ${String(lastError)}`);
}

// ---------------------------------------------------------------- FerretDB

export function ferretdbCachePath(settings: EmbeddedDatabaseSettings): string {
  return join(settings.cacheDir, `ferretdb-${FERRETDB_VERSION}`, 'ferretdb');
}

function locateFerretdb(settings: EmbeddedDatabaseSettings): string | undefined {
  if (settings.ferretdbBinary) return settings.ferretdbBinary;
  const cached = ferretdbCachePath(settings);
  if (isExecutable(cached)) return cached;
  return findOnPath('ferretdb', settings.pathDirs);
}

async function goBuild(sourceDir: string, output: string, toolchain?: string): Promise<void> {
  await execFileAsync('go', ['build', '-trimpath', '-o', output, './cmd/ferretdb'], {
    cwd: sourceDir,
    env: goEnvironment(toolchain),
    maxBuffer: 16 * 1024 * 1024,
  });
}

/**
 * Builds FerretDB once into the cache folder. `go install ferretdb@version` cannot be used: the
 * module proxy refuses version listings for this module, and a plain install lacks the version
 * stamp FerretDB requires. So the exact module version is downloaded, stamped and built.
 */
export async function buildFerretdb(
  settings: EmbeddedDatabaseSettings,
  log: (message: string) => void,
): Promise<string> {
  const target = ferretdbCachePath(settings);
  if (isExecutable(target)) return target;
  if (!findOnPath('go', settings.pathDirs))
    throw new Error('Go is not installed, so FerretDB cannot be built');
  const root = join(settings.cacheDir, `ferretdb-${FERRETDB_VERSION}`);
  return buildOnce(target, root, 15 * 60_000, async () => {
    log(`Building FerretDB ${FERRETDB_VERSION} with Go (once; takes a few minutes)...`);
    const { stdout } = await execFileAsync(
      'go',
      ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`],
      { env: goEnvironment(), maxBuffer: 16 * 1024 * 1024 },
    );
    const moduleDir = (JSON.parse(stdout) as { Dir: string }).Dir;
    const sourceDir = join(root, 'src');
    await rm(sourceDir, { recursive: true, force: true });
    await cp(moduleDir, sourceDir, { recursive: true });
    await execFileAsync('chmod', ['-R', 'u+w', sourceDir]);
    await writeFile(join(sourceDir, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    const output = `${target}.partial`;
    try {
      await goBuild(sourceDir, output);
    } catch (error) {
      log(
        `Build with the machine's Go failed (${String(error).split('\n')[0]}); retrying with ${FERRETDB_FALLBACK_TOOLCHAIN}`,
      );
      await goBuild(sourceDir, output, FERRETDB_FALLBACK_TOOLCHAIN);
    }
    await execFileAsync('mv', [output, target]);
    await rm(sourceDir, { recursive: true, force: true });
    log(`FerretDB ${FERRETDB_VERSION} built into ${target}`);
  });
}

async function ferretdbVersion(binary: string): Promise<string> {
  const { stdout } = await execFileAsync(binary, ['--version']);
  return /version:\s*(\S+)/.exec(stdout)?.[1] ?? 'unknown';
}

async function startFerretdb(
  binary: string,
  settings: EmbeddedDatabaseSettings,
  options: StartOptions,
): Promise<EmbeddedDatabase> {
  const version = await ferretdbVersion(binary);
  if (!version.startsWith('v1.24.')) {
    throw new Error(`${binary} is FerretDB ${version}; version v1.24.x is required`);
  }
  const dataDir = options.persistent
    ? join(settings.dataDir, 'ferretdb')
    : await mkdtemp(join(tmpdir(), 'igdm-ferretdb-'));
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dataDir}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  killOnExit(child);
  const stderr = tail(child.stderr);
  const uri = `mongodb://127.0.0.1:${port}`;
  try {
    await waitForPing(uri, child, 20_000);
  } catch (error) {
    await stopChild(child);
    throw new Error(`FerretDB ${String(error)} ${stderr()}`.trim(), { cause: error });
  }
  return {
    uri,
    engine: 'ferretdb',
    version: `FerretDB ${version} (SQLite backend)`,
    stop: async () => {
      await stopChild(child);
      if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- mongod

function locateMongod(settings: EmbeddedDatabaseSettings): string | undefined {
  if (settings.mongodBinary) return settings.mongodBinary;
  return findOnPath('mongod', settings.pathDirs) ?? findInMongoMemoryServerCache(settings);
}

function findInMongoMemoryServerCache(settings: EmbeddedDatabaseSettings): string | undefined {
  const dirs = [
    join(process.cwd(), 'node_modules', '.cache', 'mongodb-memory-server'),
    join(settings.homeDir, '.cache', 'mongodb-binaries'),
    join(settings.cacheDir, 'mongodb-binaries'),
  ];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    const hit = readdirSync(dir).find(
      (name) => name.startsWith('mongod') && isExecutable(join(dir, name)),
    );
    if (hit) return join(dir, hit);
  }
  return undefined;
}

async function startMongod(
  binary: string | undefined,
  settings: EmbeddedDatabaseSettings,
  options: StartOptions,
): Promise<EmbeddedDatabase> {
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const dbPath = options.persistent ? join(settings.dataDir, 'mongod') : undefined;
  if (dbPath) await mkdir(dbPath, { recursive: true });
  const server = await MongoMemoryServer.create({
    binary: binary
      ? { systemBinary: binary }
      : { downloadDir: join(settings.cacheDir, 'mongodb-binaries') },
    instance: { ip: '127.0.0.1', dbPath, storageEngine: dbPath ? 'wiredTiger' : undefined },
  });
  const client = new MongoClient(server.getUri(), { directConnection: true });
  const info = await client.db('admin').command({ buildInfo: 1 });
  await client.close();
  return {
    uri: server.getUri().replace(/\/$/, ''),
    engine: 'mongod',
    version: `mongod ${String(info.version)}`,
    stop: async () => {
      await server.stop({ doCleanup: !options.persistent, force: false });
    },
  };
}

// ---------------------------------------------------------------- resolution

/**
 * Starts an embedded MongoDB-compatible server: a local `mongod` when one is available, else
 * FerretDB 1.24 (found, or built once with Go), else a `mongod` download. `EMBEDDED_DB` forces one.
 */
export async function startEmbeddedDatabase(
  settings: EmbeddedDatabaseSettings,
  options: StartOptions,
): Promise<EmbeddedDatabase> {
  const reasons: string[] = [];
  const attempt = async (
    label: string,
    run: () => Promise<EmbeddedDatabase>,
  ): Promise<EmbeddedDatabase | undefined> => {
    try {
      const db = await run();
      options.log(`Embedded database: ${db.version} at ${db.uri}`);
      return db;
    } catch (error) {
      reasons.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
  const forced = settings.forcedEngine;
  const mongod = locateMongod(settings);
  if ((forced === undefined || forced === 'mongod') && mongod) {
    const db = await attempt(`mongod (${mongod})`, () => startMongod(mongod, settings, options));
    if (db) return db;
  } else if (forced === 'mongod' || forced === undefined) {
    reasons.push('mongod: no binary (MONGOD_BINARY, PATH, mongodb-memory-server cache)');
  }
  if (forced === undefined || forced === 'ferretdb') {
    const db = await attempt(`FerretDB ${FERRETDB_VERSION}`, async () => {
      const binary = locateFerretdb(settings) ?? (await buildFerretdb(settings, options.log));
      return startFerretdb(binary, settings, options);
    });
    if (db) return db;
  }
  if (forced === undefined || forced === 'mongod') {
    const db = await attempt('mongod download', () => startMongod(undefined, settings, options));
    if (db) return db;
  }
  throw new EmbeddedDatabaseUnavailableError(reasons);
}
