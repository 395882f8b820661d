import type { Db, ObjectId } from 'mongodb';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandCounts } from './command-counter-protocol';
import {
  runLoad,
  runLoadAcross,
  sendOnce,
  summarize,
  type ConnectionContext,
  type LoadResult,
  type PlannedRequest,
} from './load';
import type { SeedWorld } from './seed';
import type { WebhookTraffic } from './webhook-traffic';

export interface LoadSettings {
  connections: number;
  durationSec: number;
  warmupSec: number;
  timeoutSec: number;
}

/** One server under test: the API or the baseline, each with its own database. */
export interface SystemUnderTest {
  name: 'api' | 'baseline';
  baseUrl: string;
  /** Further instances of the same system (same database); webhook load is spread over all. */
  replicas?: string[];
  db: Db;
}

/** Access tokens of the seeded users, by user id. */
export type Tokens = Map<string, string>;

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

function bearer(tokens: Tokens, owner: ObjectId): { authorization: string } {
  const token = tokens.get(String(owner));
  if (!token) throw new Error(`No access token for user ${String(owner)}`);
  return { authorization: `Bearer ${token}` };
}

export function messagePageRequest(world: SeedWorld, tokens: Tokens): () => PlannedRequest {
  return () => {
    const conversation = pick(world.conversations);
    return {
      method: 'GET',
      path: `/v1/messages/${String(conversation.id)}?limit=50`,
      headers: bearer(tokens, conversation.owner),
    };
  };
}

export function inboxPageRequest(world: SeedWorld, tokens: Tokens): () => PlannedRequest {
  return () => {
    const account = pick(world.accounts);
    return {
      method: 'GET',
      path: `/v1/conversations/${String(account.id)}?limit=20`,
      headers: bearer(tokens, account.owner),
    };
  };
}

export function sendRequest(world: SeedWorld, tokens: Tokens): () => PlannedRequest {
  let sequence = 0;
  return () => {
    const conversation = pick(world.conversations);
    sequence += 1;
    return {
      method: 'POST',
      path: `/v1/messages/${String(conversation.id)}`,
      headers: bearer(tokens, conversation.owner),
      body: JSON.stringify({ text: `Thanks for your message! (${sequence})` }),
    };
  };
}

export function loginRequest(world: SeedWorld): () => PlannedRequest {
  return () => {
    const user = pick(world.users);
    return {
      method: 'POST',
      path: '/v1/auth/login',
      body: JSON.stringify({ email: user.email, password: user.password }),
    };
  };
}

/**
 * Waits for the work of requests still in flight when a run ended (the load generator
 * drops them, the server does not): one more request queues behind them.
 */
async function settle(baseUrl: string, next: () => PlannedRequest, timeoutSec: number) {
  await sendOnce(baseUrl, next(), timeoutSec);
}

/** Warm-up (discarded), then the measured run; each followed by the server settling. */
export async function measure(
  baseUrl: string,
  next: () => PlannedRequest,
  settings: LoadSettings,
): Promise<LoadResult> {
  const common = { baseUrl, connections: settings.connections, timeoutSec: settings.timeoutSec };
  await runLoad({ ...common, durationSec: settings.warmupSec, next });
  await settle(baseUrl, next, settings.timeoutSec);
  const sample = await runLoad({ ...common, durationSec: settings.durationSec, next });
  await settle(baseUrl, next, settings.timeoutSec);
  return summarize([sample]);
}

/**
 * The API and the baseline under the same load, interleaved A-B-B-A in half-length runs so
 * drift in a noisy machine's speed affects both alike; each run followed by settling.
 */
export async function measurePair(
  api: string,
  baseline: string,
  next: () => PlannedRequest,
  settings: LoadSettings,
  onPhase: (system: 'api' | 'baseline') => void,
): Promise<{ api: LoadResult; baseline: LoadResult }> {
  const common = { connections: settings.connections, timeoutSec: settings.timeoutSec, next };
  const run = async (system: 'api' | 'baseline', durationSec: number) => {
    const baseUrl = system === 'api' ? api : baseline;
    onPhase(system);
    const sample = await runLoad({ ...common, baseUrl, durationSec });
    await settle(baseUrl, next, settings.timeoutSec);
    return sample;
  };
  await run('api', settings.warmupSec);
  await run('baseline', settings.warmupSec);
  const half = settings.durationSec / 2;
  const first = await run('api', half);
  const second = await run('baseline', half);
  const third = await run('baseline', half);
  const fourth = await run('api', half);
  return { api: summarize([first, fourth]), baseline: summarize([second, third]) };
}

