import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisConnections } from './redis-connections';

/** `limit` calls per `periodMs`, in bursts of at most `burst` (default: the whole limit). */
export interface Pace {
  limit: number;
  periodMs: number;
  burst?: number;
}

/** The slot is further away than the caller is willing to wait; nothing was reserved. */
export class PaceExceededError extends Error {
  constructor(readonly waitMs: number) {
    super(`The next slot is ${waitMs} ms away`);
    this.name = 'PaceExceededError';
  }
}

/**
 * GCRA on the server's clock. KEYS: the pace's key. ARGV: emission interval ms, tolerance ms,
 * longest acceptable wait ms (-1: any). → wait ms (slot reserved), or -(wait ms) - 1 when the
 * wait is longer than acceptable (nothing reserved).
 */
const RESERVE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
if maxWait >= 0 and wait > maxWait then return -wait - 1 end
local nextTat = tat + interval
redis.call('SET', KEYS[1], nextTat, 'PX', math.ceil(nextTat - now + tolerance) + 1000)
return wait`;

/**
 * Paces calls shared by every instance (Meta's per-account limits): each call reserves the next
 * slot of its key in Redis (a generic cell rate algorithm: bursts up to `burst`, then evenly
 * spaced) and waits for it. Callers that must not wait long pass `maxWaitMs` and get
 * {@link PaceExceededError} instead of a reservation.
 */
@Injectable()
export class Pacer {
  constructor(private readonly redis: RedisConnections) {}

  /** Reserves a slot and waits for it; returns how long it waited. */
  async acquire(key: string, pace: Pace, maxWaitMs?: number): Promise<number> {
    const wait = await this.reserve(key, pace, maxWaitMs);
    if (wait > 0) await sleep(wait);
    return wait;
  }

  /** Reserves a slot without waiting for it; returns its distance in ms. */
  async reserve(key: string, pace: Pace, maxWaitMs?: number): Promise<number> {
    const interval = pace.periodMs / pace.limit;
    const tolerance = interval * (Math.max(1, pace.burst ?? pace.limit) - 1);
    const result = Number(
      await this.redis.commands.eval(
        RESERVE,
        1,
        this.redis.key('pace', key),
        interval,
        tolerance,
        maxWaitMs === undefined ? -1 : Math.max(0, Math.floor(maxWaitMs)),
      ),
    );
    if (result < 0) throw new PaceExceededError(-result - 1);
    return result;
  }
}
