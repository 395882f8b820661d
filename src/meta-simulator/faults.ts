import { GraphError, graphError } from './simulator-http';
import { SIMULATED_APP } from './state';

/** Faults the control API injects into Graph calls: Meta errors, latency and an app rate limit. */

export interface FailureRule {
  method?: string;
  /** A string matches paths ending with it; a RegExp is tested against the full path. */
  path?: string | RegExp;
  /** How many matching requests fail; default 1, `Infinity` for all. */
  times?: number;
  status: number;
  error: { message: string; type?: string; code: number; error_subcode?: number };
  headers?: Record<string, string>;
}

export class Faults {
  private rules: (FailureRule & { remaining: number })[] = [];
  private latencyMs = 0;
  private rateLimit: number | undefined;
  private callTimes: number[] = [];

  failNext(rule: FailureRule): void {
    this.rules.push({ ...rule, remaining: rule.times ?? 1 });
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  setRateLimit(callsPerSecond: number | undefined): void {
    this.rateLimit = callsPerSecond;
    this.callTimes = [];
  }

  /** Waits as long as the latency set. */
  async delay(): Promise<void> {
    if (this.latencyMs <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs).unref());
  }

  /**
   * Throws the error of the first failure rule matching the call, else Meta's
   * code 4 throttling error when the call is over the rate limit.
   */
  check(method: string, path: string): void {
    this.applyFailureRules(method, path);
    this.applyRateLimit();
  }

  clear(): void {
    this.rules = [];
    this.latencyMs = 0;
    this.rateLimit = undefined;
    this.callTimes = [];
  }

  snapshot(): Record<string, unknown> {
    return {
      latencyMs: this.latencyMs,
      rateLimit: this.rateLimit ?? null,
      pendingFailures: this.rules.map((r) => ({ ...r, path: r.path?.toString() })),
    };
  }

  private applyFailureRules(method: string, path: string): void {
    const index = this.rules.findIndex(
      (rule) =>
        (rule.method === undefined || rule.method.toUpperCase() === method) &&
        (rule.path === undefined ||
          (typeof rule.path === 'string' ? path.endsWith(rule.path) : rule.path.test(path))),
    );
    if (index < 0) return;
    const rule = this.rules[index];
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(index, 1);
    throw new GraphError(rule.status, rule.error, rule.headers);
  }

  private applyRateLimit(): void {
    if (this.rateLimit === undefined) return;
    const now = Date.now();
    this.callTimes = this.callTimes.filter((t) => now - t < 1000);
    if (this.callTimes.length >= this.rateLimit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((this.callTimes[0] + 1000 - now) / 1000));
      const usage = { call_count: 100, total_cputime: 100, total_time: 100 };
      throw graphError(429, 4, '(#4) Application request limit reached', {
        headers: {
          'x-app-usage': JSON.stringify(usage),
          'x-business-use-case-usage': JSON.stringify({
            [SIMULATED_APP.id]: [
              { type: 'instagram', ...usage, estimated_time_to_regain_access: 0 },
            ],
          }),
          'retry-after': String(retryAfterSeconds),
        },
      });
    }
    this.callTimes.push(now);
  }
}
