import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceUnavailableError } from '../common/errors';
import { RedisConnections } from './redis-connections';

/**
 * A held lock. `token` grows with every acquisition of the same name, also across a loss of
 * Redis's data (a fencing token).
 */
export interface Lease {
  readonly name: string;
  readonly token: number;
  /**
   * The previous holder never released it (it died or lost the lease mid-work), so whatever it
   * was writing may be half done.
   */
  readonly inheritedUnclean: boolean;
  /**
   * No acquisition of this name was remembered (its first one, or Redis lost its data): a
   * holder from before may still be finishing a write, for up to `leaseMs`.
   */
  readonly fresh: boolean;
  /** How long the lease lasts without renewal. */
  readonly leaseMs: number;
  /**
   * False once the lease expired (no renewal succeeded for `leaseMs`, by this process's
   * clock) or was taken over; work must stop writing then.
   */
  held(): boolean;
}

export interface LockOptions {
  /** How long the lease lasts without renewal (renewed every third of it while held). */
  leaseMs?: number;
  /** How long to wait for a busy lock before giving up with {@link LockBusyError}. */
  waitMs?: number;
}

export class LockBusyError extends ServiceUnavailableError {
  constructor(name: string) {
    super(`Busy (${name.split(':')[0]}), try again in a moment`, [{ reason: 'busy' }]);
  }

  override headers(): Record<string, string> {
    return { 'Retry-After': '1' };
  }
}

const DEFAULT_LEASE_MS = 15_000;
const DEFAULT_WAIT_MS = 5_000;
/** Fence counters and unclean markers outlive any lease by far, and are then forgotten. */
const FENCE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * KEYS: lock, fence, unclean marker. ARGV: lease ms, fence ttl ms. → {token, unclean, fresh}
 * or 0.
 * A token is one more than the last one of the name, and never less than Redis's clock in
 * microseconds: tokens keep growing when Redis lost its data (restarted empty, failed over),
 * so a holder from before the loss still has the smaller token.
 */
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local now = redis.call('TIME')
local stored = redis.call('GET', KEYS[2])
local fresh = 0
if not stored then fresh = 1 end
local last = tonumber(stored or '0')
local token = math.max(last + 1, tonumber(now[1]) * 1000000 + tonumber(now[2]))
local text = string.format('%.0f', token)
redis.call('SET', KEYS[2], text, 'PX', ARGV[2])
local unclean = redis.call('EXISTS', KEYS[3])
redis.call('SET', KEYS[1], text, 'PX', ARGV[1])
redis.call('SET', KEYS[3], text, 'PX', ARGV[2])
return {text, unclean, fresh}`;

/** KEYS: lock. ARGV: token, lease ms. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** KEYS: lock, unclean marker. ARGV: token. */
const RELEASE = `
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Cluster-wide mutual exclusion on Redis (one lease per name, with a fencing token), for work
 * that must never run twice at once on the same thing across all instances — e.g. every write to
 * one conversation, because the development database does not apply concurrent updates of one
 * document atomically. Within a process, callers of one name queue locally first, so only one of
 * them polls Redis.
 */
@Injectable()
export class ClusterLock {
  private readonly logger = new Logger(ClusterLock.name);
  private readonly localTails = new Map<string, Promise<void>>();

  constructor(private readonly redis: RedisConnections) {}

  /** Runs `work` holding the lock `name`; the lease is renewed while it runs. */
  async run<T>(
    name: string,
    work: (lease: Lease) => Promise<T>,
    options: LockOptions = {},
  ): Promise<T> {
    const previous = this.localTails.get(name) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = previous.then(() => mine);
    this.localTails.set(name, tail);
    try {
      await previous;
      const lease = await this.acquire(name, options);
      try {
        return await work(lease.lease);
      } finally {
        await lease.release();
      }
    } finally {
      done();
      if (this.localTails.get(name) === tail) this.localTails.delete(name);
    }
  }

  private async acquire(
    name: string,
    options: LockOptions,
  ): Promise<{ lease: Lease; release(): Promise<void> }> {
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    const deadline = Date.now() + (options.waitMs ?? DEFAULT_WAIT_MS);
    const lockKey = this.redis.key('lock', name);
    const uncleanKey = this.redis.key('lock-unclean', name);
    const fenceKey = this.redis.key('lock-fence', name);
    let pause = 5;
    for (;;) {
      const result = (await this.redis.commands.eval(
        ACQUIRE,
        3,
        lockKey,
        fenceKey,
        uncleanKey,
        leaseMs,
        FENCE_TTL_MS,
      )) as [string, number, number] | 0;
      if (result !== 0) {
        const [token, unclean, fresh] = result;
        return this.holding(name, lockKey, uncleanKey, [Number(token), unclean, fresh], leaseMs);
      }
      if (Date.now() + pause > deadline) throw new LockBusyError(name);
      await sleep(pause);
      pause = Math.min(pause * 2, 50);
    }
  }

  private holding(
    name: string,
    lockKey: string,
    uncleanKey: string,
    [token, unclean, fresh]: [number, number, number],
    leaseMs: number,
  ): { lease: Lease; release(): Promise<void> } {
    let held = true;
    let expiresAt = Date.now() + leaseMs;
    const renewal = setInterval(
      () => {
        const asked = Date.now();
        this.redis.commands.eval(RENEW, 1, lockKey, token, leaseMs).then(
          (renewed) => {
            if (renewed !== 0) expiresAt = asked + leaseMs;
            else if (held) {
              held = false;
              this.logger.warn(`Lost the lease on ${name} while working`);
            }
          },
          (error: unknown) =>
            this.logger.warn(`Could not renew the lease on ${name}: ${String(error)}`),
        );
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    renewal.unref();
    return {
      lease: {
        name,
        token,
        inheritedUnclean: unclean === 1,
        fresh: fresh === 1,
        leaseMs,
        held: () => held && Date.now() < expiresAt,
      },
      release: async () => {
        clearInterval(renewal);
        held = false;
        await this.redis.commands
          .eval(RELEASE, 2, lockKey, uncleanKey, token)
          .catch((error: unknown) =>
            this.logger.warn(`Could not release ${name} (it expires by itself): ${String(error)}`),
          );
      },
    };
  }
}
