import { compare, hash } from 'bcrypt';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface BcryptLimit {
  cost: number;
  /** Comparisons kept running at once: one per core. */
  parallel: number;
  comparisons: number;
  seconds: number;
  perSecond: number;
}

/**
 * The most logins per second this machine can verify: bcrypt comparisons at the given cost
 * with every core busy (one comparison per core in flight on the libuv thread pool, as the
 * API runs them). Measured in this process while the API is idle.
 */
export async function measureBcryptLimit(cost: number, durationMs: number): Promise<BcryptLimit> {
  const password = 'bench-password-for-the-bcrypt-limit';
  const stored = await hash(password, cost);
  const parallel = cpus().length;
  await compare(password, stored);
  let comparisons = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (performance.now() < deadline) {
        await compare(password, stored);
        comparisons += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { cost, parallel, comparisons, seconds, perSecond: comparisons / seconds };
}

/** The limit measured before and after the login run (the machine's speed drifts). */
export function combineBcryptLimits(before: BcryptLimit, after: BcryptLimit): BcryptLimit {
  const comparisons = before.comparisons + after.comparisons;
  const seconds = before.seconds + after.seconds;
  return { ...before, comparisons, seconds, perSecond: comparisons / seconds };
}