/** Documents in the messages collection, from collection statistics (no scan). */
export async function countMessages(db: Db): Promise<number> {
  const [stats] = await db
    .collection('messages')
    .aggregate<{ count: number }>([{ $collStats: { count: {} } }])
    .toArray();
  return stats?.count ?? 0;
}

/** Polls until the messages collection holds `expected` documents, or the deadline passes. */
async function waitForMessages(
  db: Db,
  expected: number,
  deadline: number,
): Promise<{ reached: boolean; at: number; count: number }> {
  for (;;) {
    const count = await countMessages(db);
    const at = Date.now();
    if (count >= expected) return { reached: true, at, count };
    if (at >= deadline) return { reached: false, at, count };
    await sleep(50);
  }
}

export interface WebhookResult {
  deliveries: LoadResult;
  /** Messages in acknowledged deliveries of the measured run. */
  ackedMessages: number;
  /** Every acknowledged message was queryable before the drain timeout. */
  drained: boolean;
  /** Seconds from the start of the measured run until the last message was queryable. */
  endToEndSec: number;
  /** Acknowledged messages that became queryable per second (a lower bound when not drained). */
  endToEndMessagesPerSec: number;
  /** The API's database commands from the start of the measured run until the drain ended. */
  commands?: CommandDelta;
}

/**
 * Signed deliveries under closed-loop load (spread over the system's instances); then waits
 * until every acknowledged message is in the messages collection. The warm-up's messages are
 * waited for before measuring.
 */
export async function measureWebhook(
  system: SystemUnderTest,
  traffic: WebhookTraffic,
  settings: LoadSettings,
  drainTimeoutSec: number,
  counts?: () => Promise<CommandCounts>,
): Promise<WebhookResult> {
  let acked = 0;
  const next = (context: ConnectionContext): PlannedRequest => {
    const delivery = traffic.next();
    context.tag = delivery.messages;
    return {
      method: 'POST',
      path: '/v1/webhook',
      headers: { 'x-hub-signature-256': delivery.signature },
      body: delivery.body,
    };
  };
  const onResponse = (status: number, context: ConnectionContext) => {
    if (status >= 200 && status < 300) acked += Number(context.tag ?? 0);
  };
  const baseUrls = [system.baseUrl, ...(system.replicas ?? [])];
  const common = {
    connections: settings.connections,
    timeoutSec: settings.timeoutSec,
    next,
    onResponse,
  };
  const settleDelivery = async () => {
    const context: ConnectionContext = {};
    const status = await sendOnce(system.baseUrl, next(context), settings.timeoutSec);
    onResponse(status, context);
  };
  const before = await countMessages(system.db);
  await runLoadAcross(baseUrls, { ...common, durationSec: settings.warmupSec });
  await settleDelivery();
  const warmupAcked = acked;
  await waitForMessages(system.db, before + warmupAcked, Date.now() + drainTimeoutSec * 1000);
  acked = 0;
  const startCount = await countMessages(system.db);
  const commandsBefore = await counts?.();
  const started = Date.now();
  const deliveries = summarize([
    await runLoadAcross(baseUrls, { ...common, durationSec: settings.durationSec }),
  ]);
  await settleDelivery();
  const measuredAcked = acked;
  const expected = before + warmupAcked + measuredAcked;
  const done = await waitForMessages(system.db, expected, Date.now() + drainTimeoutSec * 1000);
  const commandsAfter = await counts?.();
  const endToEndSec = (done.at - started) / 1000;
  const queryable = done.reached ? measuredAcked : Math.max(0, done.count - startCount);
  return {
    deliveries,
    ackedMessages: measuredAcked,
    drained: done.reached,
    endToEndSec,
    endToEndMessagesPerSec: endToEndSec > 0 ? queryable / endToEndSec : 0,
    ...(commandsBefore && commandsAfter
      ? { commands: commandDelta(commandsBefore, commandsAfter) }
      : {}),
  };
}

export interface CommandDelta {
  total: number;
  byCommand: Record<string, number>;
}

export function commandDelta(before: CommandCounts, after: CommandCounts): CommandDelta {
  const byCommand: Record<string, number> = {};
  for (const [name, count] of Object.entries(after.byCommand)) {
    const delta = count - (before.byCommand[name] ?? 0);
    if (delta > 0) byCommand[name] = delta;
  }
  return { total: after.total - before.total, byCommand };
}

