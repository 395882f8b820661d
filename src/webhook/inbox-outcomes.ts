import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { webhookConfig, type WebhookConfig } from '../config/webhook.config';
import { WebhookInboxRepository } from './webhook-inbox.repository';

/** Outcomes written in one round trip at most. */
const MAX_PER_WRITE = 1000;

type Outcome = { status: 'done' } | { status: 'ignored'; attempts: number; reason: string };

/**
 * Writes the outcomes `done` (the entry leaves the inbox) and `ignored` of inbox entries in
 * batches: one round trip for every entry finished in the last `WEBHOOK_OUTCOME_FLUSH_MS`
 * instead of one each (on the embedded database every write reads the whole inbox). Both are
 * facts whoever records them (an entry is recorded done only after its effects were applied
 * under the conversation's lease; ignored only for what its content decides), so a write needs
 * no token and may come late. An outcome lost with its process (a crash before the write)
 * leaves its entry unfinished: the sweep enqueues it again and applying it again changes
 * nothing.
 */
@Injectable()
export class InboxOutcomes implements OnApplicationShutdown {
  private readonly logger = new Logger(InboxOutcomes.name);
  private pending = new Map<string, Outcome>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(webhookConfig.KEY) private readonly config: WebhookConfig,
    private readonly inbox: WebhookInboxRepository,
  ) {}

  /** The entry (hex id) was applied. */
  done(id: string): void {
    this.pending.set(id, { status: 'done' });
    this.schedule();
  }

  /** The entry (hex id) is ignored for this reason, at its `attempts`-th attempt. */
  ignored(id: string, attempts: number, reason: string): void {
    this.pending.set(id, { status: 'ignored', attempts, reason });
    this.schedule();
  }

  /** Resolves once every outcome recorded so far is written (or failed to be). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.writing = this.writing.then(() => this.write(batch));
    await this.writing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private schedule(): void {
    if (this.pending.size >= MAX_PER_WRITE) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.config.outcomeFlushMs);
  }

  private async write(batch: Map<string, Outcome>): Promise<void> {
    if (batch.size === 0) return;
    const at = new Date();
    // One write per distinct outcome (nearly always one: done).
    const groups = new Map<string, { outcome: Outcome; ids: string[] }>();
    for (const [id, outcome] of batch) {
      const key = JSON.stringify(outcome);
      const group = groups.get(key) ?? { outcome, ids: [] };
      group.ids.push(id);
      groups.set(key, group);
    }
    try {
      for (const { outcome, ids } of groups.values()) {
        if (outcome.status === 'done') await this.inbox.removeApplied(ids);
        else await this.inbox.markIgnored(ids, outcome.attempts, outcome.reason, at);
      }
    } catch (error) {
      this.logger.warn(
        `Could not record ${batch.size} inbox outcomes (the sweep applies their entries again): ${String(error)}`,
      );
    }
  }
}
