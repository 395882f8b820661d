import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { TokenPurgeTask } from '../src/credentials/token-purge.task';
import { TokenRefreshTask } from '../src/instagram-accounts/token-refresh.task';
import { QUEUES } from '../src/queue/queue-names';
import { waitFor } from './utils/messaging-factories';
import { createTestApp, type TestApp } from './utils/test-app';

const PERIOD_MS = 1_000;
const WATCHED_PERIODS = 4;

describe('Scheduled maintenance across two instances of one deployment', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const env = {
      META_TOKEN_REFRESH_INTERVAL_MS: String(PERIOD_MS),
      AUTH_TOKEN_PURGE_INTERVAL_MS: String(PERIOD_MS),
    };
    a = await createTestApp({ env });
    b = await createTestApp({ env, databaseName: a.databaseName });
  });

  afterAll(async () => {
    await b?.close({ keepDatabase: true });
    await a?.close();
  });

  /** Counts the runs of `method` of the task `type` started by either instance from now on. */
  function countRuns<T extends object>(type: new (...args: never[]) => T, method: keyof T) {
    const spies = [a, b].map((t) => jest.spyOn(t.app.get(type), method as never));
    return () => spies.reduce((runs, spy) => runs + spy.mock.calls.length, 0);
  }

  it('runs the token refresh and the token purge once per period in the whole deployment', async () => {
    const refreshes = countRuns(TokenRefreshTask, 'runOnce');
    const purges = countRuns(TokenPurgeTask, 'purgeExpired');
    await sleep(PERIOD_MS * WATCHED_PERIODS);
    // The watched time holds WATCHED_PERIODS periods, and a run delayed from before it by a busy
    // machine may add one; a run per instance and period would show twice as many.
    for (const runs of [refreshes(), purges()]) {
      expect(runs).toBeGreaterThanOrEqual(2);
      expect(runs).toBeLessThanOrEqual(WATCHED_PERIODS + 1);
    }
  });

  it('schedules every task again within seconds when Redis lost the schedulers', async () => {
    const queue = a.app.get<Queue>(getQueueToken(QUEUES.maintenance));
    const names = (await queue.getJobSchedulers()).map((scheduler) => scheduler.key);
    expect(names).toEqual(expect.arrayContaining(['webhook-inbox-sweep', 'webhook-inbox-purge']));
    for (const name of names) await queue.removeJobScheduler(name);

    await waitFor(
      async () => {
        const back = await Promise.all(names.map((name) => queue.getJobScheduler(name)));
        return back.every((scheduler) => scheduler !== undefined);
      },
      { timeoutMs: 15_000, what: 'the maintenance schedulers to be created again' },
    );
    const refreshes = countRuns(TokenRefreshTask, 'runOnce');
    await sleep(PERIOD_MS * 3);
    expect(refreshes()).toBeGreaterThanOrEqual(1);
  });
});
