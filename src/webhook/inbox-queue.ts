import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { QUEUES } from '../queue/queue-names';
import { RedisConnections } from '../redis/redis-connections';
import type { InboxKind } from './schemas/webhook-inbox-entry.schema';

/** The job of one conversation: apply its due inbox entries. */
export interface ConversationJobData {
  /** The entries' `conversationKey`: `<account Meta id>|<participant id>`. */
  key: string;
}

export const CONVERSATION_JOB = 'conversation';

/** An inbox entry waiting to be applied by its conversation's job. */
export interface WaitingEntry {
  /** The entry's `_id`, as hex. */
  id: string;
  conversationKey: string;
  /** Meta's timestamp of the update: entries are taken oldest first. */
  eventAt: Date;
  /** The stored update, kept beside the id so the job need not read it back; absent: it does. */
  update?: { kind: InboxKind; payload: string };
}

/** An entry a conversation's job takes now. */
export interface DueEntry {
  id: string;
  /** Attempts started, this one included (counted in Redis, so a crash counts too). */
  attempts: number;
  /** The stored update, when Redis still holds it. */
  update: { kind: InboxKind; payload: string } | null;
}

/**
 * Scores at or above this are retries (this plus the time of the next attempt, in ms): they
 * sort after every entry waiting for its first attempt (scored by its Meta timestamp in ms, far
 * below), soonest first. Scores are doubles, exact to 2^53.
 */
const RETRY_SCORE = 2 ** 52;

/** KEYS: the entries hash. ARGV: attempt fields. Takes one back from each still there. */
const UNCOUNT = `
for _, field in ipairs(ARGV) do
  if redis.call('HEXISTS', KEYS[1], field) == 1 then redis.call('HINCRBY', KEYS[1], field, -1) end
end
return 0`;

/**
 * A job that could not run (database or Redis unreachable, lease busy) is tried
 * again by BullMQ; if it never succeeds, the sweep enqueues its entries again.
 */
const JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: 1000,
};

/**
 * Adds conversation jobs to the `inbox` queue and keeps, in Redis, what each conversation's
 * job takes: a sorted set per conversation of entry ids, scored by Meta timestamp (a retried
 * entry by the time of its next attempt, after the others), and a hash of their updates and
 * attempt counts. The job then reads nothing back from the database, where every lookup but
 * one by `_id` reads the whole collection on the embedded server. The inbox in MongoDB stays
 * the record: when Redis loses this, the sweep adds the unfinished entries again (without
 * their updates, which the job then reads by `_id`).
 */
@Injectable()
export class InboxQueue {
  constructor(
    @InjectQueue(QUEUES.inbox) private readonly queue: Queue<ConversationJobData>,
    private readonly redis: RedisConnections,
  ) {}

  /**
   * Records the entries as waiting and adds one job per conversation, deduplicated by its key:
   * while one waits, more arrivals add nothing; while one runs, one follow-up is kept and runs
   * after it (BullMQ `keepLastIfActive`), so a conversation never has two jobs running and an
   * entry stored during a run is applied by the next. An entry recorded already keeps its place.
   */
  async enqueue(entries: WaitingEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const byKey = new Map<string, WaitingEntry[]>();
    for (const entry of entries) {
      byKey.set(entry.conversationKey, [...(byKey.get(entry.conversationKey) ?? []), entry]);
    }
    const pipeline = this.redis.commands.pipeline();
    for (const [key, waiting] of byKey) {
      const updates = waiting.flatMap(({ id, update }) =>
        update ? [updateField(id), `${update.kind}\n${update.payload}`] : [],
      );
      if (updates.length > 0) pipeline.hset(this.entriesKey(key), ...updates);
      pipeline.zadd(
        this.waitingKey(key),
        'NX',
        ...waiting.flatMap((entry) => [entry.eventAt.getTime(), entry.id]),
      );
    }
    await run(pipeline);
    await Promise.all([...byKey.keys()].map((key) => this.addJob(key)));
  }

