import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { redisConfig, type RedisConfig } from '../config/redis.config';

export const REDIS_URL = Symbol('REDIS_URL');

/** How long a command may wait for Redis before it fails (Redis down must not hang a request). */
const COMMAND_TIMEOUT_MS = 2_000;
/** How long boot waits for Redis to answer. */
const BOOT_WAIT_MS = 15_000;

/**
 * The Redis connections of this process: one for commands (locks, pacing, throttling,
 * publishing) that fails fast while Redis is unreachable, and one for subscriptions. Queues and
 * workers open their own (BullMQ needs blocking connections). Every key goes through {@link key},
 * so one Redis can hold several deployments (or test files) apart.
 */
@Injectable()
export class RedisConnections implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnections.name);
  readonly commands: Redis;
  private subscriberConnection?: Redis;

  constructor(
    @Inject(REDIS_URL) readonly url: string,
    @Inject(redisConfig.KEY) private readonly config: RedisConfig,
  ) {
    this.commands = this.open('commands', {
      commandTimeout: COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
  }

  /** Boot waits until Redis answers, so nothing fails on a connection still being opened. */
  async onModuleInit(): Promise<void> {
    if (this.commands.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.commands.off('ready', ready);
        reject(new Error(`Redis at ${this.safeUrl()} did not answer within ${BOOT_WAIT_MS} ms`));
      }, BOOT_WAIT_MS);
      const ready = () => {
        clearTimeout(timer);
        resolve();
      };
      this.commands.once('ready', ready);
    });
  }

  get prefix(): string {
    return this.config.prefix;
  }

  /** The deployment's key for these parts, e.g. `igdm:lock:conversation:…`. */
  key(...parts: string[]): string {
    return [this.config.prefix, ...parts].join(':');
  }

  /** A connection in subscriber mode, opened on first use. */
  subscriber(): Redis {
    this.subscriberConnection ??= this.open('subscriber', { maxRetriesPerRequest: null });
    return this.subscriberConnection;
  }

  /** Options for BullMQ queues and workers (they open their own connections). */
  bullConnection(): ConnectionOptions {
    return { ...this.baseOptions(), maxRetriesPerRequest: null } as ConnectionOptions;
  }

  async onApplicationShutdown(): Promise<void> {
    const connections = [this.commands, this.subscriberConnection].filter(
      (connection): connection is Redis => connection !== undefined,
    );
    await Promise.all(
      connections.map((connection) =>
        connection.quit().then(
          () => undefined,
          () => connection.disconnect(),
        ),
      ),
    );
  }

  /** The URL without credentials, for messages. */
  private safeUrl(): string {
    const url = new URL(this.url);
    url.username = '';
    url.password = '';
    return url.toString();
  }

  private baseOptions(): RedisOptions {
    const url = new URL(this.url);
    return {
      host: url.hostname,
      port: url.port ? Number(url.port) : 6379,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
    };
  }

  private open(name: string, options: RedisOptions): Redis {
    const connection = new Redis({ ...this.baseOptions(), ...options, lazyConnect: false });
    let down = false;
    connection.on('error', (error: Error) => {
      if (down) return;
      down = true;
      this.logger.warn(`Redis (${name}) unreachable: ${error.message}`);
    });
    connection.on('ready', () => {
      if (down) this.logger.log(`Redis (${name}) reachable again`);
      down = false;
    });
    return connection;
  }
}
