import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EmbeddedRedisSettings } from '../config/redis.config';
import { findOnPath, freePort, killOnExit, stopChild, tail } from '../embedded/child-processes';

const execFileAsync = promisify(execFile);

export interface EmbeddedRedis {
  /** e.g. redis://127.0.0.1:40123 */
  url: string;
  version: string;
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  /** Keep data (AOF) in `settings.dataDir` across restarts (development server); tests keep nothing. */
  persistent: boolean;
  log: (message: string) => void;
}

export class EmbeddedRedisUnavailableError extends Error {
  constructor(reasons: string[]) {
    super(
      [
        'No Redis is available. Fix it in one of three ways:',
        '  1. set REDIS_URL to a Redis 6.2+ server, or',
        '  2. install redis-server (Debian/Ubuntu: `apt-get install redis-server`) or point REDIS_BINARY at one, or',
        '  3. run one in Docker: `docker compose up -d redis`, then REDIS_URL=redis://127.0.0.1:6379.',
        'What was tried:',
        ...reasons.map((r) => `  - ${r}`),
      ].join('\n'),
    );
    this.name = 'EmbeddedRedisUnavailableError';
  }
}

/** Sends PING until the server answers PONG. */
async function waitForPong(port: number, alive: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('exited before answering');
    const answered = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.setTimeout(500);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (answered) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`did not answer PING within ${timeoutMs} ms`);
}

async function redisVersion(binary: string): Promise<string> {
  const { stdout } = await execFileAsync(binary, ['--version']);
  return /v=(\S+)/.exec(stdout)?.[1] ?? 'unknown';
}

async function startBinary(
  binary: string,
  settings: EmbeddedRedisSettings,
  options: StartRedisOptions,
): Promise<EmbeddedRedis> {
  const version = await redisVersion(binary);
  const dataDir = options.persistent
    ? settings.dataDir
    : await mkdtemp(join(tmpdir(), 'igdm-redis-'));
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const persistence = options.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec']
    : ['--appendonly', 'no'];
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dataDir,
      '--save',
      '',
      ...persistence,
      '--protected-mode',
      'yes',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  killOnExit(child);
  const output = tail(child.stdout);
  try {
    await waitForPong(port, () => child.exitCode === null && child.signalCode === null, 10_000);
  } catch (error) {
    await stopChild(child);
    throw new Error(`redis-server ${String(error)} ${output()}`.trim(), { cause: error });
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    version: `Redis ${version}`,
    stop: async () => {
      await stopChild(child);
      if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** redis-memory-server builds Redis from source once (machines with internet access only). */
async function startMemoryServer(settings: EmbeddedRedisSettings): Promise<EmbeddedRedis> {
  const { RedisMemoryServer } = await import('redis-memory-server');
  const server = new RedisMemoryServer({
    binary: { downloadDir: join(settings.cacheDir, 'redis-binaries') },
  });
  const host = await server.getHost();
  const port = await server.getPort();
  return {
    url: `redis://${host}:${port}`,
    version: 'Redis (redis-memory-server)',
    stop: async () => {
      await server.stop();
    },
  };
}

/**
 * Starts a Redis for development and tests: `REDIS_BINARY` or `redis-server` on PATH, else the
 * build redis-memory-server offers. Listens on a free loopback port.
 */
export async function startEmbeddedRedis(
  settings: EmbeddedRedisSettings,
  options: StartRedisOptions,
): Promise<EmbeddedRedis> {
  const reasons: string[] = [];
  const binary = settings.redisBinary ?? findOnPath('redis-server', settings.pathDirs);
  if (binary) {
    try {
      const redis = await startBinary(binary, settings, options);
      options.log(`Embedded Redis: ${redis.version} at ${redis.url}`);
      return redis;
    } catch (error) {
      reasons.push(`${binary}: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    reasons.push('redis-server: no binary (REDIS_BINARY, PATH)');
  }
  try {
    const redis = await startMemoryServer(settings);
    options.log(`Embedded Redis: ${redis.version} at ${redis.url}`);
    return redis;
  } catch (error) {
    reasons.push(`redis-memory-server: ${error instanceof Error ? error.message : String(error)}`);
  }
  throw new EmbeddedRedisUnavailableError(reasons);
}
