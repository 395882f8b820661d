import { Types } from 'mongoose';
import { AccountsGateway } from '../src/instagram-accounts/accounts.gateway';
import { TokenRefreshTask } from '../src/instagram-accounts/token-refresh.task';
import { accountAuditActions, connectAccount, rawAccounts } from './utils/account-factories';
import { createUser, type TestUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('Instagram token refresh job', () => {
  let t: TestApp;
  let owner: TestUser;
  let job: TokenRefreshTask;

  beforeAll(async () => {
    t = await createTestApp();
    job = t.app.get(TokenRefreshTask);
  });

  afterAll(async () => {
    await t.close();
  });

  beforeEach(async () => {
    await t.connection.collection('instagram_accounts').deleteMany({});
    t.simulator.reset();
    owner = await createUser(t);
  });

  /** Backdates an account's token: issued `ageDays` ago, expiring in `expiresInDays`. */
  async function setTokenDates(accountId: string, ageDays: number, expiresInDays: number) {
    await t.connection.collection('instagram_accounts').updateOne(
      { _id: new Types.ObjectId(accountId) },
      {
        $set: {
          tokenIssuedAt: new Date(Date.now() - ageDays * DAY_MS),
          tokenExpiresAt: new Date(Date.now() + expiresInDays * DAY_MS),
        },
      },
    );
  }

  async function stored(accountId: string) {
    const document = await t.connection
      .collection('instagram_accounts')
      .findOne({ _id: new Types.ObjectId(accountId) });
    if (!document) throw new Error(`Account ${accountId} is not stored`);
    return document;
  }

  it('refreshes a due Instagram Login token, storing it encrypted with its new expiry', async () => {
    const { id, sim } = await connectAccount(t, owner);
    await setTokenDates(id, 55, 5);
    const before = await stored(id);
    const summary = await job.runOnce();
    expect(summary).toEqual({ refreshed: 1, failed: 0, deferred: 0, skipped: 0 });
    const after = await stored(id);
    expect(after.accessToken.data).not.toBe(before.accessToken.data);
    expect(after.tokenExpiresAt.getTime()).toBeGreaterThan(Date.now() + 59 * DAY_MS);
    expect(after.tokenIssuedAt.getTime()).toBeGreaterThan(before.tokenIssuedAt.getTime());
    const creds = await t.app.get(AccountsGateway).getCredentials(id);
    expect(creds.accessToken).not.toBe(sim.accessToken);
    expect(JSON.stringify(after)).not.toContain(creds.accessToken);
    const refreshCall = t.simulator.requests.find((r) => r.path.endsWith('/refresh_access_token'));
    expect(refreshCall?.query.grant_type).toBe('ig_refresh_token');
    expect(await accountAuditActions(t, id)).toContain('instagram_account.token_refreshed');
    await t.http.get(`/v1/instagram/${id}/profile`).set('Authorization', owner.auth).expect(200);
  });

  it('leaves alone tokens that are too young, far from expiry, Page tokens and removed accounts', async () => {
    const young = await connectAccount(t, owner);
    await setTokenDates(young.id, 0.5, 5);
    const notDue = await connectAccount(t, owner);
    await setTokenDates(notDue.id, 30, 30);
    const page = await connectAccount(t, owner, { connectionType: 'facebook' });
    const removed = await connectAccount(t, owner);
    await setTokenDates(removed.id, 55, 5);
    await t.http.delete(`/v1/instagram/${removed.id}`).set('Authorization', owner.auth).expect(204);
    const before = await rawAccounts(t);
    t.simulator.clearRequests();
    expect(await job.runOnce()).toEqual({ refreshed: 0, failed: 0, deferred: 0, skipped: 0 });
    expect(t.simulator.requests).toHaveLength(0);
    expect(await rawAccounts(t)).toEqual(before);
    expect(page.body.tokenExpiresAt).toBeNull();
  });

  it('flags the account for reconnection when Meta refuses the refresh', async () => {
    const { id, sim } = await connectAccount(t, owner);
    await setTokenDates(id, 58, 2);
    t.simulator.expireToken(sim.accessToken);
    const before = await stored(id);
    expect(await job.runOnce()).toEqual({ refreshed: 0, failed: 1, deferred: 0, skipped: 0 });
    const after = await stored(id);
    expect(after.reconnectRequired).toBe(true);
    expect(after.accessToken).toEqual(before.accessToken);
    expect(await accountAuditActions(t, id)).toContain('instagram_account.reconnect_required');
    t.simulator.clearRequests();
    expect(await job.runOnce()).toEqual({ refreshed: 0, failed: 0, deferred: 0, skipped: 0 });
    expect(t.simulator.requests).toHaveLength(0);
  });

  it('keeps the token and tries again next run when Meta fails temporarily', async () => {
    const { id } = await connectAccount(t, owner);
    await setTokenDates(id, 55, 5);
    t.simulator.failNext({
      path: '/refresh_access_token',
      status: 500,
      times: Infinity,
      error: { code: 2, message: 'Service temporarily unavailable' },
    });
    const before = await stored(id);
    expect(await job.runOnce()).toEqual({ refreshed: 0, failed: 0, deferred: 1, skipped: 0 });
    expect(await stored(id)).toEqual(before);
    t.simulator.reset();
  });

  it('refreshes every due account in one run', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { id } = await connectAccount(t, owner);
      await setTokenDates(id, 50, 9);
      ids.push(id);
    }
    expect((await job.runOnce()).refreshed).toBe(3);
    for (const id of ids)
      expect((await stored(id)).tokenExpiresAt.getTime()).toBeGreaterThan(Date.now() + 59 * DAY_MS);
  });
});
