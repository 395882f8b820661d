import { setTimeout as sleep } from 'node:timers/promises';
import { TokenPurgeTask } from '../src/credentials/token-purge.task';
import { TokenRefreshTask } from '../src/instagram-accounts/token-refresh.task';
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

  /** Records when either instance starts a run of `method` of the task `type`. */
  function watchRuns<T extends object>(type: new (...args: never[]) => T, method: keyof T) {
    const starts: number[] = [];
    for (const t of [a, b]) {
      const task = t.app.get(type);
      const original = (task[method] as (...args: unknown[]) => Promise<unknown>).bind(task);
      jest.spyOn(task, method as never).mockImplementation(((...args: unknown[]) => {
        starts.push(Date.now());
        return original(...args);
      }) as never);
    }
    return starts;
  }

  it('runs the token refresh and the token purge once per period in the whole deployment', async () => {
    const refreshes = watchRuns(TokenRefreshTask, 'runOnce');
    const purges = watchRuns(TokenPurgeTask, 'purgeExpired');
    await sleep(PERIOD_MS * WATCHED_PERIODS + PERIOD_MS / 2);
    for (const starts of [refreshes, purges]) {
      expect(starts.length).toBeGreaterThanOrEqual(WATCHED_PERIODS - 1);
      expect(starts.length).toBeLessThanOrEqual(WATCHED_PERIODS + 1);
      const sorted = [...starts].sort((x, y) => x - y);
      const gaps = sorted.slice(1).map((start, i) => start - sorted[i]);
      expect(Math.min(...gaps)).toBeGreaterThan(PERIOD_MS / 2);
    }
  });
});
