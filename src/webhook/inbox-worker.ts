import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { Types } from 'mongoose';
import { TtlCache } from '../common/cache/ttl-cache';
import { webhookConfig, type WebhookConfig } from '../config/webhook.config';
import { AccountsGateway } from '../instagram-accounts/accounts.gateway';
import type { InstagramAccountRef } from '../instagram-accounts/instagram-account-ref';
import {
  MessageIngestionService,
  TargetMessageNotFoundError,
} from '../messages/message-ingestion.service';
import type { MessagingEvent } from '../messages/messaging-events';
import { WebhookInboxRepository, type ClaimedEntry } from './webhook-inbox.repository';
import { messageEntryKeys, parseStoredPayload, type ParsedUpdate } from './webhook-payload.parser';

/** How often processed entries past retention are purged. */
const PURGE_EVERY_MS = 10 * 60 * 1000;
/** Longest wait between two attempts of an entry. */
const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
/** Entries handed over in memory beyond this many wait in the database for the poll instead. */
const MAX_QUEUE_BATCHES = 10;
const UNKNOWN_ACCOUNT = 'No connected account for this Meta id (unknown or removed)';
const TARGET_NEVER_STORED =
  'The message it names was never stored (sent before the account was connected, or unknown)';

type Outcome =
  | { status: 'done' }
  | { status: 'ignored'; reason: string }
  | { status: 'retry'; error: unknown; final: 'failed' | 'ignored' };

type AccountLookups = Map<string, InstagramAccountRef | null | Error>;

/** Entries taken together; their outcomes are recorded once all are processed. */
interface Batch {
  entries: number;
  outcomes: Map<ClaimedEntry, Outcome>;
  /** Conversation tasks of the batch not finished yet. */
  remaining: number;
}

/** The events of one conversation within a batch, in the order they are applied. */
interface Task {
  key: string;
  items: { entry: ClaimedEntry; event: MessagingEvent }[];
  accounts: AccountLookups;
  batch: Batch;
}

/**
 * Processes webhook inbox entries. Entries stored by this process are handed
 * over in memory and processed at once; a poll every `pollIntervalMs` picks up
 * the rest (retries that became due, entries of a process that died, entries
 * stored while the worker was off). Events of one conversation are applied in
 * order; different conversations run `concurrency` at a time. Failures are
 * retried with exponential backoff and jitter, up to `maxAttempts`.
 */
