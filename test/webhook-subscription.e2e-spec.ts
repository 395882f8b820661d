import type { SimAccount } from '../src/meta-simulator';
import { connectBody, rawAccounts } from './utils/account-factories';
import { createUser, type TestUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

/**
 * Subscribing a connected account to the webhooks, against a simulator that,
 * like Meta, refuses field names the login type does not know.
 */
describe('Webhook subscription of connected accounts', () => {
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
    t.simulator.reset();
    owner = await createUser(t);
  });

  function subscriptionRequests() {
    return t.simulator.requests.filter((r) => r.path.endsWith('/subscribed_apps'));
  }

  async function connect(sim: SimAccount) {
    const res = await t.http
      .post('/v1/instagram')
      .set('Authorization', owner.auth)
      .send(connectBody(sim))
      .expect(201);
    return res.body as {
      id: string;
      webhookSubscribed: boolean;
      webhookSubscriptionError: unknown;
    };
  }

  it('subscribes an Instagram-Login account through /me with Instagram field names', async () => {
    const sim = t.simulator.addAccount({ connectionType: 'instagram' });
    const body = await connect(sim);

    expect(body).toMatchObject({ webhookSubscribed: true, webhookSubscriptionError: null });
    expect(subscriptionRequests()).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/instagram/v21.0/me/subscribed_apps',
        query: expect.objectContaining({
          subscribed_fields:
            'messages,messaging_postbacks,messaging_seen,messaging_referral,message_reactions',
        }),
      }),
    ]);
    expect(sim.subscribedFields).not.toContain('message_echoes');
  });

  it('subscribes a Facebook-Login Page with Page field names', async () => {
    const sim = t.simulator.addAccount({ connectionType: 'facebook' });
    const body = await connect(sim);

    expect(body).toMatchObject({ webhookSubscribed: true, webhookSubscriptionError: null });
    expect(subscriptionRequests()).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: `/graph/v21.0/${sim.pageId}/subscribed_apps`,
        query: expect.objectContaining({
          subscribed_fields:
            'messages,messaging_postbacks,message_reads,messaging_referrals,message_reactions,message_edits',
        }),
      }),
    ]);
    expect(sim.subscribedFields).toEqual([
      'messages',
      'messaging_postbacks',
      'message_reads',
      'messaging_referrals',
      'message_reactions',
      'message_edits',
    ]);
  });

  it('shows webhookSubscribed false with Meta’s reason when Meta refuses, until a later subscription succeeds', async () => {
    const sim = t.simulator.addAccount({ connectionType: 'facebook' });
    const refusal =
      '(#200) To subscribe to the messages field, one of these permissions is needed: pages_messaging';
    t.simulator.failNext({
      method: 'POST',
      path: '/subscribed_apps',
      status: 403,
      error: { code: 200, type: 'OAuthException', message: refusal },
    });
    const body = await connect(sim);

    expect(body).toMatchObject({ webhookSubscribed: false, webhookSubscriptionError: refusal });
    expect(sim.subscribedFields).toEqual([]);
    const shown = await t.http
      .get(`/v1/instagram/${body.id}`)
      .set('Authorization', owner.auth)
      .expect(200);
    expect(shown.body).toMatchObject({
      webhookSubscribed: false,
      webhookSubscriptionError: refusal,
    });
    const [stored] = await rawAccounts(t);
    expect(stored).toMatchObject({ webhookSubscribed: false, webhookSubscriptionError: refusal });

    const fresh = t.simulator.addAccount({
      connectionType: 'facebook',
      instagramBusinessId: sim.instagramBusinessId,
      pageId: sim.pageId,
    });
    const replaced = await t.http
      .patch(`/v1/instagram/${body.id}`)
      .set('Authorization', owner.auth)
      .send({ accessToken: fresh.accessToken })
      .expect(200);
    expect(replaced.body).toMatchObject({
      webhookSubscribed: true,
      webhookSubscriptionError: null,
    });
    const [after] = await rawAccounts(t);
    expect(after).toMatchObject({ webhookSubscribed: true, webhookSubscriptionError: null });
  });

  it('lists accounts with the subscription state and no reason when subscribed', async () => {
    await connect(t.simulator.addAccount({ connectionType: 'instagram' }));
    const res = await t.http.get('/v1/instagram').set('Authorization', owner.auth).expect(200);
    const accounts = (Array.isArray(res.body) ? res.body : res.body.accounts) as unknown[];
    expect(accounts).toEqual([
      expect.objectContaining({ webhookSubscribed: true, webhookSubscriptionError: null }),
    ]);
  });
});
