import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ForbiddenError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
} from '../common/errors';
import { metaConfig, type MetaConfig } from '../config/meta.config';
import { webhookConfig, type WebhookConfig } from '../config/webhook.config';
import type { InboxProblemDto, InboxStatsDto } from './dto/inbox-stats.dto';
import { InboxQueue } from './inbox-queue';
import {
  WebhookInboxRepository,
  type InboxProblem,
  type NewInboxEntry,
  type StoredInboxEntry,
} from './webhook-inbox.repository';
import {
  draftsFromWebhook,
  MalformedWebhookError,
  type InboxDraft,
} from './webhook-payload.parser';
import { isValidWebhookSignature, safeEqual } from './webhook-signature';

/** A Meta verification challenge: a plain token, never anything that could be markup. */
const CHALLENGE_PATTERN = /^[A-Za-z0-9._~-]{1,256}$/;
const RECENT_PROBLEMS = 20;
const INBOX_UNAVAILABLE = 'The webhook inbox is unavailable, retry later';
/** How long a delivery waits for Redis to take its jobs before it is answered anyway. */
const ENQUEUE_WAIT_MS = 1000;
/** Longest wait for a slow database that still answers pings. */
const MAX_STORE_WAIT_MS = 20_000;
/** How long a ping of the database may take before the database counts as unreachable. */
const PING_WAIT_MS = 1000;

@Injectable()
export class WebhookService {
  private readonly logger = new Logger(WebhookService.name);
  private readonly secrets: string[];

  constructor(
    @Inject(metaConfig.KEY) private readonly meta: MetaConfig,
    @Inject(webhookConfig.KEY) private readonly config: WebhookConfig,
    private readonly inbox: WebhookInboxRepository,
    private readonly queue: InboxQueue,
  ) {
    this.secrets = [meta.appSecret, meta.instagramAppSecret].filter(
      (secret): secret is string => secret !== undefined && secret !== '',
    );
    if (this.secrets.length === 0) {
      this.logger.warn('META_APP_SECRET is not set: every webhook delivery will be refused');
    }
  }

  /** Meta's subscription handshake: the challenge when mode and verify token match. */
  verifySubscription(mode: unknown, token: unknown, challenge: unknown): string {
    if (
      mode !== 'subscribe' ||
      typeof token !== 'string' ||
      !safeEqual(token, this.meta.verifyToken)
    ) {
      throw new ForbiddenError('Webhook verification failed');
    }
    if (typeof challenge !== 'string' || !CHALLENGE_PATTERN.test(challenge)) {
      throw new ValidationError('hub.challenge must be a plain token', [
        {
          field: 'hub.challenge',
          messages: ['must be 1 to 256 letters, digits, ".", "_", "~" or "-"'],
        },
      ]);
    }
    return challenge;
  }

  /**
   * Verifies the signature, then stores every update of the delivery in the
   * inbox before returning, so an acknowledged update is never lost, and
   * enqueues the job of each conversation it touches. Meta is never called
   * here. The database not answering within `storeTimeoutMs` is a 503 (Meta
   * delivers again); Redis not answering only delays processing (the sweep
   * enqueues the stored entries later).
   */
  async receive(
    rawBody: Buffer | undefined,
    signature: string | undefined,
    body: unknown,
  ): Promise<void> {
    if (!rawBody || !isValidWebhookSignature(rawBody, signature, this.secrets)) {
      throw new UnauthorizedError('Invalid or missing X-Hub-Signature-256');
    }
    let parsed: { object: string; drafts: InboxDraft[] };
    try {
      parsed = draftsFromWebhook(body, Date.now());
    } catch (error) {
      if (!(error instanceof MalformedWebhookError)) throw error;
      throw new ValidationError('Malformed webhook payload', [
        { field: 'body', messages: [error.message] },
      ]);
    }
    if (parsed.object !== 'instagram') {
      this.logger.debug(`Ignoring a webhook delivery for object "${parsed.object}"`);
      return;
    }
    const now = new Date();
    const stored = await this.store(parsed.drafts.map((draft) => toEntry(draft, now)));
    await this.enqueue(stored);
  }

