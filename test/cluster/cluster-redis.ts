import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { loadEmbeddedRedisSettings } from '../../src/config/redis.config';
import {
  findOnPath,
  freePort,
  killOnExit,
  stopChild,
  tail,
} from '../../src/embedded/child-processes';

/**
 * A `redis-server` without persistence on a port that stays the same across restarts, so the
 * API processes reconnect to it: `restartEmpty()` is Redis lost and back with nothing in it.
 */
export class ClusterRedis {
  private child?: ChildProcess;
  private output: () => string = () => '';

  private constructor(
    private readonly binary: string,
    readonly port: number,
    private readonly dataDir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<ClusterRedis> {
    const settings = loadEmbeddedRedisSettings();
    const binary = settings.redisBinary ?? findOnPath('redis-server', settings.pathDirs);
    if (!binary) {
      throw new Error(
        'The cluster tier needs a redis-server binary it can restart (REDIS_BINARY or PATH; Debian: apt-get install redis-server)',
      );
    }
    const redis = new ClusterRedis(
      binary,
      await freePort(),
      await mkdtemp(join(tmpdir(), 'igdm-cluster-redis-')),
    );
    await redis.launch();
    return redis;
  }

  /** Kills Redis (SIGKILL: nothing is saved) and starts an empty one on the same port. */
  async restartEmpty(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await this.launch();
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child);
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const child = spawn(
      this.binary,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dataDir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    killOnExit(child);
    this.child = child;
    this.output = tail(child.stdout);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      const client = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      try {
        await client.connect();
        if ((await client.ping()) === 'PONG') return;
      } catch {
        await sleep(50);
      } finally {
        client.disconnect();
      }
    }
    throw new Error(`redis-server did not start on port ${this.port}: ${this.output()}`);
  }
}
