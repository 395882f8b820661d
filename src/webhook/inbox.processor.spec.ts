import type { Job } from 'bullmq';
import { Types } from 'mongoose';
import type { WebhookConfig } from '../config/webhook.config';
import type { ConversationLock } from '../conversations/conversation-lock';
import type { ConversationsService } from '../conversations/conversations.service';
import type { AccountsGateway } from '../instagram-accounts/accounts.gateway';
import { inboundMessage, reaction, webhookBatch } from '../meta-simulator/webhook-events';
import {
  TargetMessageNotFoundError,
  type MessageIngestionService,
} from '../messages/message-ingestion.service';
import type { MessagingEvent } from '../messages/messaging-events';
import type { MetricsService } from '../metrics/metrics.service';
import type { Lease } from '../redis/cluster-lock';
import type { InboxOutcomes } from './inbox-outcomes';
import type { ConversationJobData, DueEntry, InboxQueue } from './inbox-queue';
import { InboxProcessor, LeaseLostError, type TakenEntry } from './inbox.processor';
import type { WebhookInboxRepository } from './webhook-inbox.repository';
import { draftsFromWebhook, type StoredUpdate } from './webhook-payload.parser';

const ACCOUNT = '17841400000000001';
const USER = '6100000000000001';
const KEY = `${ACCOUNT}|${USER}`;
const NOW = Date.UTC(2026, 2, 10, 12);
const TOKEN = 7;

const config: WebhookConfig = {
  bodyLimitBytes: 1024 * 1024,
  storeTimeoutMs: 3000,
  batchSize: 10,
  maxAttempts: 3,
  retryBaseDelayMs: 1000,
  sweepGraceMs: 60_000,
  sweepIntervalMs: 30_000,
  retentionHours: 72,
  concurrency: 2,
  outcomeFlushMs: 1000,
};

function taken(event: StoredUpdate['event'], attempts = 1): TakenEntry {
  const [draft] = draftsFromWebhook(
    webhookBatch([{ id: ACCOUNT, messaging: [event as never] }]),
    NOW,
  ).drafts;
  return {
    id: new Types.ObjectId().toHexString(),
    payload: draft.payload,
    attempts,
    kind: draft.kind,
  };
}

function message(mid: string, timestamp: number, attempts = 1): TakenEntry {
  return taken(inboundMessage({ account: ACCOUNT, from: USER, mid, timestamp }), attempts);
}

/** A reaction of the participant to the message `mid`. */
function reactionTo(mid: string): TakenEntry {
  return taken(reaction({ account: ACCOUNT, from: USER, mid, action: 'react', reaction: 'love' }));
}

/** The entries as Redis hands them to the conversation's job. */
function due(entries: TakenEntry[]): DueEntry[] {
  return entries.map(({ id, attempts, kind, payload }) => ({
    id,
    attempts,
    update: { kind, payload },
  }));
}

function setup(entries: TakenEntry[], leaseChanges: Partial<Lease> = {}) {
  const applied: string[] = [];
  let held = true;
  const lease: Lease = {
    name: 'conversation:x',
    token: TOKEN,
    inheritedUnclean: false,
    fresh: false,
    leaseMs: 15_000,
    held: () => held,
    ...leaseChanges,
  };
  const inbox = {
    findUnfinished: jest.fn().mockResolvedValue({ found: [], gone: [] }),
    ignoreWaiting: jest.fn().mockResolvedValue(1),
    scheduleRetry: jest.fn().mockResolvedValue(undefined),
    giveUp: jest.fn().mockResolvedValue(undefined),
    hasUnprocessed: jest.fn().mockResolvedValue(false),
  };
  const outcomes = { done: jest.fn(), ignored: jest.fn() };
  const queue = {
    takeDue: jest.fn().mockResolvedValueOnce(due(entries)).mockResolvedValue([]),
    finished: jest.fn().mockResolvedValue(undefined),
    retry: jest.fn().mockResolvedValue(undefined),
    continueLater: jest.fn().mockResolvedValue(undefined),
    uncount: jest.fn().mockResolvedValue(undefined),
  };
  const accounts = {
    findRefForWebhook: jest
      .fn()
      .mockResolvedValue({ id: 'account', instagramBusinessId: ACCOUNT, userId: 'owner' }),
  };
  const ingestion = {
    ingest: jest.fn((_account: unknown, event: MessagingEvent) => {
      if (event.messageId.startsWith('missing'))
        throw new TargetMessageNotFoundError(event.messageId);
      if (event.messageId.startsWith('broken')) throw new Error('unreadCount is not a number');
      if (event.messageId.startsWith('last')) held = false;
      applied.push(event.messageId);
      return Promise.resolve(true);
    }),
    discardUnapplied: jest.fn().mockResolvedValue(undefined),
  };
  const conversations = { writtenUnderLeaseSince: jest.fn().mockResolvedValue(false) };
  const lock = {
    run: jest.fn((_key: string, work: (lease: Lease) => Promise<unknown>) => work(lease)),
  };
  const processor = new InboxProcessor(
    config,
    inbox as unknown as WebhookInboxRepository,
    outcomes as unknown as InboxOutcomes,
    queue as unknown as InboxQueue,
    accounts as unknown as AccountsGateway,
    ingestion as unknown as MessageIngestionService,
    conversations as unknown as ConversationsService,
    lock as unknown as ConversationLock,
    { ingestLag: jest.fn() } as unknown as MetricsService,
  );
  const run = () => processor.process({ data: { key: KEY } } as Job<ConversationJobData>);
  return { run, applied, inbox, outcomes, queue, accounts, ingestion, conversations, lock };
}