export interface RoundTrips {
  /** Units of work counted (requests, or webhook messages). */
  samples: number;
  commands: CommandDelta;
  /** Commands counted that belong to background work, not to the units. */
  background: number;
  /** How `background` was determined. */
  backgroundRule: string;
  /** Commands per unit, background excluded. */
  perUnit: number;
  /** Commands per unit as counted, background included. */
  grossPerUnit: number;
  seconds: number;
}

function roundTrips(
  commands: CommandDelta,
  samples: number,
  seconds: number,
  background: number,
  backgroundRule: string,
): RoundTrips {
  const counted = Math.max(0, commands.total - background);
  return {
    samples,
    commands,
    background,
    backgroundRule,
    perUnit: samples > 0 ? counted / samples : 0,
    grossPerUnit: samples > 0 ? commands.total / samples : 0,
    seconds,
  };
}

/** Commands on these collections during page reads come from the inbox worker, not the reads. */
export const BACKGROUND_COLLECTIONS = ['webhook_inbox'];

/**
 * Sends requests one after another (after one unmeasured pass) and counts the API's
 * database commands for them; commands on {@link BACKGROUND_COLLECTIONS} are excluded.
 */
export async function countRequestRoundTrips(
  system: SystemUnderTest,
  next: () => PlannedRequest,
  samples: number,
  counts: () => Promise<CommandCounts>,
  timeoutSec: number,
): Promise<RoundTrips> {
  const send = async () => {
    const request = next();
    const status = await sendOnce(system.baseUrl, request, timeoutSec);
    if (status !== 200) throw new Error(`${request.method} ${request.path} answered ${status}`);
  };
  for (let i = 0; i < samples; i++) await send();
  const before = await counts();
  const started = Date.now();
  for (let i = 0; i < samples; i++) await send();
  const after = await counts();
  const seconds = (Date.now() - started) / 1000;
  const commands = commandDelta(before, after);
  const background = Object.entries(commands.byCommand)
    .filter(([key]) => BACKGROUND_COLLECTIONS.some((name) => key.endsWith(` ${name}`)))
    .reduce((sum, [, count]) => sum + count, 0);
  return roundTrips(
    commands,
    samples,
    seconds,
    background,
    `commands on ${BACKGROUND_COLLECTIONS.join(', ')}`,
  );
}

/**
 * Waits until the API sends no more commands than its idle background over half a second
 * (work of requests the load generator dropped at the end of a run has finished).
 */
export async function waitForQuiet(
  counts: () => Promise<CommandCounts>,
  idlePerSec: number,
  maxWaitSec: number,
): Promise<boolean> {
  const deadline = Date.now() + maxWaitSec * 1000;
  let previous = await counts();
  while (Date.now() < deadline) {
    await sleep(500);
    const current = await counts();
    if (current.total - previous.total <= Math.ceil(idlePerSec / 2) + 1) return true;
    previous = current;
  }
  return false;
}

/** Commands per second while nothing is sent (background work such as inbox polling). */
export async function idleCommandRate(
  counts: () => Promise<CommandCounts>,
  seconds: number,
): Promise<number> {
  const before = await counts();
  await sleep(seconds * 1000);
  const after = await counts();
  return (after.total - before.total) / seconds;
}

/**
 * Delivers webhook messages one delivery at a time, waits until all are stored and the
 * background work they started has settled, and counts the API's commands per message.
 */
export async function countWebhookRoundTrips(
  system: SystemUnderTest,
  traffic: WebhookTraffic,
  deliveries: number,
  counts: () => Promise<CommandCounts>,
  idlePerSec: number,
  settleMs: number,
  drainTimeoutSec: number,
): Promise<RoundTrips & { drained: boolean }> {
  const before = await counts();
  const startCount = await countMessages(system.db);
  const started = Date.now();
  let messages = 0;
  for (let i = 0; i < deliveries; i++) {
    const delivery = traffic.next();
    const status = await sendOnce(
      system.baseUrl,
      {
        method: 'POST',
        path: '/v1/webhook',
        headers: { 'x-hub-signature-256': delivery.signature },
        body: delivery.body,
      },
      drainTimeoutSec,
    );
    if (status < 200 || status >= 300) throw new Error(`POST /v1/webhook answered ${status}`);
    messages += delivery.messages;
  }
  const done = await waitForMessages(
    system.db,
    startCount + messages,
    Date.now() + drainTimeoutSec * 1000,
  );
  await sleep(settleMs);
  const after = await counts();
  const seconds = (Date.now() - started) / 1000;
  return {
    ...roundTrips(
      commandDelta(before, after),
      messages,
      seconds,
      idlePerSec * seconds,
      `${idlePerSec.toFixed(1)} commands/s measured while idle`,
    ),
    drained: done.reached,
  };
}
