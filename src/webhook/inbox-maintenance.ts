import { Inject, Injectable } from '@nestjs/common';
import { webhookConfig, type WebhookConfig } from '../config/webhook.config';
import { MaintenanceTasks } from '../queue/maintenance';
import { InboxQueue } from './inbox-queue';
import { WebhookInboxRepository } from './webhook-inbox.repository';

/** How often processed entries past retention are purged. */
const PURGE_EVERY_MS = 10 * 60 * 1000;

/**
 * Scheduled upkeep of the webhook inbox, once per period across the cluster: the sweep
 * enqueues again the conversations of entries left unfinished past a grace period (their job
 * was lost: Redis restarted empty or was unreachable when they were stored, or the job gave
 * up), and the purge deletes processed entries past retention.
 */
@Injectable()
export class InboxMaintenance {
  constructor(
    @Inject(webhookConfig.KEY) private readonly config: WebhookConfig,
    private readonly inbox: WebhookInboxRepository,
    private readonly queue: InboxQueue,
    tasks: MaintenanceTasks,
  ) {
    tasks.register({
      name: 'webhook-inbox-sweep',
      everyMs: config.sweepIntervalMs,
      run: () => this.sweep(),
    });
    tasks.register({
      name: 'webhook-inbox-purge',
      everyMs: PURGE_EVERY_MS,
      run: () => this.purgeExpired(),
    });
  }

  /** Enqueues the conversations with entries due for longer than the grace period; how many. */
  sweep(now = new Date()): Promise<number> {
    return this.enqueueDueBefore(new Date(now.getTime() - this.config.sweepGraceMs));
  }

  /** Enqueues the conversations with unfinished entries due at `cutoff` or earlier; how many. */
  async enqueueDueBefore(cutoff: Date): Promise<number> {
    const keys = await this.inbox.conversationsDueBefore(cutoff);
    await this.queue.enqueue(keys);
    return keys.length;
  }

  /** Deletes done and ignored entries older than the retention; how many. */
  purgeExpired(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.retentionHours * 60 * 60 * 1000);
    return this.inbox.purgeProcessedBefore(cutoff);
  }
}
