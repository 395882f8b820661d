import { WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { TtlCache } from '../common/cache/ttl-cache';
import { webhookConfig, type WebhookConfig } from '../config/webhook.config';
import {
  ConversationLock,
  StaleConversationWriteError,
  conversationKey,
} from '../conversations/conversation-lock';
import { ConversationsService } from '../conversations/conversations.service';
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
import { InboxOutcomes } from './inbox-outcomes';
import { InboxQueue, type ConversationJobData } from './inbox-queue';
import type { InboxKind } from './schemas/webhook-inbox-entry.schema';
import { WebhookInboxRepository } from './webhook-inbox.repository';
import {
  messageEntryKeys,
  parseConversationKey,
  parseStoredPayload,
  type ParsedUpdate,
} from './webhook-payload.parser';

/**
 * A conversation written under a lease acquired this recently may still have a holder from
 * before Redis lost its data; older ones have none (a job takes far less).
 */
const RECENT_WRITER_MS = 60 * 60 * 1000;
/** Batches of entries one job applies before a follow-up job of the conversation continues. */
const BATCHES_PER_JOB = 10;
/** Later than any retry: every waiting entry is due. */
const FOREVER = new Date(8.64e15);
/** Longest wait between two attempts of an entry. */
const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
const UNKNOWN_ACCOUNT = 'No connected account for this Meta id (unknown or removed)';
const TARGET_NEVER_STORED =
  'The message it names was never stored (sent before the account was connected, or unknown)';

/** An entry the conversation's job applies now. */
export interface TakenEntry {
  /** The entry's `_id`, as hex. */
  id: string;
  kind: InboxKind;
  payload: string;
  /** Attempts started, this one included. */
  attempts: number;
}

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
 * inbox entries (oldest Meta timestamp first), applies them one after another (every write of
 * the conversation carries the lease's fencing token) and records each outcome — done,
 * ignored, retried later (a delayed BullMQ job) or given up after the last attempt. Different
 * conversations run in parallel, `concurrency` per worker process.
 */
@QueueProcessor(QUEUES.inbox)
export class InboxProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(InboxProcessor.name);
  /** Meta ids already reported as naming no account (each is warned about once). */
  private readonly unknownAccounts = new TtlCache<string, true>({ maxEntries: 10_000 });

  constructor(
    @Inject(webhookConfig.KEY) private readonly config: WebhookConfig,
    private readonly inbox: WebhookInboxRepository,
    private readonly outcomes: InboxOutcomes,
    private readonly queue: InboxQueue,
    private readonly accounts: AccountsGateway,
    private readonly ingestion: MessageIngestionService,
    private readonly conversations: ConversationsService,
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
      await this.ignoreWaiting(key, accountMetaId);
      return;
    }
    await this.lock.run(conversationKey(account.id, participantId), async (lease) => {
      await this.outwaitEarlierHolder(account, participantId, lease);
      await this.drain(key, account, lease);
    });
  }

  /**
   * A lease Redis did not remember (it lost its data) on a conversation written recently: a
   * holder from before may still be writing until its own lease runs out, and the development
   * database can lose one of two concurrent updates of one document. The job waits that out
   * before writing (the lease is renewed meanwhile). A conversation's first lease waits for
   * nothing: it was never written.
   */
  private async outwaitEarlierHolder(
    account: InstagramAccountRef,
    participantId: string,
    lease: Lease,
  ): Promise<void> {
    if (!lease.fresh) return;
    const since = new Date(Date.now() - RECENT_WRITER_MS);
    if (!(await this.conversations.writtenUnderLeaseSince(account, participantId, since))) return;
    // One lease period for the earlier holder to stop, one more for a write it sent to land.
    const wait = 2 * lease.leaseMs;
    this.logger.warn(
      `The lease on ${lease.name} was not remembered (Redis lost its data?): waiting ${wait} ms for an earlier holder`,
    );
    await sleep(wait);
  }

  /** The entries of a conversation whose account is not connected: ignored, nothing written. */
  private async ignoreWaiting(key: string, accountMetaId: string): Promise<void> {
    for (;;) {
      const ids = (await this.queue.takeDue(key, this.config.batchSize, FOREVER)).map(
        (entry) => entry.id,
      );
      if (ids.length === 0) return;
      if ((await this.inbox.ignoreWaiting(ids, UNKNOWN_ACCOUNT, new Date())) > 0) {
        this.reportUnknownAccount(accountMetaId);
      }
      await this.queue.finished(key, ids);
    }
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
        await this.queue.continueLater(key);
        return;
      }
      const { taken, gone } = await this.take(key);
      await this.queue.finished(key, gone);
      if (taken.length === 0) {
        if (gone.length === 0) return;
        continue;
      }
      const outcomes = new Map<TakenEntry, Outcome>();
      try {
        for (const { entry, parsed } of inApplyOrder(taken)) {
          if (!lease.held()) break;
          outcomes.set(entry, await this.apply(account, parsed, lease));
        }
        await this.record(key, account, outcomes);
      } catch (error) {
        await this.notAttempted(key, taken);
        throw error;
      }
      await this.notAttempted(
        key,
        taken.filter((entry) => !outcomes.has(entry)),
      );
    }
  }

  /**
   * The entries were taken but their attempt was not made or not recorded (the lease ended,
   * or the database or Redis failed): it does not count against their attempts. Only a process
   * that dies while applying an entry leaves the attempt counted.
   */
  private async notAttempted(key: string, entries: TakenEntry[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.queue.uncount(
        key,
        entries.map((entry) => entry.id),
      );
    } catch (error) {
      this.logger.warn(
        `Could not give back the attempts of ${entries.length} inbox entries: ${describe(error)}`,
      );
    }
  }

  /**
   * The conversation's due entries with their updates: from Redis, or read by `_id` where
   * Redis lost them (then only those still unfinished; `gone` names the others).
   */
  private async take(key: string): Promise<{ taken: TakenEntry[]; gone: string[] }> {
    const due = await this.queue.takeDue(key, this.config.batchSize, new Date());
    const taken: TakenEntry[] = [];
    const unknown = new Map<string, number>();
    for (const { id, attempts, update } of due) {
      if (update) taken.push({ id, attempts, ...update });
      else unknown.set(id, attempts);
    }
    if (unknown.size === 0) return { taken, gone: [] };
    const { found, gone } = await this.inbox.findUnfinished([...unknown.keys()]);
    for (const entry of found) {
      const id = entry._id.toHexString();
      taken.push({
        id,
        kind: entry.kind,
        payload: entry.payload,
        attempts: entry.attempts + (unknown.get(id) ?? 1),
      });
    }
    return { taken, gone };
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

  /**
   * Records the outcomes: done and ignored in batches with other jobs' ({@link InboxOutcomes}),
   * retries and give-ups at once. The entries that are finished stop waiting, and those
   * retried wait for their next attempt.
   */
  private async record(
    key: string,
    account: InstagramAccountRef,
    outcomes: Map<TakenEntry, Outcome>,
  ): Promise<void> {
    const now = new Date();
    const retries: { id: string; at: Date }[] = [];
    const finished: string[] = [];
    for (const [entry, outcome] of outcomes) {
      const { id } = entry;
      if (outcome.status === 'done') this.outcomes.done(id);
      else if (outcome.status === 'ignored') {
        this.outcomes.ignored(id, entry.attempts, outcome.reason);
      } else if (entry.attempts < this.config.maxAttempts) {
        const at = new Date(now.getTime() + this.retryDelay(entry.attempts));
        if (outcome.final === 'failed') {
          this.logger.warn(
            `Inbox entry ${entry.id} (${entry.kind}) failed, attempt ${entry.attempts}/${this.config.maxAttempts}: ${describe(outcome.error)}; retry at ${at.toISOString()}`,
          );
        }
        await this.inbox.scheduleRetry(id, entry.attempts, describe(outcome.error), at);
        retries.push({ id, at });
        continue;
      } else {
        if (outcome.final === 'failed') {
          // A message it stored without applying its effects is removed, so an update that
          // failed for good leaves nothing half applied.
          this.logger.error(
            `Inbox entry ${entry.id} (${entry.kind}) failed for good after ${entry.attempts} attempts: ${describe(outcome.error)}`,
          );
          if (outcome.event) await this.ingestion.discardUnapplied(account, outcome.event);
        }
        await this.inbox.giveUp(id, outcome.final, entry.attempts, describe(outcome.error), now);
      }
      finished.push(id);
    }
    await this.queue.finished(key, finished);
    await this.queue.retry(key, retries);
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
