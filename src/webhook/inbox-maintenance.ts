import { Inject, Injectable } from '@nestjs/common';
import { webhookConfig, type WebhookConfig } from '../config/webhook.config';
import { MaintenanceTasks } from '../queue/maintenance';
import { InboxQueue } from './inbox-queue';
import { WebhookInboxRepository } from './webhook-inbox.repository';
import { conversationKeyOf, parseStoredPayload, type ParsedUpdate } from './webhook-payload.parser';

/** How often processed entries past retention are purged. */
const PURGE_EVERY_MS = 10 * 60 * 1000;
/** Entries without a conversation key routed per sweep. */
const UNROUTED_PER_SWEEP = 1000;

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

  /**
   * Enqueues the conversations with entries due for longer than the grace period; how many.
   * Entries stored without a conversation key (by an earlier version) get theirs first.
   */
  async sweep(now = new Date()): Promise<number> {
    const routed = await this.routeUnrouted(now);
    await this.queue.enqueue(routed);
    return (
      routed.length +
      (await this.enqueueDueBefore(new Date(now.getTime() - this.config.sweepGraceMs)))
    );
  }

  /** Enqueues the conversations with unfinished entries due at `cutoff` or earlier; how many. */
  async enqueueDueBefore(cutoff: Date): Promise<number> {
    const keys = await this.inbox.conversationsDueBefore(cutoff);
    await this.queue.enqueue(keys);
    return keys.length;
  }

  /** Gives unrouted entries their conversation key; the keys given. */
  private async routeUnrouted(now: Date): Promise<string[]> {
    const keys: string[] = [];
    for (const entry of await this.inbox.findUnrouted(UNROUTED_PER_SWEEP)) {
      let parsed: ParsedUpdate;
      try {
        parsed = parseStoredPayload(entry.payload, now.getTime());
      } catch {
        await this.inbox.ignoreUnrouted(entry._id, 'The stored payload is not valid JSON', now);
        continue;
      }
      if (parsed.event === null) await this.inbox.ignoreUnrouted(entry._id, parsed.reason, now);
      else {
        const key = conversationKeyOf(parsed.event);
        await this.inbox.route(entry._id, key, parsed.event.timestamp, now);
        keys.push(key);
      }
    }
    return keys;
  }

  /** Deletes done and ignored entries older than the retention; how many. */
  purgeExpired(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.retentionHours * 60 * 60 * 1000);
    return this.inbox.purgeProcessedBefore(cutoff);
  }
}
