import { Types } from 'mongoose';
import type { WebhookConfig } from '../config/webhook.config';
import type { AccountsGateway } from '../instagram-accounts/accounts.gateway';
import { inboundMessage, webhookBatch } from '../meta-simulator/webhook-events';
import {
  TargetMessageNotFoundError,
  type MessageIngestionService,
} from '../messages/message-ingestion.service';
import type { MessagingEvent } from '../messages/messaging-events';
import { InboxWorker } from './inbox-worker';
import type { ClaimedEntry, WebhookInboxRepository } from './webhook-inbox.repository';
import { draftsFromWebhook } from './webhook-payload.parser';

const ACCOUNT = '17841400000000001';
const NOW = Date.UTC(2026, 2, 10, 12);

const config: WebhookConfig = {
  bodyLimitBytes: 1024 * 1024,
  batchSize: 10,
  pollIntervalMs: 1000,
  maxAttempts: 3,
  retryBaseDelayMs: 1000,
  claimTimeoutMs: 60_000,
  retentionHours: 72,
  workerEnabled: false,
  concurrency: 2,
};

function entry(from: string, mid: string, timestamp: number): ClaimedEntry {
  const body = webhookBatch([
    { id: ACCOUNT, messaging: [inboundMessage({ account: ACCOUNT, from, mid, timestamp })] },
  ]);
  const [draft] = draftsFromWebhook(body, NOW).drafts;
  return { _id: new Types.ObjectId(), payload: draft.payload, attempts: 1, kind: draft.kind };
}

function setup() {
  const applied: string[] = [];
  const held = new Map<string, () => void>();
  const done: Types.ObjectId[] = [];
  const inbox = {
    claimNext: jest.fn().mockResolvedValue(null),
    markDone: jest.fn((ids: Types.ObjectId[]) => {
      done.push(...ids);
      return Promise.resolve();
    }),
    markIgnored: jest.fn().mockResolvedValue(undefined),
    scheduleRetry: jest.fn().mockResolvedValue(undefined),
    hasUnprocessed: jest.fn().mockResolvedValue(false),
  };
  const accounts = { findRefForWebhook: jest.fn().mockResolvedValue({ id: 'account' }) };
  const ingestion = {
    ingest: jest.fn(async (_account: unknown, event: MessagingEvent) => {
      if (event.messageId.startsWith('slow')) {
        await new Promise<void>((resolve) => held.set(event.messageId, resolve));
      }
      if (event.messageId.startsWith('missing')) throw new TargetMessageNotFoundError('target');
      applied.push(event.messageId);
    }),
    settled: jest.fn().mockResolvedValue(undefined),
  };
  const worker = new InboxWorker(
    config,
    inbox as unknown as WebhookInboxRepository,
    accounts as unknown as AccountsGateway,
    ingestion as unknown as MessageIngestionService,
  );
  return { worker, applied, held, done, accounts, inbox };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('InboxWorker', () => {
  it('starts entries handed over later while another conversation is still running', async () => {
    const { worker, applied, held, done } = setup();
    worker.enqueue([entry('1', 'slow-a', NOW), entry('2', 'b', NOW)]);
    await until(() => applied.includes('b'));
    worker.enqueue([entry('3', 'c', NOW)]);
    await until(() => applied.includes('c'));
    expect(applied).toEqual(['b', 'c']);
    held.get('slow-a')?.();
    await worker.drain();
    expect(applied).toEqual(['b', 'c', 'slow-a']);
    expect(done).toHaveLength(3);
  });

  it('applies a conversation taken later only after its earlier events', async () => {
    const { worker, applied, held, accounts } = setup();
    worker.enqueue([entry('1', 'slow-a1', NOW)]);
    await until(() => held.has('slow-a1'));
    worker.enqueue([entry('1', 'a3', NOW + 2000), entry('1', 'a2', NOW + 1000)]);
    await until(() => accounts.findRefForWebhook.mock.calls.length === 2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(applied).toEqual([]);
    held.get('slow-a1')?.();
    await worker.drain();
    expect(applied).toEqual(['slow-a1', 'a2', 'a3']);
  });

  it('ignores at once an event whose target message has no update waiting', async () => {
    const { worker, inbox } = setup();
    const missing = entry('1', 'missing-1', NOW);
    worker.enqueue([missing]);
    await worker.drain();
    expect(inbox.hasUnprocessed).toHaveBeenCalledWith(expect.arrayContaining([expect.any(String)]));
    expect(inbox.markIgnored).toHaveBeenCalledWith(
      [missing._id],
      expect.stringMatching(/never stored/),
      expect.any(Date),
    );
    expect(inbox.scheduleRetry).not.toHaveBeenCalled();
  });

  it('retries an event whose target message still waits in the inbox', async () => {
    const { worker, inbox } = setup();
    inbox.hasUnprocessed.mockResolvedValue(true);
    const missing = entry('1', 'missing-2', NOW);
    worker.enqueue([missing]);
    await worker.drain();
    expect(inbox.scheduleRetry).toHaveBeenCalledWith(
      missing._id,
      expect.stringMatching(/No stored message/),
      expect.any(Date),
    );
    expect(inbox.markIgnored).not.toHaveBeenCalled();
  });

  it('looks each account up once for the entries taken together', async () => {
    const { worker, accounts } = setup();
    worker.enqueue([entry('1', 'a', NOW), entry('2', 'b', NOW), entry('3', 'c', NOW)]);
    await worker.drain();
    expect(accounts.findRefForWebhook).toHaveBeenCalledTimes(1);
  });
});
