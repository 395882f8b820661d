import { registerAs } from '@nestjs/config';
import { EnvReader } from './env';

export interface WebhookConfig {
  /** Largest accepted webhook body (Meta batches up to 1,000 updates). */
  bodyLimitBytes: number;
  /** How many inbox entries one worker pass claims. */
  batchSize: number;
  /** Idle poll interval of the inbox worker. */
  pollIntervalMs: number;
  maxAttempts: number;
  retryBaseDelayMs: number;
  /** A claimed entry whose worker died is reclaimed after this long. */
  claimTimeoutMs: number;
  /** Processed entries are purged after this many hours. */
  retentionHours: number;
  /** Run the inbox worker in this process. */
  workerEnabled: boolean;
  /** Conversations the worker processes at the same time (events of one conversation run in order). */
  concurrency: number;
}

export function loadWebhookConfig(): WebhookConfig {
  const env = new EnvReader();
  return env.done({
    bodyLimitBytes: env.int('WEBHOOK_BODY_LIMIT_BYTES', 10 * 1024 * 1024, { min: 1024 }),
    batchSize: env.int('WEBHOOK_BATCH_SIZE', 100, { min: 1, max: 1000 }),
    pollIntervalMs: env.int('WEBHOOK_POLL_INTERVAL_MS', 1000, { min: 10 }),
    maxAttempts: env.int('WEBHOOK_MAX_ATTEMPTS', 8, { min: 1 }),
    retryBaseDelayMs: env.int('WEBHOOK_RETRY_BASE_DELAY_MS', 2000, { min: 0 }),
    claimTimeoutMs: env.int('WEBHOOK_CLAIM_TIMEOUT_MS', 60_000, { min: 100 }),
    retentionHours: env.int('WEBHOOK_RETENTION_HOURS', 72, { min: 1 }),
    workerEnabled: env.bool('WEBHOOK_WORKER_ENABLED', true),
    concurrency: env.int('WEBHOOK_CONCURRENCY', 8, { min: 1, max: 100 }),
  });
}

export const webhookConfig = registerAs('webhook', loadWebhookConfig);