  /**
   * Up to `limit` of the conversation's entries due at `now`, oldest Meta timestamp first
   * (then retries, soonest first), each with one more attempt counted; none when only retries
   * not due yet wait.
   */
  async takeDue(key: string, limit: number, now: Date): Promise<DueEntry[]> {
    const scored = await this.redis.commands.zrange(
      this.waitingKey(key),
      0,
      limit - 1,
      'WITHSCORES',
    );
    const ids: string[] = [];
    for (let i = 0; i + 1 < scored.length; i += 2) {
      const score = Number(scored[i + 1]);
      if (score >= RETRY_SCORE && score - RETRY_SCORE > now.getTime()) break;
      ids.push(scored[i]);
    }
    if (ids.length === 0) return [];
    const pipeline = this.redis.commands.pipeline();
    pipeline.hmget(this.entriesKey(key), ...ids.map(updateField));
    for (const id of ids) pipeline.hincrby(this.entriesKey(key), attemptsField(id), 1);
    const [updates, ...attempts] = (await run(pipeline)) as [(string | null)[], ...number[]];
    return ids.map((id, index) => ({
      id,
      attempts: Number(attempts[index]),
      update: parseUpdate(updates[index] ?? null),
    }));
  }

  /** The last attempt counted for each of the entries was not made: it is taken back. */
  async uncount(key: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.commands.eval(UNCOUNT, 1, this.entriesKey(key), ...ids.map(attemptsField));
  }

  /** The entries are finished (or gone): the conversation's job no longer takes them. */
  async finished(key: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const pipeline = this.redis.commands.pipeline();
    pipeline.zrem(this.waitingKey(key), ...ids);
    pipeline.hdel(
      this.entriesKey(key),
      ...ids.flatMap((id) => [updateField(id), attemptsField(id)]),
    );
    await run(pipeline);
  }

  /**
   * The entries are retried at their times: they move behind the entries due now, and one
   * delayed job for the conversation is added, at the earliest of them. That job is not
   * deduplicated with the arrival jobs (a new update must not wait for a retry); the
   * conversation's lease keeps the two from running at once.
   */
  async retry(key: string, retries: { id: string; at: Date }[]): Promise<void> {
    if (retries.length === 0) return;
    await this.redis.commands.zadd(
      this.waitingKey(key),
      'XX',
      ...retries.flatMap(({ id, at }) => [RETRY_SCORE + at.getTime(), id]),
    );
    const first = Math.min(...retries.map(({ at }) => at.getTime()));
    await this.queue.add(
      CONVERSATION_JOB,
      { key },
      { ...JOB_OPTIONS, jobId: `retry|${key}|${first}`, delay: Math.max(0, first - Date.now()) },
    );
  }

  /** Another job continues the conversation (this one applied its share). */
  async continueLater(key: string): Promise<void> {
    await this.addJob(key);
  }

  private addJob(key: string): Promise<unknown> {
    return this.queue.add(
      CONVERSATION_JOB,
      { key },
      { ...JOB_OPTIONS, deduplication: { id: key, keepLastIfActive: true } },
    );
  }

  private waitingKey(conversationKey: string): string {
    return this.redis.key('inbox-waiting', conversationKey);
  }

  private entriesKey(conversationKey: string): string {
    return this.redis.key('inbox-entries', conversationKey);
  }
}

function updateField(id: string): string {
  return `u:${id}`;
}

function attemptsField(id: string): string {
  return `a:${id}`;
}

function parseUpdate(stored: string | null): DueEntry['update'] {
  if (stored === null) return null;
  const newline = stored.indexOf('\n');
  return { kind: stored.slice(0, newline) as InboxKind, payload: stored.slice(newline + 1) };
}

/** Runs the pipeline; the results, or the first command's error. */
async function run(
  pipeline: ReturnType<RedisConnections['commands']['pipeline']>,
): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  for (const [error] of results) if (error) throw error;
  return results.map(([, result]) => result);
}
