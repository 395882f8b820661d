import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { QUEUES } from '../queue/queue-names';

/** The job of one conversation: apply its due inbox entries. */
export interface ConversationJobData {
  /** The entries' `conversationKey`: `<account Meta id>|<participant id>`. */
  key: string;
}

export const CONVERSATION_JOB = 'conversation';

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

/** Adds conversation jobs to the `inbox` queue. */
@Injectable()
export class InboxQueue {
  constructor(@InjectQueue(QUEUES.inbox) private readonly queue: Queue<ConversationJobData>) {}

  /**
   * One job per conversation, deduplicated by its key: while one waits, more arrivals add
   * nothing; while one runs, one follow-up is kept and runs after it (BullMQ
   * `keepLastIfActive`), so a conversation never has two jobs running and an update stored
   * during a run is applied by the next.
   */
  async enqueue(keys: Iterable<string>): Promise<void> {
    await Promise.all(
      [...new Set(keys)].map((key) =>
        this.queue.add(
          CONVERSATION_JOB,
          { key },
          { ...JOB_OPTIONS, deduplication: { id: key, keepLastIfActive: true } },
        ),
      ),
    );
  }

  /**
   * A delayed job for the conversation's retry due at `at`. Not deduplicated with the
   * arrival jobs (a new update must not wait for a retry); the conversation's lease keeps
   * the two from running at once.
   */
  async retryAt(key: string, at: Date): Promise<void> {
    await this.queue.add(
      CONVERSATION_JOB,
      { key },
      {
        ...JOB_OPTIONS,
        jobId: `retry|${key}|${at.getTime()}`,
        delay: Math.max(0, at.getTime() - Date.now()),
      },
    );
  }
}
