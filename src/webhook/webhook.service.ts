import { Inject, Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../common/errors';
import { metaConfig, type MetaConfig } from '../config/meta.config';
import { webhookConfig, type WebhookConfig } from '../config/webhook.config';
import type { InboxProblemDto, InboxStatsDto } from './dto/inbox-stats.dto';
import { InboxWorker } from './inbox-worker';
import {
  WebhookInboxRepository,
  type InboxProblem,
  type NewInboxEntry,
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

@Injectable()
export class WebhookService {
  private readonly logger = new Logger(WebhookService.name);
  private readonly secrets: string[];

  constructor(
    @Inject(metaConfig.KEY) private readonly meta: MetaConfig,
    @Inject(webhookConfig.KEY) private readonly config: WebhookConfig,
    private readonly inbox: WebhookInboxRepository,
    private readonly worker: InboxWorker,
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
   * inbox before returning, so an acknowledged update is never lost. Meta is
   * never called here: processing happens in the inbox worker.
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
    const processable = parsed.drafts.filter((draft) => draft.ignoredReason === undefined).length;
    const handover = processable > 0 && this.worker.acceptsHandover(processable);
    const stored = await this.inbox.insertNew(
      parsed.drafts.map((draft) => this.toEntry(draft, now, handover)),
    );
    if (handover) this.worker.enqueue(stored.filter((entry) => entry.status === 'processing'));
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

  private toEntry(draft: InboxDraft, now: Date, handover: boolean): NewInboxEntry {
    const base = {
      _id: new Types.ObjectId(),
      dedupeKey: draft.dedupeKey,
      kind: draft.kind,
      accountMetaId: draft.accountMetaId,
      payload: draft.payload,
      receivedAt: now,
    };
    if (draft.ignoredReason !== undefined) {
      return {
        ...base,
        status: 'ignored',
        attempts: 0,
        lastError: draft.ignoredReason,
        nextAttemptAt: null,
        claimedAt: null,
        processedAt: now,
      };
    }
    return {
      ...base,
      status: handover ? 'processing' : 'pending',
      attempts: handover ? 1 : 0,
      lastError: null,
      nextAttemptAt: handover ? new Date(now.getTime() + this.config.claimTimeoutMs) : now,
      claimedAt: handover ? now : null,
      processedAt: null,
    };
  }
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
