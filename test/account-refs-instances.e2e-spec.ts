import { setTimeout as sleep } from 'node:timers/promises';
import { AccountsGateway } from '../src/instagram-accounts/accounts.gateway';
import type { InstagramAccountRef } from '../src/instagram-accounts/instagram-account-ref';
import { connectAccount, connectBody } from './utils/account-factories';
import { createUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

/** A change made through one instance must be seen by the others within this bound. */
const PROPAGATION_BOUND_MS = 1_000;

describe('Webhook account routing across two instances of one deployment', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ databaseName: a.databaseName });
  });

  afterAll(async () => {
    await b?.close({ keepDatabase: true });
    await a?.close();
  });

  const refOnB = (metaId: string) => b.app.get(AccountsGateway).findRefForWebhook(metaId);

  /** Polls instance B's routing of `metaId` until `matches`; returns how long that took. */
  async function msUntilRefOnB(
    metaId: string,
    matches: (ref: InstagramAccountRef | null) => boolean,
  ): Promise<number> {
    const started = Date.now();
    for (;;) {
      const ref = await refOnB(metaId);
      const elapsed = Date.now() - started;
      if (matches(ref)) return elapsed;
      if (elapsed > PROPAGATION_BOUND_MS) {
        throw new Error(`instance B still routes ${metaId} to ${JSON.stringify(ref)}`);
      }
      await sleep(20);
    }
  }

  it('stops routing webhooks to an account removed through instance A within 1 s, and routes them again once it is reconnected', async () => {
    const owner = await createUser(a);
    const account = await connectAccount(a, owner);
    const metaId = account.sim.instagramBusinessId;
    expect(await refOnB(metaId)).toMatchObject({ id: account.id });

    await a.http.delete(`/v1/instagram/${account.id}`).set('Authorization', owner.auth).expect(204);
    expect(await msUntilRefOnB(metaId, (ref) => ref === null)).toBeLessThanOrEqual(
      PROPAGATION_BOUND_MS,
    );

    await a.http
      .post('/v1/instagram')
      .set('Authorization', owner.auth)
      .send(connectBody(account.sim))
      .expect(201);
    expect(await msUntilRefOnB(metaId, (ref) => ref?.id === account.id)).toBeLessThanOrEqual(
      PROPAGATION_BOUND_MS,
    );
  });

  it('sees on instance B within 1 s that instance A flagged an account for reconnection', async () => {
    const owner = await createUser(a);
    const account = await connectAccount(a, owner);
    const metaId = account.sim.instagramBusinessId;
    expect(await refOnB(metaId)).toMatchObject({ reconnectRequired: false });

    await a.app.get(AccountsGateway).markReconnectRequired(account.id, 'token_invalid');
    expect(
      await msUntilRefOnB(metaId, (ref) => ref?.reconnectRequired === true),
    ).toBeLessThanOrEqual(PROPAGATION_BOUND_MS);
  });
});