  /**
   * Stores the entries. Each time `storeTimeoutMs` passes without an answer, the database
   * is pinged: when it does not answer (down, or cut off) the delivery fails with 503, so
   * Meta delivers it again; a database that answers is only slow, and is waited for up to
   * {@link MAX_STORE_WAIT_MS}. A store that completes after a 503 still enqueues its
   * entries (the redelivery then adds nothing).
   */
  private async store(entries: NewInboxEntry[]): Promise<StoredInboxEntry[]> {
    const insert = this.inbox.insertNew(entries);
    const deadline = Date.now() + MAX_STORE_WAIT_MS;
    try {
      do {
        const stored = await within(insert, this.config.storeTimeoutMs);
        if (stored !== TIMED_OUT) return stored;
      } while (Date.now() < deadline && (await this.databaseAnswers()));
    } catch (error) {
      this.logger.error({ err: error }, 'Could not store a webhook delivery');
      throw new ServiceUnavailableError(INBOX_UNAVAILABLE);
    }
    this.logger.warn('The database did not store a webhook delivery in time: answered 503');
    insert.then(
      (late) => this.enqueue(late),
      (error: unknown) =>
        this.logger.error({ err: error }, 'Could not store a webhook delivery answered 503'),
    );
    throw new ServiceUnavailableError(INBOX_UNAVAILABLE);
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      return (await within(this.inbox.ping(), PING_WAIT_MS)) !== TIMED_OUT;
    } catch {
      return false;
    }
  }

  /** Enqueues the conversations of the stored entries; never fails the delivery. */
  private async enqueue(stored: StoredInboxEntry[]): Promise<void> {
    const waiting = stored.flatMap((entry) =>
      entry.status !== 'pending' || entry.conversationKey === null
        ? []
        : [
            {
              id: entry._id.toHexString(),
              conversationKey: entry.conversationKey,
              eventAt: entry.eventAt ?? entry.receivedAt,
              update: { kind: entry.kind, payload: entry.payload },
            },
          ],
    );
    if (waiting.length === 0) return;
    try {
      if ((await within(this.queue.enqueue(waiting), ENQUEUE_WAIT_MS)) === TIMED_OUT) {
        this.logger.warn('Redis did not take the inbox jobs in time; the sweep enqueues them');
      }
    } catch (error) {
      this.logger.warn(
        `Could not enqueue inbox jobs (the sweep enqueues them): ${describe(error)}`,
      );
    }
  }

  async stats(): Promise<InboxStatsDto> {
    const [counts, problems] = await Promise.all([
      this.inbox.countByStatus(),
      this.inbox.recentProblems(RECENT_PROBLEMS),
    ]);
    return {
      counts,
      failed: problems.failed.map(toProblem),
      retrying: problems.retrying.map(toProblem),
    };
  }
}

function toEntry(draft: InboxDraft, now: Date): NewInboxEntry {
  const base = {
    dedupeKey: draft.dedupeKey,
    kind: draft.kind,
    accountMetaId: draft.accountMetaId,
    conversationKey: draft.conversationKey,
    eventAt: draft.eventAt,
    payload: draft.payload,
    receivedAt: now,
    attempts: 0,
  };
  if (draft.ignoredReason !== undefined) {
    return {
      ...base,
      status: 'ignored',
      lastError: draft.ignoredReason,
      nextAttemptAt: null,
      processedAt: now,
    };
  }
  return { ...base, status: 'pending', lastError: null, nextAttemptAt: now, processedAt: null };
}

const TIMED_OUT = Symbol('timed out');

/** The promise's value, or {@link TIMED_OUT} when it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toProblem(problem: InboxProblem): InboxProblemDto {
  return {
    id: String(problem._id),
    kind: problem.kind,
    status: problem.status,
    attempts: problem.attempts,
    lastError: problem.lastError,
    receivedAt: problem.receivedAt,
    nextAttemptAt: problem.nextAttemptAt,
    processedAt: problem.processedAt,
  };
}
