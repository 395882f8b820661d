import { Injectable, Logger } from '@nestjs/common';
import { systemScope } from '../common/scope/owner-scope';
import { MaintenanceTasks } from '../queue/maintenance';
import { MessagesRepository } from './messages.repository';

/** A send pending this long belongs to an instance that stopped before Meta answered it. */
export const UNCONFIRMED_AFTER_MS = 5 * 60 * 1000;
const EVERY_MS = 60 * 1000;
const UPKEEP = systemScope('sends left pending by an instance that stopped');

/**
 * Marks failed the sends an instance left pending when it stopped mid-send: whether Meta
 * delivered them is not known, so they are never sent again (Meta's Send API has no
 * idempotency key). An echo arriving later still turns such a message into the sent one.
 */
@Injectable()
export class UnconfirmedSendsTask {
  private readonly logger = new Logger(UnconfirmedSendsTask.name);

  constructor(
    private readonly messages: MessagesRepository,
    tasks: MaintenanceTasks,
  ) {
    tasks.register({ name: 'unconfirmed-sends', everyMs: EVERY_MS, run: () => this.runOnce() });
  }

  /** Marks the stale pending sends failed; how many. */
  async runOnce(now = new Date()): Promise<number> {
    const marked = await this.messages.failPendingBefore(
      UPKEEP,
      new Date(now.getTime() - UNCONFIRMED_AFTER_MS),
      {
        code: null,
        subcode: null,
        message: UNCONFIRMED,
        answer: {
          status: 424,
          message: UNCONFIRMED,
          details: [{ reason: 'unconfirmed', retryable: false }],
        },
      },
    );
    if (marked > 0)
      this.logger.warn(`Marked ${marked} sends left pending by a stopped instance failed`);
    return marked;
  }
}

const UNCONFIRMED =
  'The instance sending it stopped before Meta answered: not known whether it was delivered';
