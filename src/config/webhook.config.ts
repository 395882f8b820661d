import { registerAs } from '@nestjs/config';
import { EnvReader } from './env';

export interface WebhookConfig {
  /** Largest accepted webhook body (Meta batches up to 1,000 updates). */
  bodyLimitBytes: number;
  /**
   * How long storing a delivery waits before checking that the database answers; a database
   * that does not is answered 503 (Meta delivers again).
   */
  storeTimeoutMs: number;
  /** How many inbox entries of one conversation a job takes at a time. */
  batchSize: number;
  /** Attempts of one inbox entry before it is marked failed. */
  maxAttempts: number;
  retryBaseDelayMs: number;
  /** Unfinished entries due longer than this are enqueued again by the sweep (their job was lost). */
  sweepGraceMs: number;
  /** How often the sweep runs (once per period across all instances). */
  sweepIntervalMs: number;
  /** Receipts (which refuse redeliveries) and ignored entries are purged after this many hours. */
  retentionHours: number;
  /** Conversations one worker process applies at the same time. */
  concurrency: number;
  /**
   * How long the outcomes `done` and `ignored` wait to be written together (one round trip
   * for all entries applied meanwhile). Keep it far below `sweepGraceMs`: until written, an
   * entry counts as unfinished.
   */
  outcomeFlushMs: number;
}

export function loadWebhookConfig(): WebhookConfig {
  const env = new EnvReader();
  return env.done({
    bodyLimitBytes: env.int('WEBHOOK_BODY_LIMIT_BYTES', 10 * 1024 * 1024, { min: 1024 }),
    storeTimeoutMs: env.int('WEBHOOK_STORE_TIMEOUT_MS', 3000, { min: 100 }),
    batchSize: env.int('WEBHOOK_BATCH_SIZE', 100, { min: 1, max: 1000 }),
    maxAttempts: env.int('WEBHOOK_MAX_ATTEMPTS', 8, { min: 1 }),
    retryBaseDelayMs: env.int('WEBHOOK_RETRY_BASE_DELAY_MS', 2000, { min: 0 }),
    sweepGraceMs: env.int('WEBHOOK_SWEEP_GRACE_MS', 60_000, { min: 0 }),
    sweepIntervalMs: env.int('WEBHOOK_SWEEP_INTERVAL_MS', 30_000, { min: 1000 }),
    retentionHours: env.int('WEBHOOK_RETENTION_HOURS', 72, { min: 1 }),
    concurrency: env.int('WEBHOOK_CONCURRENCY', 8, { min: 1, max: 100 }),
    outcomeFlushMs: env.int('WEBHOOK_OUTCOME_FLUSH_MS', 1000, { min: 10, max: 10_000 }),
  });
}

export const webhookConfig = registerAs('webhook', loadWebhookConfig);