@Injectable()
export class InboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InboxWorker.name);
  private readonly queue: ClaimedEntry[] = [];
  /** Meta ids already reported as naming no account (each is warned about once). */
  private readonly unknownAccounts = new TtlCache<string, true>({ maxEntries: 10_000 });
  private timer?: NodeJS.Timeout;
  private started = false;
  private stopping = false;
  private running = false;
  private rerun = false;
  private pollRequested = false;
  private idle: Promise<void> = Promise.resolve();
  private purging: Promise<void> = Promise.resolve();
  /** Processed entries whose `done` mark is not written yet (written in batches). */
  private readonly processed: Types.ObjectId[] = [];
  /** Conversation tasks waiting for a free slot or for the conversation's previous task. */
  private readonly ready: Task[] = [];
  /** Conversations with a running task. */
  private readonly busy = new Set<string>();
  private active = 0;
  /** Entries taken and not recorded yet. */
  private inProgress = 0;
  private onChange?: () => void;
  private flushing: Promise<void> = Promise.resolve();
  private lastPurgeAt = 0;

  constructor(
    @Inject(webhookConfig.KEY) private readonly config: WebhookConfig,
    private readonly inbox: WebhookInboxRepository,
    private readonly accounts: AccountsGateway,
    private readonly ingestion: MessageIngestionService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.workerEnabled) return;
    this.started = true;
    this.timer = setInterval(() => this.poll(), this.config.pollIntervalMs);
    this.timer.unref();
    this.poll();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.started = false;
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([this.idle, this.purging]);
    await this.flushProcessed();
    const unprocessed = this.queue.splice(0).map((entry) => entry._id);
    await this.inbox.release(unprocessed, new Date()).catch((error: unknown) => {
      this.logger.error({ err: error }, 'Could not release unprocessed inbox entries');
    });
    await this.ingestion.settled();
  }

  /** Whether entries stored now should be claimed by this process and handed over in memory. */
  acceptsHandover(count: number): boolean {
    return this.started && this.queue.length + count <= this.config.batchSize * MAX_QUEUE_BATCHES;
  }

  /** Entries this process stored already claimed; processed right away. */
  enqueue(entries: ClaimedEntry[]): void {
    if (entries.length === 0) return;
    this.queue.push(...entries);
    this.wake();
  }

  /**
   * Processes until nothing is due (retries scheduled for later stay pending),
   * including background work started by the processing. Works with the
   * worker disabled too.
   */
  async drain(): Promise<void> {
    do {
      this.pollRequested = true;
      this.wake();
      await this.idle;
    } while (!this.stopping && (this.running || this.queue.length > 0 || this.pollRequested));
    await this.flushProcessed();
    await this.ingestion.settled();
  }

  /** Deletes done and ignored entries older than the retention. */
  async purgeExpired(now = new Date()): Promise<number> {
    this.lastPurgeAt = now.getTime();
    const cutoff = new Date(now.getTime() - this.config.retentionHours * 60 * 60 * 1000);
    return this.inbox.purgeProcessedBefore(cutoff);
  }

  private poll(): void {
    this.pollRequested = true;
    this.wake();
    void this.flushProcessed();
    if (Date.now() - this.lastPurgeAt >= PURGE_EVERY_MS) {
      this.purging = this.purgeExpired().then(
        () => undefined,
        (error: unknown) => this.logger.error({ err: error }, 'Purging the webhook inbox failed'),
      );
    }
  }

  private wake(): void {
    if (this.running) {
      this.rerun = true;
      this.notify();
      return;
    }
    this.running = true;
    this.idle = this.loop();
  }

  /**
   * Keeps up to `concurrency` conversations running: whenever a slot is free
   * and fewer than `batchSize` entries are in progress, takes the next due
   * entries. Ends once nothing is due and everything taken is recorded.
   */
  private async loop(): Promise<void> {
    try {
      for (;;) {
        this.rerun = false;
        this.startReady();
        if (this.active < this.config.concurrency && this.inProgress < this.config.batchSize) {
          const batch = await this.nextBatch();
          if (batch.length > 0) {
            await this.take(batch);
            continue;
          }
        }
        if (this.rerun) continue;
        if (this.inProgress === 0) break;
        await this.changed();
      }
    } catch (error) {
      this.logger.error({ err: error }, 'Webhook inbox worker pass failed');
      while (this.inProgress > 0) await this.changed();
    } finally {
      this.running = false;
    }
  }

  private async nextBatch(): Promise<ClaimedEntry[]> {
    if (this.stopping) return [];
    if (this.queue.length > 0) return this.queue.splice(0, this.config.batchSize);
    if (!this.pollRequested) return [];
    const claimed: ClaimedEntry[] = [];
    while (claimed.length < this.config.batchSize) {
      const entry = await this.inbox.claimNext(new Date(), this.config.claimTimeoutMs);
      if (!entry) break;
      claimed.push(entry);
    }
    if (claimed.length < this.config.batchSize) this.pollRequested = false;
    return claimed;
  }

  /**
   * Groups the entries taken together by conversation, ordered by timestamp
   * then message id, resolves their accounts once and queues one task per
   * conversation behind the tasks already queued for it.
   */
  private async take(entries: ClaimedEntry[]): Promise<void> {
    this.inProgress += entries.length;
    const batch: Batch = { entries: entries.length, outcomes: new Map(), remaining: 0 };
    const groups = new Map<string, { entry: ClaimedEntry; event: MessagingEvent }[]>();
    const now = Date.now();
    for (const entry of entries) {
      let parsed: ParsedUpdate;
      try {
        parsed = parseStoredPayload(entry.payload, now);
      } catch {
        batch.outcomes.set(entry, {
          status: 'ignored',
          reason: 'The stored payload is not valid JSON',
        });
        continue;
      }
      if (!parsed.event) {
        batch.outcomes.set(entry, { status: 'ignored', reason: parsed.reason });
        continue;
      }
      const key = `${parsed.event.accountMetaId}|${parsed.event.participantId}`;
      const group = groups.get(key) ?? [];
      group.push({ entry, event: parsed.event });
      groups.set(key, group);
    }
    if (groups.size === 0) {
      this.settle(batch);
      return;
    }
    const accounts = await this.resolveAccounts(groups.values());
    batch.remaining = groups.size;
    for (const [key, items] of groups) {
      items.sort(
        (a, b) =>
          a.event.timestamp.getTime() - b.event.timestamp.getTime() ||
          compareIds(a.event.messageId, b.event.messageId),
      );
      this.ready.push({ key, items, accounts, batch });
    }
    this.startReady();
  }

  /** Starts queued tasks, oldest first, while slots are free; one task per conversation at a time. */
  private startReady(): void {
    for (let i = 0; i < this.ready.length && this.active < this.config.concurrency;) {
      const task = this.ready[i];
      if (this.busy.has(task.key)) {
        i++;
        continue;
      }
      this.ready.splice(i, 1);
      this.active++;
      this.busy.add(task.key);
      void this.run(task);
    }
  }

  private async run(task: Task): Promise<void> {
    try {
      for (const { entry, event } of task.items) {
        const account = task.accounts.get(event.accountMetaId);
        task.batch.outcomes.set(entry, await this.apply(account, event));
      }
    } finally {
      this.active--;
      this.busy.delete(task.key);
      this.startReady();
      task.batch.remaining--;
      if (task.batch.remaining === 0) this.settle(task.batch);
      else this.notify();
    }
  }

  /** Records the outcomes of entries taken together once all of them are processed. */
  private settle(batch: Batch): void {
    void this.record(batch.outcomes).finally(() => {
      this.inProgress -= batch.entries;
      this.notify();
    });
  }

  /** Resolves once a task ended, a batch was recorded or new work arrived. */
  private changed(): Promise<void> {
    return new Promise((resolve) => {
      this.onChange = resolve;
    });
  }

  private notify(): void {
    const resolve = this.onChange;
    this.onChange = undefined;
    resolve?.();
  }

  /** The account of each Meta id: null when none is connected, the error when the lookup failed. */
  private async resolveAccounts(
    groups: Iterable<{ event: MessagingEvent }[]>,
  ): Promise<AccountLookups> {
    const ids = new Set<string>();
    for (const group of groups) for (const { event } of group) ids.add(event.accountMetaId);
    const lookups = [...ids].map(
      async (id): Promise<[string, InstagramAccountRef | null | Error]> => {
        try {
          return [id, await this.accounts.findRefForWebhook(id)];
        } catch (error) {
          return [id, error instanceof Error ? error : new Error(String(error))];
        }
      },
    );
    return new Map(await Promise.all(lookups));
  }

  private async apply(
    account: InstagramAccountRef | null | Error | undefined,
    event: MessagingEvent,
  ): Promise<Outcome> {
    if (account === null) {
      this.reportUnknownAccount(event.accountMetaId);
      return { status: 'ignored', reason: UNKNOWN_ACCOUNT };
    }
    if (account === undefined || account instanceof Error) {
      return { status: 'retry', error: account ?? new Error('No account lookup'), final: 'failed' };
    }
    try {
      await this.ingestion.ingest(account, event);
      return { status: 'done' };
    } catch (error) {
      if (!(error instanceof TargetMessageNotFoundError)) {
        return { status: 'retry', error, final: 'failed' };
      }
      return this.missingTarget(account, event, error);
    }
  }

  /**
   * A reaction, read, edit or deletion whose message is not stored: retried
   * while that message's own update waits in the inbox (pending, or being
   * processed, here or by another process); ignored at once otherwise: no
   * update of that message was received (it was sent before the account was
   * connected, for example). A message taken in the same batch with an earlier
   * timestamp is applied first (a conversation's events run in timestamp
   * order), so it is stored by then.
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

  private async record(outcomes: Map<ClaimedEntry, Outcome>): Promise<void> {
    const now = new Date();
    const ignored = new Map<string, Types.ObjectId[]>();
    const writes: Promise<void>[] = [];
    for (const [entry, outcome] of outcomes) {
      if (outcome.status === 'done') this.processed.push(entry._id);
      else if (outcome.status === 'ignored') {
        ignored.set(outcome.reason, [...(ignored.get(outcome.reason) ?? []), entry._id]);
      } else writes.push(this.recordFailure(entry, outcome, now));
    }
    if (this.processed.length >= this.config.batchSize) writes.push(this.flushProcessed());
    for (const [reason, ids] of ignored) writes.push(this.inbox.markIgnored(ids, reason, now));
    const results = await Promise.allSettled(writes);
    for (const result of results) {
      if (result.status === 'rejected') {
        this.logger.error({ err: result.reason as unknown }, 'Could not record inbox outcomes');
      }
    }
  }

  /**
   * Writes the pending `done` marks in one update. Until then a processed entry
   * stays claimed; if the process dies first it is processed again after its
   * claim expires, which changes nothing (every event is applied idempotently).
   */
  private flushProcessed(): Promise<void> {
    const ids = this.processed.splice(0);
    if (ids.length === 0) return this.flushing;
    const write = this.inbox.markDone(ids, new Date()).catch((error: unknown) => {
      this.logger.error({ err: error }, 'Could not mark processed inbox entries done');
    });
    this.flushing = Promise.all([this.flushing, write]).then(() => undefined);
    return this.flushing;
  }

  private async recordFailure(
    entry: ClaimedEntry,
    outcome: Extract<Outcome, { status: 'retry' }>,
    now: Date,
  ): Promise<void> {
    const message = describe(outcome.error);
    if (entry.attempts < this.config.maxAttempts) {
      const delay = this.retryDelay(entry.attempts);
      if (outcome.final === 'failed') {
        this.logger.warn(
          `Inbox entry ${String(entry._id)} (${entry.kind}) failed, attempt ${entry.attempts}/${this.config.maxAttempts}: ${message}; retry in ${delay} ms`,
        );
      }
      await this.inbox.scheduleRetry(entry._id, message, new Date(now.getTime() + delay));
      return;
    }
    if (outcome.final === 'ignored') {
      await this.inbox.markIgnored([entry._id], message, now);
      return;
    }
    this.logger.error(
      `Inbox entry ${String(entry._id)} (${entry.kind}) failed for good after ${entry.attempts} attempts: ${message}`,
    );
    await this.inbox.markFailed(entry._id, message, now);
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

/** Order of message ids as the conversation's tie-break compares them. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 1000);
}
