import { WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { TtlCache } from '../common/cache/ttl-cache';
import { webhookConfig, type WebhookConfig } from '../config/webhook.config';
import {
  ConversationLock,
  StaleConversationWriteError,
  conversationKey,
} from '../conversations/conversation-lock';
import { AccountsGateway } from '../instagram-accounts/accounts.gateway';
import type { InstagramAccountRef } from '../instagram-accounts/instagram-account-ref';
import {
  MessageIngestionService,
  TargetMessageNotFoundError,
} from '../messages/message-ingestion.service';
import type { MessagingEvent } from '../messages/messaging-events';
import { MetricsService } from '../metrics/metrics.service';
import { QueueProcessor } from '../queue/queue-processor.decorator';
import { QUEUES } from '../queue/queue-names';
import type { Lease } from '../redis/cluster-lock';
import { InboxQueue, type ConversationJobData } from './inbox-queue';
import {
  WebhookInboxRepository,
  type InboxEntryId,
  type TakenEntry,
} from './webhook-inbox.repository';
import {
  messageEntryKeys,
  parseConversationKey,
  parseStoredPayload,
  type ParsedUpdate,
} from './webhook-payload.parser';

/** Batches of entries one job applies before a follow-up job of the conversation continues. */
const BATCHES_PER_JOB = 10;
/** Longest wait between two attempts of an entry. */
const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
const UNKNOWN_ACCOUNT = 'No connected account for this Meta id (unknown or removed)';
const TARGET_NEVER_STORED =
  'The message it names was never stored (sent before the account was connected, or unknown)';

export type Outcome =
  | { status: 'done' }
  | { status: 'ignored'; reason: string }
  | { status: 'retry'; error: unknown; final: 'failed' | 'ignored'; event?: MessagingEvent };

/** The lease on the conversation ended while its job was applying entries. */
export class LeaseLostError extends Error {
  constructor(name: string) {
    super(`The lease on ${name} ended; the next job of the conversation continues`);
    this.name = 'LeaseLostError';
  }
}

/**
 * The job of one conversation: under the conversation's cluster-wide lease, takes its due
 * inbox entries (oldest Meta timestamp first), applies them one after another and records
 * each outcome under the lease's fencing token — done, ignored, retried later (a delayed
 * BullMQ job) or failed after the last attempt. Different conversations run in parallel,
 * `concurrency` per worker process.
 */
@QueueProcessor(QUEUES.inbox)
export class InboxProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(InboxProcessor.name);
  /** Meta ids already reported as naming no account (each is warned about once). */
  private readonly unknownAccounts = new TtlCache<string, true>({ maxEntries: 10_000 });

  constructor(
    @Inject(webhookConfig.KEY) private readonly config: WebhookConfig,
    private readonly inbox: WebhookInboxRepository,
    private readonly queue: InboxQueue,
    private readonly accounts: AccountsGateway,
    private readonly ingestion: MessageIngestionService,
    private readonly lock: ConversationLock,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.concurrency;
  }

  async process(job: Job<ConversationJobData>): Promise<void> {
    const { key } = job.data;
    const { accountMetaId, participantId } = parseConversationKey(key);
    const account = await this.accounts.findRefForWebhook(accountMetaId);
    if (!account) {
      if ((await this.inbox.ignoreDue(key, UNKNOWN_ACCOUNT, new Date())) > 0) {
        this.reportUnknownAccount(accountMetaId);
      }
      return;
    }
    await this.lock.run(conversationKey(account.id, participantId), (lease) =>
      this.drain(key, account, lease),
    );
  }

  /**
   * Applies the conversation's due entries, batch after batch, until none is left; after
   * {@link BATCHES_PER_JOB} batches a follow-up job continues, so a long backlog neither holds
   * a worker slot from other conversations nor delays a shutdown for long.
   */
  private async drain(key: string, account: InstagramAccountRef, lease: Lease): Promise<void> {
    for (let batch = 0; ; batch++) {
      if (!lease.held()) throw new LeaseLostError(lease.name);
      if (batch === BATCHES_PER_JOB) {
        await this.queue.enqueue([key]);
        return;
      }
      const entries = await this.inbox.takeDue(key, lease.token, new Date(), this.config.batchSize);
      if (entries.length === 0) return;
      const outcomes = new Map<TakenEntry, Outcome>();
      for (const { entry, parsed } of inApplyOrder(entries)) {
        if (!lease.held()) break;
        outcomes.set(entry, await this.apply(account, parsed, lease));
      }
      await this.record(key, account, lease.token, outcomes);
    }
  }

  /** A write refused under a newer lease means this job's lease was taken over: it stops. */
  private async apply(
    account: InstagramAccountRef,
    parsed: ParsedUpdate | null,
    lease: Lease,
  ): Promise<Outcome> {
    if (parsed === null)
      return { status: 'ignored', reason: 'The stored payload is not valid JSON' };
    const event = parsed.event;
    if (event === null) return { status: 'ignored', reason: parsed.reason };
    try {
      const stored = await this.ingestion.ingest(account, event, lease.token);
      if (stored) this.metrics.ingestLag((Date.now() - event.timestamp.getTime()) / 1000);
      return { status: 'done' };
    } catch (error) {
      if (error instanceof StaleConversationWriteError) throw new LeaseLostError(lease.name);
      if (!(error instanceof TargetMessageNotFoundError)) {
        return { status: 'retry', error, final: 'failed', event };
      }
      return this.missingTarget(account, event, error);
    }
  }

  /**
   * A reaction, read, edit or deletion whose message is not stored: retried while that
   * message's own update waits in the inbox; ignored at once otherwise (no update of that
   * message was received: it was sent before the account was connected, for example). A
   * message of the same conversation with an earlier timestamp is applied first, so it is
   * stored by then.
   */
  private async missingTarget(
    account: InstagramAccountRef,
    event: MessagingEvent,
    error: TargetMessageNotFoundError,
  ): Promise<Outcome> {
    const ids = [event.accountMetaId, account.instagramBusinessId];
    if (account.pageId) ids.push(account.pageId);
    try {
      if (await this.inbox.hasUnprocessed(messageEntryKeys(ids, error.messageId))) {
        return { status: 'retry', error, final: 'ignored' };
      }
    } catch (lookup) {
      return { status: 'retry', error: lookup, final: 'failed' };
    }
    return { status: 'ignored', reason: TARGET_NEVER_STORED };
  }

  /** Writes the outcomes under the lease's token; schedules the conversation's next retry. */
  private async record(
    key: string,
    account: InstagramAccountRef,
    token: number,
    outcomes: Map<TakenEntry, Outcome>,
  ): Promise<void> {
    const now = new Date();
    const done: InboxEntryId[] = [];
    const ignored = new Map<string, InboxEntryId[]>();
    const writes: Promise<void>[] = [];
    let nextRetry: Date | undefined;
    for (const [entry, outcome] of outcomes) {
      if (outcome.status === 'done') done.push(entry._id);
      else if (outcome.status === 'ignored') {
        ignored.set(outcome.reason, [...(ignored.get(outcome.reason) ?? []), entry._id]);
      } else if (entry.attempts < this.config.maxAttempts) {
        const at = new Date(now.getTime() + this.retryDelay(entry.attempts));
        if (outcome.final === 'failed') {
          this.logger.warn(
            `Inbox entry ${String(entry._id)} (${entry.kind}) failed, attempt ${entry.attempts}/${this.config.maxAttempts}: ${describe(outcome.error)}; retry at ${at.toISOString()}`,
          );
        }
        writes.push(this.inbox.scheduleRetry(entry._id, token, describe(outcome.error), at));
        if (nextRetry === undefined || at < nextRetry) nextRetry = at;
      } else if (outcome.final === 'ignored') {
        writes.push(this.inbox.markIgnored([entry._id], token, describe(outcome.error), now));
      } else {
        this.logger.error(
          `Inbox entry ${String(entry._id)} (${entry.kind}) failed for good after ${entry.attempts} attempts: ${describe(outcome.error)}`,
        );
        writes.push(this.giveUp(entry, account, token, outcome, now));
      }
    }
    writes.push(this.inbox.markDone(done, token, now));
    for (const [reason, ids] of ignored)
      writes.push(this.inbox.markIgnored(ids, token, reason, now));
    await Promise.all(writes);
    if (nextRetry) await this.queue.retryAt(key, nextRetry);
  }

  /**
   * Marks the entry failed; a message it stored without applying its effects is removed
   * first, so an update that failed for good leaves nothing half applied.
   */
  private async giveUp(
    entry: TakenEntry,
    account: InstagramAccountRef,
    token: number,
    outcome: Extract<Outcome, { status: 'retry' }>,
    now: Date,
  ): Promise<void> {
    if (outcome.event) await this.ingestion.discardUnapplied(account, outcome.event);
    await this.inbox.markFailed(entry._id, token, describe(outcome.error), now);
  }

  /** Exponential backoff with jitter: base · 2^(attempt-1), between half and all of it. */
  private retryDelay(attempt: number): number {
    const ceiling = Math.min(MAX_RETRY_DELAY_MS, this.config.retryBaseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  private reportUnknownAccount(metaId: string): void {
    if (this.unknownAccounts.has(metaId)) return;
    this.unknownAccounts.set(metaId, true);
    this.logger.warn(`Dropping webhook updates for ${metaId}: no connected account has this id`);
  }
}

/**
 * The entries with their parsed events, in the order they are applied: Meta timestamp, then
 * message id (the tie-break the conversation's newest message uses). An entry whose payload
 * does not parse comes first, with `parsed` null.
 */
function inApplyOrder(entries: TakenEntry[]): { entry: TakenEntry; parsed: ParsedUpdate | null }[] {
  const now = Date.now();
  const items = entries.map((entry) => {
    try {
      return { entry, parsed: parseStoredPayload(entry.payload, now) };
    } catch {
      return { entry, parsed: null };
    }
  });
  return items.sort((a, b) => {
    const x = a.parsed?.event;
    const y = b.parsed?.event;
    if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
    return (
      x.timestamp.getTime() - y.timestamp.getTime() ||
      (x.messageId < y.messageId ? -1 : x.messageId > y.messageId ? 1 : 0)
    );
  });
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 1000);
}
