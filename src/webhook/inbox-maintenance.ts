import { Inject, Injectable } from '@nestjs/common';
import { webhookConfig, type WebhookConfig } from '../config/webhook.config';
import { MaintenanceTasks } from '../queue/maintenance';
import { InboxQueue, type WaitingEntry } from './inbox-queue';
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
   * Enqueues again the entries due for longer than the grace period; how many conversations
   * they belong to. Entries stored without a conversation key (by an earlier version) get
   * theirs first.
   */
  async sweep(now = new Date()): Promise<number> {
    const routed = await this.routeUnrouted(now);
    await this.queue.enqueue(routed);
    const keys = new Set(routed.map((entry) => entry.conversationKey));
    for (const key of await this.enqueueDueBefore(
      new Date(now.getTime() - this.config.sweepGraceMs),
    )) {
      keys.add(key);
    }
    return keys.size;
  }

  /** Enqueues the unfinished entries due at `cutoff` or earlier; their conversations. */
  async enqueueDueBefore(cutoff: Date): Promise<Set<string>> {
    const entries = await this.inbox.findUnfinishedDueBefore(cutoff);
    await this.queue.enqueue(
      entries.map(({ _id, conversationKey, eventAt }) => ({
        id: _id.toHexString(),
        conversationKey,
        eventAt: eventAt ?? cutoff,
      })),
    );
    return new Set(entries.map((entry) => entry.conversationKey));
  }

  /** Gives unrouted entries their conversation key; the entries routed. */
  private async routeUnrouted(now: Date): Promise<WaitingEntry[]> {
    const routed: WaitingEntry[] = [];
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
        routed.push({
          id: entry._id.toHexString(),
          conversationKey: key,
          eventAt: parsed.event.timestamp,
        });
      }
    }
    return routed;
  }

  /** Deletes done and ignored entries older than the retention; how many. */
  purgeExpired(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.retentionHours * 60 * 60 * 1000);
    return this.inbox.purgeProcessedBefore(cutoff);
  }
}
