import type { Job } from 'bullmq';
import { Types } from 'mongoose';
import type { WebhookConfig } from '../config/webhook.config';
import type { ConversationLock } from '../conversations/conversation-lock';
import type { AccountsGateway } from '../instagram-accounts/accounts.gateway';
import { inboundMessage, reaction, webhookBatch } from '../meta-simulator/webhook-events';
import {
  TargetMessageNotFoundError,
  type MessageIngestionService,
} from '../messages/message-ingestion.service';
import type { MessagingEvent } from '../messages/messaging-events';
import type { MetricsService } from '../metrics/metrics.service';
import type { Lease } from '../redis/cluster-lock';
import type { ConversationJobData, InboxQueue } from './inbox-queue';
import { InboxProcessor, LeaseLostError } from './inbox.processor';
import type { TakenEntry, WebhookInboxRepository } from './webhook-inbox.repository';
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
};

function taken(event: StoredUpdate['event'], attempts = 1): TakenEntry {
  const [draft] = draftsFromWebhook(
    webhookBatch([{ id: ACCOUNT, messaging: [event as never] }]),
    NOW,
  ).drafts;
  return { _id: new Types.ObjectId(), payload: draft.payload, attempts, kind: draft.kind };
}

function message(mid: string, timestamp: number, attempts = 1): TakenEntry {
  return taken(inboundMessage({ account: ACCOUNT, from: USER, mid, timestamp }), attempts);
}

function setup(entries: TakenEntry[]) {
  const applied: string[] = [];
  let held = true;
  const lease: Lease = {
    name: 'conversation:x',
    token: TOKEN,
    inheritedUnclean: false,
    held: () => held,
  };
  const inbox = {
    takeDue: jest.fn().mockResolvedValueOnce(entries).mockResolvedValue([]),
    ignoreDue: jest.fn().mockResolvedValue(1),
    markDone: jest.fn().mockResolvedValue(undefined),
    markIgnored: jest.fn().mockResolvedValue(undefined),
    scheduleRetry: jest.fn().mockResolvedValue(undefined),
    markFailed: jest.fn().mockResolvedValue(undefined),
    hasUnprocessed: jest.fn().mockResolvedValue(false),
  };
  const queue = {
    retryAt: jest.fn().mockResolvedValue(undefined),
    enqueue: jest.fn().mockResolvedValue(undefined),
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
  const lock = {
    run: jest.fn((_key: string, work: (lease: Lease) => Promise<unknown>) => work(lease)),
  };
  const processor = new InboxProcessor(
    config,
    inbox as unknown as WebhookInboxRepository,
    queue as unknown as InboxQueue,
    accounts as unknown as AccountsGateway,
    ingestion as unknown as MessageIngestionService,
    lock as unknown as ConversationLock,
    { ingestLag: jest.fn() } as unknown as MetricsService,
  );
  const run = () => processor.process({ data: { key: KEY } } as Job<ConversationJobData>);
  return { run, applied, inbox, queue, accounts, ingestion, lock };
}

describe('InboxProcessor', () => {
  it('applies the conversation’s entries in Meta-timestamp order (then by mid) and records them done under the lease token', async () => {
    const later = message('m-3', NOW + 2000);
    const tie = message('m-2', NOW + 1000);
    const first = message('m-1', NOW + 1000);
    const { run, applied, inbox, lock } = setup([later, tie, first]);
    await run();
    expect(lock.run).toHaveBeenCalledWith(`account:${USER}`, expect.any(Function));
    expect(applied).toEqual(['m-1', 'm-2', 'm-3']);
    expect(inbox.takeDue).toHaveBeenCalledWith(KEY, TOKEN, expect.any(Date), config.batchSize);
    expect(inbox.markDone).toHaveBeenCalledWith(
      expect.arrayContaining([later._id, tie._id, first._id]),
      TOKEN,
      expect.any(Date),
    );
  });

  it('ignores at once an event whose target message has no update waiting', async () => {
    const missing = taken(
      reaction({
        account: ACCOUNT,
        from: USER,
        mid: 'missing-1',
        action: 'react',
        reaction: 'love',
      }),
    );
    const { run, inbox, queue } = setup([missing]);
    await run();
    expect(inbox.hasUnprocessed).toHaveBeenCalledWith(expect.arrayContaining([expect.any(String)]));
    expect(inbox.markIgnored).toHaveBeenCalledWith(
      [missing._id],
      TOKEN,
      expect.stringMatching(/never stored/),
      expect.any(Date),
    );
    expect(inbox.scheduleRetry).not.toHaveBeenCalled();
    expect(queue.retryAt).not.toHaveBeenCalled();
  });

  it('retries an event whose target message still waits in the inbox with a delayed job', async () => {
    const missing = taken(
      reaction({
        account: ACCOUNT,
        from: USER,
        mid: 'missing-2',
        action: 'react',
        reaction: 'love',
      }),
    );
    const { run, inbox, queue } = setup([missing]);
    inbox.hasUnprocessed.mockResolvedValue(true);
    await run();
    expect(inbox.scheduleRetry).toHaveBeenCalledWith(
      missing._id,
      TOKEN,
      expect.stringMatching(/No stored message/),
      expect.any(Date),
    );
    const at = inbox.scheduleRetry.mock.calls[0][3] as Date;
    expect(queue.retryAt).toHaveBeenCalledWith(KEY, at);
    expect(inbox.markIgnored).not.toHaveBeenCalled();
  });

  it('marks an entry failed after its last attempt and removes the message it left unapplied', async () => {
    const broken = message('broken-1', NOW, config.maxAttempts);
    const { run, inbox, ingestion, queue } = setup([broken]);
    await run();
    expect(ingestion.discardUnapplied).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'account' }),
      expect.objectContaining({ messageId: 'broken-1' }),
    );
    expect(inbox.markFailed).toHaveBeenCalledWith(
      broken._id,
      TOKEN,
      expect.stringMatching(/unreadCount/),
      expect.any(Date),
    );
    expect(queue.retryAt).not.toHaveBeenCalled();
  });

  it('stops applying once the lease ended and fails the job, leaving the rest to the next holder', async () => {
    const { run, applied, inbox } = setup([message('last-1', NOW), message('m-2', NOW + 1000)]);
    await expect(run()).rejects.toBeInstanceOf(LeaseLostError);
    expect(applied).toEqual(['last-1']);
    expect(inbox.takeDue).toHaveBeenCalledTimes(1);
  });

  it('leaves a long backlog to a follow-up job of the conversation after ten batches', async () => {
    const { run, inbox, queue, applied } = setup([]);
    let n = 0;
    inbox.takeDue.mockReset();
    inbox.takeDue.mockImplementation(() => Promise.resolve([message(`m-${n++}`, NOW + n)]));
    await run();
    expect(applied).toHaveLength(10);
    expect(queue.enqueue).toHaveBeenCalledWith([KEY]);
  });

  it('ignores the due entries of an account that is not connected without taking the lease', async () => {
    const { run, inbox, accounts, lock } = setup([]);
    accounts.findRefForWebhook.mockResolvedValue(null);
    await run();
    expect(inbox.ignoreDue).toHaveBeenCalledWith(
      KEY,
      expect.stringMatching(/account/),
      expect.any(Date),
    );
    expect(lock.run).not.toHaveBeenCalled();
  });
});
