import { ownerScope } from '../src/common/scope/owner-scope';
import { AccountsGateway } from '../src/instagram-accounts/accounts.gateway';
import {
  accountAuditActions,
  connectAccount,
  connectBody,
  countAccounts,
  rawAccounts,
} from './utils/account-factories';
import { createUser, type TestUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('Instagram accounts', () => {
  let t: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  beforeEach(async () => {
    await t.connection.collection('instagram_accounts').deleteMany({});
    await t.connection.collection('audit_logs').deleteMany({});
    t.simulator.reset();
    owner = await createUser(t);
  });

  function subscribedFields(instagramBusinessId: string): string[] {
    const accounts = t.simulator.state().accounts as {
      instagramBusinessId: string;
      subscribedFields: string[];
    }[];
    return (
      accounts.find((a) => a.instagramBusinessId === instagramBusinessId)?.subscribedFields ?? []
    );
  }

  describe('connect', () => {
    it('connects an Instagram Login account with Meta’s profile and a 60-day token', async () => {
      const sim = t.simulator.addAccount({ connectionType: 'instagram', followersCount: 4321 });
      const before = Date.now();
      const res = await t.http
        .post('/v1/instagram')
        .set('Authorization', owner.auth)
        .send({ accessToken: sim.accessToken, instagramBusinessId: sim.instagramBusinessId })
        .expect(201);
      expect(res.body).toMatchObject({
        user: owner.id,
        connectionType: 'instagram',
        instagramBusinessId: sim.instagramBusinessId,
        pageId: null,
        username: sim.username,
        profilePictureUrl: sim.profilePictureUrl,
        followersCount: 4321,
        isActive: true,
        reconnectRequired: false,
        webhookSubscribed: true,
      });
      expect(res.body.id).toMatch(/^[0-9a-f]{24}$/);
      const expiresAt = new Date(res.body.tokenExpiresAt).getTime();
      expect(expiresAt).toBeGreaterThanOrEqual(before + 60 * DAY_MS - 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 60 * DAY_MS);
      expect(subscribedFields(sim.instagramBusinessId)).toContain('messages');
      expect(await accountAuditActions(t, res.body.id)).toEqual(['instagram_account.connected']);
    });

    it('connects a Facebook Login account, preferring Meta’s profile over the values sent', async () => {
      const sim = t.simulator.addAccount({ connectionType: 'facebook', followersCount: 77 });
      const res = await t.http
        .post('/v1/instagram')
        .set('Authorization', owner.auth)
        .send({ ...connectBody(sim), username: 'typed_by_hand', followersCount: 5 })
        .expect(201);
      expect(res.body).toMatchObject({
        connectionType: 'facebook',
        pageId: sim.pageId,
        instagramBusinessId: sim.instagramBusinessId,
        username: sim.username,
        followersCount: 77,
        tokenExpiresAt: null,
        webhookSubscribed: true,
      });
      expect(subscribedFields(sim.instagramBusinessId)).toContain('messages');
    });

    it('refuses a token Meta does not know with 400 and Meta’s reason, writing nothing', async () => {
      const res = await t.http
        .post('/v1/instagram')
        .set('Authorization', owner.auth)
        .send({ accessToken: 'IGAAnot-a-real-token' })
        .expect(400);
      expect(res.body.error.message).toContain('Invalid OAuth access token');
      expect(res.body.error.details).toEqual([
        expect.objectContaining({ reason: 'token_invalid' }),
      ]);
      expect(await countAccounts(t)).toBe(0);
    });

    it('refuses an expired token with 400 and Meta’s reason, writing nothing', async () => {
      const sim = t.simulator.addAccount({ connectionType: 'facebook' });
      t.simulator.expireToken(sim.accessToken);
      const res = await t.http
        .post('/v1/instagram')
        .set('Authorization', owner.auth)
        .send(connectBody(sim))
        .expect(400);
      expect(res.body.error.message).toContain('Session has expired');
      expect(await countAccounts(t)).toBe(0);
    });

    it('refuses an Instagram Login token that belongs to another account than the id sent', async () => {
      const sim = t.simulator.addAccount({ connectionType: 'instagram' });
      const other = t.simulator.addAccount({ connectionType: 'instagram' });
      const res = await t.http
        .post('/v1/instagram')
        .set('Authorization', owner.auth)
        .send({ accessToken: sim.accessToken, instagramBusinessId: other.instagramBusinessId })
        .expect(400);
      expect(res.body.error.details[0].field).toBe('instagramBusinessId');
      expect(await countAccounts(t)).toBe(0);
    });

    it('refuses a Page token that cannot see the Instagram account named', async () => {
      const sim = t.simulator.addAccount({ connectionType: 'facebook' });
      const other = t.simulator.addAccount({ connectionType: 'facebook' });
      await t.http
        .post('/v1/instagram')
        .set('Authorization', owner.auth)
        .send({ ...connectBody(sim), instagramBusinessId: other.instagramBusinessId })
        .expect(400);
      expect(await countAccounts(t)).toBe(0);
    });

    it.each([
      [
        'both token shapes',
        { accessToken: 'IGAAx', pageAccessToken: 'EAAx', pageId: '1', instagramBusinessId: '2' },
      ],
      ['no token', { instagramBusinessId: '178414' }],
      ['an empty body', {}],
      ['a Page token without pageId', { pageAccessToken: 'EAAx', instagramBusinessId: '178414' }],
      ['a Page token without instagramBusinessId', { pageAccessToken: 'EAAx', pageId: '104' }],
      ['Facebook fields with an Instagram token', { accessToken: 'IGAAx', pageId: '104' }],
      [
        'a non-numeric Meta id',
        { pageAccessToken: 'EAAx', pageId: 'abc', instagramBusinessId: '1' },
      ],
      ['an unknown field', { accessToken: 'IGAAx', role: 'admin' }],
      ['a non-string token', { accessToken: 42 }],
      [
        'a negative follower count',
        { pageAccessToken: 'EAAx', pageId: '1', instagramBusinessId: '2', followersCount: -1 },
      ],
    ])('refuses %s with 400 before calling Meta', async (_name, body) => {
      const res = await t.http
        .post('/v1/instagram')
        .set('Authorization', owner.auth)
        .send(body)
        .expect(400);
      expect(res.body.error.code).toBe(400);
      expect(t.simulator.requests).toHaveLength(0);
      expect(await countAccounts(t)).toBe(0);
    });

    it('refuses connecting without a token with 401', async () => {
      await t.http.post('/v1/instagram').send({ accessToken: 'IGAAx' }).expect(401);
      expect(await countAccounts(t)).toBe(0);
    });

    it('refuses an account its owner already connected with 409', async () => {
      const { sim } = await connectAccount(t, owner);
      const res = await t.http
        .post('/v1/instagram')
        .set('Authorization', owner.auth)
        .send(connectBody(sim))
        .expect(409);
      expect(res.body.error.message).toMatch(/already connected/);
      expect(await countAccounts(t)).toBe(1);
    });

    it('refuses an account another user connected with 409, even after they removed it', async () => {
      const other = await createUser(t);
      const connected = await connectAccount(t, other, { connectionType: 'facebook' });
      await t.http
        .post('/v1/instagram')
        .set('Authorization', owner.auth)
        .send(connectBody(connected.sim))
        .expect(409);
      await t.http
        .delete(`/v1/instagram/${connected.id}`)
        .set('Authorization', other.auth)
        .expect(204);
      await t.http
        .post('/v1/instagram')
        .set('Authorization', owner.auth)
        .send(connectBody(connected.sim))
        .expect(409);
      const [stored] = await rawAccounts(t);
      expect(String(stored.user)).toBe(other.id);
      expect(stored.removedAt).not.toBeNull();
    });

    it('lets only one of two simultaneous connects of the same account succeed', async () => {
      const sim = t.simulator.addAccount({ connectionType: 'instagram' });
      const send = () =>
        t.http.post('/v1/instagram').set('Authorization', owner.auth).send(connectBody(sim));
      const statuses = (await Promise.all([send(), send()])).map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409]);
      expect(await countAccounts(t)).toBe(1);
    });

    it('re-activates an account its owner removed, keeping its id', async () => {
      const first = await connectAccount(t, owner);
      await t.http.delete(`/v1/instagram/${first.id}`).set('Authorization', owner.auth).expect(204);
      const res = await t.http
        .post('/v1/instagram')
        .set('Authorization', owner.auth)
        .send(connectBody(first.sim))
        .expect(201);
      expect(res.body).toMatchObject({
        id: first.id,
        reconnectRequired: false,
        webhookSubscribed: true,
      });
      await t.http.get(`/v1/instagram/${first.id}`).set('Authorization', owner.auth).expect(200);
      const [stored] = await rawAccounts(t);
      expect(stored.removedAt).toBeNull();
      expect(await accountAuditActions(t, first.id)).toEqual([
        'instagram_account.connected',
        'instagram_account.removed',
        'instagram_account.connected',
      ]);
    });

    it('takes a new token for an account that requires reconnection', async () => {
      const first = await connectAccount(t, owner);
      await t.app.get(AccountsGateway).markReconnectRequired(first.id, 'token_invalid');
      const fresh = t.simulator.addAccount({
        connectionType: 'instagram',
        instagramBusinessId: first.sim.instagramBusinessId,
      });
      const res = await t.http
        .post('/v1/instagram')
        .set('Authorization', owner.auth)
        .send(connectBody(fresh))
        .expect(201);
      expect(res.body).toMatchObject({ id: first.id, reconnectRequired: false });
      const creds = await t.app.get(AccountsGateway).getCredentials(first.id);
      expect(creds.accessToken).toBe(fresh.accessToken);
      expect(await accountAuditActions(t, first.id)).toEqual([
        'instagram_account.connected',
        'instagram_account.reconnect_required',
        'instagram_account.reconnected',
      ]);
    });

    it('stores the account with webhookSubscribed false when Meta refuses the subscription', async () => {
      const sim = t.simulator.addAccount({ connectionType: 'facebook' });
      t.simulator.failNext({
        method: 'POST',
        path: '/subscribed_apps',
        status: 400,
        error: { code: 100, message: '(#100) The app is not installed on the Page' },
      });
      const res = await t.http
        .post('/v1/instagram')
        .set('Authorization', owner.auth)
        .send(connectBody(sim))
        .expect(201);
      expect(res.body.webhookSubscribed).toBe(false);
      const [stored] = await rawAccounts(t);
      expect(stored.webhookSubscribed).toBe(false);
      expect(await accountAuditActions(t, res.body.id)).toEqual([
        'instagram_account.connected',
        'instagram_account.webhook_subscription_failed',
      ]);
    });
  });

  describe('ownership', () => {
    it('hides an account from other users with 404 on every route, changing nothing', async () => {
      const stranger = await createUser(t);
      const { id } = await connectAccount(t, owner);
      await t.http.get(`/v1/instagram/${id}`).set('Authorization', stranger.auth).expect(404);
      await t.http
        .get(`/v1/instagram/${id}/profile`)
        .set('Authorization', stranger.auth)
        .expect(404);
      await t.http
        .patch(`/v1/instagram/${id}`)
        .set('Authorization', stranger.auth)
        .send({ isActive: false })
        .expect(404);
      await t.http.delete(`/v1/instagram/${id}`).set('Authorization', stranger.auth).expect(404);
      const list = await t.http
        .get('/v1/instagram')
        .set('Authorization', stranger.auth)
        .expect(200);
      expect(list.body).toEqual([]);
      const [stored] = await rawAccounts(t);
      expect(stored).toMatchObject({ isActive: true, removedAt: null });
    });

    it('lists each user’s own accounts, newest first, without owner details', async () => {
      const stranger = await createUser(t);
      const a = await connectAccount(t, owner);
      const b = await connectAccount(t, owner, { connectionType: 'facebook' });
      await connectAccount(t, stranger);
      const res = await t.http.get('/v1/instagram').set('Authorization', owner.auth).expect(200);
      expect(res.body.map((x: { id: string }) => x.id)).toEqual([b.id, a.id]);
      expect(res.body[0].userInfo).toBeUndefined();
    });

    it('shows admins every account with its owner', async () => {
      const admin = await createUser(t, { role: 'admin', name: 'Ada Admin' });
      const other = await createUser(t, { name: 'Olga Other' });
      await connectAccount(t, owner);
      await connectAccount(t, other);
      const res = await t.http.get('/v1/instagram').set('Authorization', admin.auth).expect(200);
      expect(res.body).toHaveLength(2);
      const owners = res.body.map((x: { userInfo: unknown }) => x.userInfo);
      expect(owners).toEqual(
        expect.arrayContaining([
          { id: owner.id, name: 'Test User', email: owner.email },
          { id: other.id, name: 'Olga Other', email: other.email },
        ]),
      );
    });

    it('lets an admin read, change and remove any account', async () => {
      const admin = await createUser(t, { role: 'admin' });
      const { id } = await connectAccount(t, owner);
      await t.http.get(`/v1/instagram/${id}`).set('Authorization', admin.auth).expect(200);
      const res = await t.http
        .patch(`/v1/instagram/${id}`)
        .set('Authorization', admin.auth)
        .send({ isActive: false })
        .expect(200);
      expect(res.body).toMatchObject({ isActive: false, user: owner.id });
      await t.http.delete(`/v1/instagram/${id}`).set('Authorization', admin.auth).expect(204);
      await t.http.get(`/v1/instagram/${id}`).set('Authorization', owner.auth).expect(404);
    });

    it('answers a malformed account id with 400, changing nothing', async () => {
      const { id } = await connectAccount(t, owner);
      for (const request of [
        t.http.get('/v1/instagram/not-an-id'),
        t.http.get('/v1/instagram/not-an-id/profile'),
        t.http.patch('/v1/instagram/not-an-id').send({ isActive: false }),
        t.http.delete('/v1/instagram/123'),
      ]) {
        const res = await request.set('Authorization', owner.auth).expect(400);
        expect(res.body.error.message).toBe('Malformed id');
      }
      const [stored] = await rawAccounts(t);
      expect(String(stored._id)).toBe(id);
      expect(stored).toMatchObject({ isActive: true, removedAt: null });
    });

    it('pages the list with skip and limit, refusing a limit above 100', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await connectAccount(t, owner)).id);
      const first = await t.http
        .get('/v1/instagram?limit=2')
        .set('Authorization', owner.auth)
        .expect(200);
      const rest = await t.http
        .get('/v1/instagram?limit=2&skip=2')
        .set('Authorization', owner.auth)
        .expect(200);
      expect([...first.body, ...rest.body].map((x: { id: string }) => x.id)).toEqual(ids.reverse());
      await t.http.get('/v1/instagram?limit=101').set('Authorization', owner.auth).expect(400);
      await t.http.get('/v1/instagram?skip=-1').set('Authorization', owner.auth).expect(400);
    });
  });

  describe('update', () => {
    it('changes the owner-editable fields and records the change', async () => {
      const { id } = await connectAccount(t, owner);
      const res = await t.http
        .patch(`/v1/instagram/${id}`)
        .set('Authorization', owner.auth)
        .send({ username: 'renamed', followersCount: 10, isActive: false })
        .expect(200);
      expect(res.body).toMatchObject({ username: 'renamed', followersCount: 10, isActive: false });
      const get = await t.http
        .get(`/v1/instagram/${id}`)
        .set('Authorization', owner.auth)
        .expect(200);
      expect(get.body).toMatchObject({ username: 'renamed', isActive: false });
      expect(await accountAuditActions(t, id)).toContain('instagram_account.updated');
    });

    it.each([
      ['an empty body', {}],
      ['a negative follower count', { followersCount: -3 }],
      ['a non-boolean isActive', { isActive: 'no' }],
      ['a picture URL that is not http(s)', { profilePictureUrl: 'javascript:alert(1)' }],
      ['an unknown field', { user: '64b7f0c2a1b2c3d4e5f60718' }],
    ])('refuses %s with 400, changing nothing', async (_name, body) => {
      const { id } = await connectAccount(t, owner);
      const before = await rawAccounts(t);
      await t.http
        .patch(`/v1/instagram/${id}`)
        .set('Authorization', owner.auth)
        .send(body)
        .expect(400);
      expect(await rawAccounts(t)).toEqual(before);
    });

    it('replaces the token after verifying it with Meta, clearing reconnectRequired', async () => {
      const first = await connectAccount(t, owner);
      const service = t.app.get(AccountsGateway);
      await service.markReconnectRequired(first.id, 'token_invalid');
      const fresh = t.simulator.addAccount({
        connectionType: 'instagram',
        instagramBusinessId: first.sim.instagramBusinessId,
      });
      const res = await t.http
        .patch(`/v1/instagram/${first.id}`)
        .set('Authorization', owner.auth)
        .send({ accessToken: fresh.accessToken })
        .expect(200);
      expect(res.body).toMatchObject({ reconnectRequired: false, webhookSubscribed: true });
      expect((await service.getCredentials(first.id)).accessToken).toBe(fresh.accessToken);
    });

    it('refuses a token of another Instagram account with 400, keeping the stored one', async () => {
      const first = await connectAccount(t, owner);
      const other = t.simulator.addAccount({ connectionType: 'instagram' });
      const before = await rawAccounts(t);
      await t.http
        .patch(`/v1/instagram/${first.id}`)
        .set('Authorization', owner.auth)
        .send({ accessToken: other.accessToken })
        .expect(400);
      expect(await rawAccounts(t)).toEqual(before);
    });

    it('refuses a token Meta rejects with 400, keeping the stored one', async () => {
      const first = await connectAccount(t, owner);
      const before = await rawAccounts(t);
      const res = await t.http
        .patch(`/v1/instagram/${first.id}`)
        .set('Authorization', owner.auth)
        .send({ accessToken: 'IGAAwrong' })
        .expect(400);
      expect(res.body.error.message).toContain('Invalid OAuth access token');
      expect(await rawAccounts(t)).toEqual(before);
    });
  });

  describe('remove', () => {
    it('hides the account, unsubscribes its webhooks and records the removal', async () => {
      const { id, sim } = await connectAccount(t, owner, { connectionType: 'facebook' });
      expect(subscribedFields(sim.instagramBusinessId)).not.toHaveLength(0);
      const res = await t.http
        .delete(`/v1/instagram/${id}`)
        .set('Authorization', owner.auth)
        .expect(204);
      expect(res.text).toBe('');
      expect(subscribedFields(sim.instagramBusinessId)).toEqual([]);
      await t.http.get(`/v1/instagram/${id}`).set('Authorization', owner.auth).expect(404);
      const list = await t.http.get('/v1/instagram').set('Authorization', owner.auth).expect(200);
      expect(list.body).toEqual([]);
      const [stored] = await rawAccounts(t);
      expect(stored.removedAt).toBeInstanceOf(Date);
      expect(await accountAuditActions(t, id)).toContain('instagram_account.removed');
      await t.http.delete(`/v1/instagram/${id}`).set('Authorization', owner.auth).expect(404);
    });

    it('removes the account even when Meta refuses the unsubscription', async () => {
      const { id } = await connectAccount(t, owner);
      t.simulator.failNext({
        method: 'DELETE',
        path: '/subscribed_apps',
        status: 400,
        error: { code: 100, message: '(#100) Unsupported request' },
      });
      await t.http.delete(`/v1/instagram/${id}`).set('Authorization', owner.auth).expect(204);
      await t.http.get(`/v1/instagram/${id}`).set('Authorization', owner.auth).expect(404);
    });
  });

  describe('service contract', () => {
    it('finds an account for webhooks by Instagram id or Page id until it is removed', async () => {
      const service = t.app.get(AccountsGateway);
      const { id, sim } = await connectAccount(t, owner, { connectionType: 'facebook' });
      const expected = {
        id,
        userId: owner.id,
        connectionType: 'facebook',
        instagramBusinessId: sim.instagramBusinessId,
        pageId: sim.pageId,
        username: sim.username,
        isActive: true,
        reconnectRequired: false,
      };
      expect(await service.findRefForWebhook(sim.instagramBusinessId)).toEqual(expected);
      expect(await service.findRefForWebhook(sim.pageId as string)).toEqual(expected);
      expect(await service.findRefForWebhook('999999')).toBeNull();
      await t.http.delete(`/v1/instagram/${id}`).set('Authorization', owner.auth).expect(204);
      expect(await service.findRefForWebhook(sim.instagramBusinessId)).toBeNull();
    });

    it('gives the owner’s ref and decrypted credentials, and hides the account from others', async () => {
      const service = t.app.get(AccountsGateway);
      const stranger = await createUser(t);
      const { id, sim } = await connectAccount(t, owner);
      expect((await service.findOwnedRef(ownerScope(owner.id), id)).instagramBusinessId).toBe(
        sim.instagramBusinessId,
      );
      await expect(service.findOwnedRef(ownerScope(stranger.id), id)).rejects.toMatchObject({
        status: 404,
      });
      await expect(service.findOwnedRef(ownerScope(owner.id), 'nope')).rejects.toMatchObject({
        status: 404,
      });
      expect(await service.getCredentials(id)).toEqual({
        accessToken: sim.accessToken,
        connectionType: 'instagram',
        instagramBusinessId: sim.instagramBusinessId,
        pacingKey: id,
      });
    });

    it('flags an account for reconnection once, however often it is told', async () => {
      const service = t.app.get(AccountsGateway);
      const { id, sim } = await connectAccount(t, owner);
      await service.markReconnectRequired(id, 'token_invalid');
      await service.markReconnectRequired(id, 'token_invalid');
      const res = await t.http
        .get(`/v1/instagram/${id}`)
        .set('Authorization', owner.auth)
        .expect(200);
      expect(res.body.reconnectRequired).toBe(true);
      expect((await service.findRefForWebhook(sim.instagramBusinessId))?.reconnectRequired).toBe(
        true,
      );
      const actions = await accountAuditActions(t, id);
      expect(actions.filter((a) => a === 'instagram_account.reconnect_required')).toHaveLength(1);
    });
  });
});
