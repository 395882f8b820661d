import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Document, Filter } from 'mongodb';
import {
  inboundMessage,
  webhookBatch,
  type SimUser,
  type WebhookMessagingEvent,
} from '../../src/meta-simulator';
import { MessageIngestionService } from '../../src/messages/message-ingestion.service';
import { QUEUES } from '../../src/queue/queue-names';
import { WorkerRunner } from '../../src/queue/worker-runner';
import { InboxOutcomes } from '../../src/webhook/inbox-outcomes';
import { InboxMaintenance } from '../../src/webhook/inbox-maintenance';
import { InboxProcessor } from '../../src/webhook/inbox.processor';
import { connectAccount, type ConnectedAccount, type ConnectionType } from './account-factories';
import { createUser, type TestUser } from './factories';
import type { TestApp } from './test-app';

export interface Inbox {
  user: TestUser;
  account: ConnectedAccount;
  /** The account's Instagram id: the recipient of inbound webhook events. */
  igId: string;
}

/** A user with one connected Instagram account. */
export async function createInbox(
  t: TestApp,
  options: { connectionType?: ConnectionType; user?: TestUser } = {},
): Promise<Inbox> {
  const user = options.user ?? (await createUser(t));
  const account = await connectAccount(t, user, { connectionType: options.connectionType });
  return { user, account, igId: account.sim.instagramBusinessId };
}

/** The app's webhook inbox processing, as tests wait for it. */
export interface InboxProcessing {
  /** Resolves once every due inbox entry is applied (see {@link drainInbox}). */
  drain(): Promise<void>;
  /** Runs the purge of processed entries past retention now; how many were deleted. */
  purgeExpired(): Promise<number>;
}

export function worker(t: TestApp): InboxProcessing {
  return {
    drain: () => drainInbox(t),
    purgeExpired: () => t.app.get(InboxMaintenance).purgeExpired(),
  };
}

/**
 * Waits until the app applied every due inbox entry: no inbox job waiting or running, no
 * unfinished entry due, and the background work the processing started has finished.
 * Entries made due by the test itself are enqueued first (as the sweep would, without its
 * grace period). In an app that runs no workers (`PROCESS_ROLE=api`), its inbox worker runs
 * for the time of the drain only.
 */
export async function drainInbox(t: TestApp, options: { timeoutMs?: number } = {}): Promise<void> {
  const queue = t.app.get<Queue>(getQueueToken(QUEUES.inbox));
  const inboxWorker = t.app.get(InboxProcessor).worker;
  const startsWorker = !t.app.get(WorkerRunner).runsWorkers;
  await t.app.get(InboxMaintenance).enqueueDueBefore(new Date());
  if (startsWorker) {
    if (inboxWorker.isPaused()) await inboxWorker.resume();
    else if (!inboxWorker.isRunning()) void inboxWorker.run();
  }
  try {
    await waitFor(
      async () => {
        const jobs = await queue.getJobCounts('waiting', 'active', 'prioritized');
        if (Object.values(jobs).some((count) => count > 0)) return false;
        await t.app.get(InboxOutcomes).flush();
        const due = await countDocs(t, 'webhook_inbox', {
          status: { $in: ['pending', 'processing'] },
          nextAttemptAt: { $lte: new Date() },
        });
        return due === 0;
      },
      { timeoutMs: options.timeoutMs ?? 30_000, what: 'the webhook inbox to be drained' },
    );
  } finally {
    if (startsWorker) await inboxWorker.pause();
  }
  await t.app.get(MessageIngestionService).settled();
}

/** Delivers the events as one signed webhook (entry per account), expecting 200. */
export async function deliver(
  t: TestApp,
  entries: { id: string; messaging?: WebhookMessagingEvent[]; standby?: WebhookMessagingEvent[] }[],
): Promise<void> {
  const res = await t.simulator.deliverWebhook(webhookBatch(entries));
  if (res.status !== 200) throw new Error(`Webhook answered ${res.status}: ${res.body}`);
}

/** Delivers the events for one account, then waits until the inbox is processed. */
export async function deliverAndProcess(
  t: TestApp,
  igId: string,
  events: WebhookMessagingEvent[],
): Promise<void> {
  await deliver(t, [{ id: igId, messaging: events }]);
  await worker(t).drain();
}

/** A new participant writing to the inbox; resolves once processed, with the conversation id. */
export async function startConversation(
  t: TestApp,
  inbox: Inbox,
  options: { text?: string; timestamp?: number; participant?: SimUser } = {},
): Promise<{ participant: SimUser; conversationId: string; mid: string }> {
  const participant = options.participant ?? t.simulator.addUser();
  const event = inboundMessage({
    account: inbox.igId,
    from: participant.igsid,
    text: options.text ?? 'Hi there',
    timestamp: options.timestamp,
  });
  await deliverAndProcess(t, inbox.igId, [event]);
  const conversation = await t.connection
    .collection('conversations')
    .findOne({ igUserId: participant.igsid, accountInstagramId: inbox.igId });
  if (!conversation) throw new Error('The conversation was not created');
  return {
    participant,
    conversationId: String(conversation._id),
    mid: (event.message as { mid: string }).mid,
  };
}

export function rawDocs(
  t: TestApp,
  collection: 'messages' | 'conversations' | 'webhook_inbox' | 'webhook_receipts' | 'audit_logs',
  filter: Filter<Document> = {},
): Promise<Document[]> {
  return t.connection.collection(collection).find(filter).toArray();
}

export function countDocs(
  t: TestApp,
  collection: 'messages' | 'conversations' | 'webhook_inbox' | 'webhook_receipts' | 'audit_logs',
  filter: Filter<Document> = {},
): Promise<number> {
  return t.connection.collection(collection).countDocuments(filter);
}

/** Polls until `check` returns a value other than undefined/null/false. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}

/**
 * A pass-through HTTP proxy in front of the Meta simulator, so a test can act
 * between Meta's answer and its arrival at the app (`beforeResponse`).
 */
export interface GraphProxy {
  url: string;
  /** Base URL requests are forwarded to (the simulator's `url`). */
  target?: string;
  beforeResponse?: (request: { method: string; path: string }, body: string) => Promise<void>;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
]);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

export async function startGraphProxy(): Promise<GraphProxy> {
  const server = createServer();
  const proxy: GraphProxy = {
    url: '',
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = new URL(req.url ?? '/', proxy.target);
      const upstream = httpRequest(
        target,
        {
          method: req.method,
          headers: { ...forwardable(req.headers), 'content-length': body.length },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const text = Buffer.concat(parts).toString('utf8');
            const hook = proxy.beforeResponse?.(
              { method: req.method ?? 'GET', path: target.pathname },
              text,
            );
            void Promise.resolve(hook)
              .catch(() => undefined)
              .then(() => {
                res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
                res.end(text);
              });
          });
        },
      );
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
