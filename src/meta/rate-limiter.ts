import { setTimeout as sleep } from 'node:timers/promises';

interface Bucket {
  /** Available calls; negative when calls are already queued for later slots. */
  tokens: number;
  updatedAt: number;
}

/** Buckets kept before idle, full ones are dropped. */
const SWEEP_THRESHOLD = 1000;

/**
 * Per-key token bucket pacing outbound calls to `ratePerSecond`, with bursts up
 * to one second's worth. Callers over the rate are delayed until their slot,
 * never rejected, and are served in arrival order.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
  }

  /** Waits until `key` may make one more call. */
  async acquire(key: string): Promise<void> {
    const delayMs = this.reserve(key);
    if (delayMs > 0) await sleep(delayMs);
  }

  /** Takes the next slot for `key` and returns how long to wait for it (ms). */
  reserve(key: string): number {
    const now = this.now();
    const capacity = this.ratePerSecond;
    const bucket = this.buckets.get(key) ?? { tokens: capacity, updatedAt: now };
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(capacity, bucket.tokens + (elapsed * this.ratePerSecond) / 1000);
    bucket.updatedAt = now;
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > SWEEP_THRESHOLD) this.sweep(now);
    return bucket.tokens >= 0 ? 0 : Math.ceil((-bucket.tokens * 1000) / this.ratePerSecond);
  }

  /** Number of keys currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const refilled = bucket.tokens + ((now - bucket.updatedAt) * this.ratePerSecond) / 1000;
      if (refilled >= this.ratePerSecond) this.buckets.delete(key);
    }
  }
}