describe('InboxProcessor', () => {
  it('applies the conversation’s due entries in Meta-timestamp order (then by mid) under its lease and records them done', async () => {
    const later = message('m-3', NOW + 2000);
    const tie = message('m-2', NOW + 1000);
    const first = message('m-1', NOW + 1000);
    const { run, applied, inbox, outcomes, queue, lock, ingestion } = setup([later, tie, first]);
    await run();
    expect(lock.run).toHaveBeenCalledWith(`account:${USER}`, expect.any(Function));
    expect(applied).toEqual(['m-1', 'm-2', 'm-3']);
    expect(ingestion.ingest).toHaveBeenCalledWith(expect.anything(), expect.anything(), TOKEN);
    expect(queue.takeDue).toHaveBeenCalledWith(KEY, config.batchSize, expect.any(Date));
    expect(inbox.findUnfinished).not.toHaveBeenCalled();
    expect(outcomes.done.mock.calls).toEqual(
      expect.arrayContaining([later.id, tie.id, first.id].map((id) => [id])),
    );
    expect(queue.finished).toHaveBeenCalledWith(
      KEY,
      expect.arrayContaining([later.id, tie.id, first.id]),
    );
  });

  it('reads back by id the updates Redis no longer holds, with the attempts both counted, and stops waiting for finished ones', async () => {
    const stored = message('m-1', NOW, 2);
    const { run, applied, inbox, queue } = setup([]);
    queue.takeDue.mockReset();
    queue.takeDue
      .mockResolvedValueOnce([
        { id: stored.id, attempts: 1, update: null },
        { id: 'finished', attempts: 1, update: null },
      ])
      .mockResolvedValue([]);
    inbox.findUnfinished.mockResolvedValue({
      found: [
        {
          _id: new Types.ObjectId(stored.id),
          kind: stored.kind,
          payload: stored.payload,
          attempts: 2,
        },
      ],
      gone: ['finished'],
    });
    await run();
    expect(inbox.findUnfinished).toHaveBeenCalledWith([stored.id, 'finished']);
    expect(queue.finished).toHaveBeenCalledWith(KEY, ['finished']);
    expect(applied).toEqual(['m-1']);
  });

  it('ignores at once an event whose target message has no update waiting', async () => {
    const missing = reactionTo('missing-1');
    const { run, inbox, outcomes, queue } = setup([missing]);
    await run();
    expect(inbox.hasUnprocessed).toHaveBeenCalledWith(expect.arrayContaining([expect.any(String)]));
    expect(outcomes.ignored).toHaveBeenCalledWith(
      missing.id,
      1,
      expect.stringMatching(/never stored/),
    );
    expect(inbox.scheduleRetry).not.toHaveBeenCalled();
    expect(queue.retry).toHaveBeenCalledWith(KEY, []);
  });

  it('retries an event whose target message still waits in the inbox with a delayed job', async () => {
    const missing = reactionTo('missing-2');
    const { run, inbox, outcomes, queue } = setup([missing]);
    inbox.hasUnprocessed.mockResolvedValue(true);
    await run();
    expect(inbox.scheduleRetry).toHaveBeenCalledWith(
      missing.id,
      1,
      expect.stringMatching(/No stored message/),
      expect.any(Date),
    );
    const at = inbox.scheduleRetry.mock.calls[0][3] as Date;
    expect(queue.retry).toHaveBeenCalledWith(KEY, [{ id: missing.id, at }]);
    expect(queue.finished).toHaveBeenCalledWith(KEY, []);
    expect(outcomes.ignored).not.toHaveBeenCalled();
  });

  it('gives an entry up after its last attempt and removes the message it left unapplied', async () => {
    const broken = message('broken-1', NOW, config.maxAttempts);
    const { run, inbox, ingestion, queue } = setup([broken]);
    await run();
    expect(ingestion.discardUnapplied).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'account' }),
      expect.objectContaining({ messageId: 'broken-1' }),
    );
    expect(inbox.giveUp).toHaveBeenCalledWith(
      broken.id,
      'failed',
      config.maxAttempts,
      expect.stringMatching(/unreadCount/),
      expect.any(Date),
    );
    expect(queue.retry).toHaveBeenCalledWith(KEY, []);
    expect(queue.finished).toHaveBeenCalledWith(KEY, [broken.id]);
  });

  it('stops applying once the lease ended and fails the job, leaving the rest to the next holder', async () => {
    const next = message('m-2', NOW + 1000);
    const { run, applied, queue, outcomes } = setup([message('last-1', NOW), next]);
    await expect(run()).rejects.toBeInstanceOf(LeaseLostError);
    expect(applied).toEqual(['last-1']);
    expect(queue.takeDue).toHaveBeenCalledTimes(1);
    expect(outcomes.done).toHaveBeenCalledTimes(1);
    // The attempt of the entry left to the next holder is not counted against it.
    expect(queue.uncount).toHaveBeenCalledWith(KEY, [next.id]);
  });

  it('does not count an attempt whose outcome the database could not record', async () => {
    const missing = reactionTo('missing-3');
    const { run, inbox, queue } = setup([missing]);
    inbox.hasUnprocessed.mockResolvedValue(true);
    inbox.scheduleRetry.mockRejectedValue(new Error('connection refused'));
    await expect(run()).rejects.toThrow('connection refused');
    expect(queue.uncount).toHaveBeenCalledWith(KEY, [missing.id]);
    expect(queue.finished).not.toHaveBeenCalledWith(KEY, [missing.id]);
  });

  it('waits two lease periods before writing when Redis did not remember the lease of a conversation written recently', async () => {
    const { run, applied, conversations } = setup([message('m-1', NOW)], {
      fresh: true,
      leaseMs: 100,
    });
    conversations.writtenUnderLeaseSince.mockResolvedValue(true);
    const started = Date.now();
    await run();
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(applied).toEqual(['m-1']);
    const since = conversations.writtenUnderLeaseSince.mock.calls[0][2] as Date;
    expect(Date.now() - since.getTime()).toBeGreaterThanOrEqual(60 * 60 * 1000);
  });

  it('does not wait on the first lease of a conversation never written', async () => {
    const { run, applied, conversations } = setup([message('m-1', NOW)], {
      fresh: true,
      leaseMs: 60_000,
    });
    await run();
    expect(conversations.writtenUnderLeaseSince).toHaveBeenCalled();
    expect(applied).toEqual(['m-1']);
  });

  it('leaves a long backlog to a follow-up job of the conversation after ten batches', async () => {
    const { run, queue, applied } = setup([]);
    let n = 0;
    queue.takeDue.mockReset();
    queue.takeDue.mockImplementation(() => Promise.resolve(due([message(`m-${n++}`, NOW + n)])));
    await run();
    expect(applied).toHaveLength(10);
    expect(queue.continueLater).toHaveBeenCalledWith(KEY);
  });

  it('ignores the waiting entries of an account that is not connected without taking the lease', async () => {
    const entry = message('m-1', NOW);
    const { run, inbox, queue, accounts, lock, applied } = setup([entry]);
    accounts.findRefForWebhook.mockResolvedValue(null);
    await run();
    expect(inbox.ignoreWaiting).toHaveBeenCalledWith(
      [entry.id],
      expect.stringMatching(/account/),
      expect.any(Date),
    );
    expect(queue.finished).toHaveBeenCalledWith(KEY, [entry.id]);
    expect(applied).toEqual([]);
    expect(lock.run).not.toHaveBeenCalled();
  });
});
