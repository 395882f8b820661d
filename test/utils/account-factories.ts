import type { InstagramAccountResponseDto } from '../../src/instagram-accounts/dto/instagram-account-response.dto';
import type { SimAccount } from '../../src/meta-simulator';
import type { TestUser } from './factories';
import type { TestApp } from './test-app';

export type ConnectionType = 'facebook' | 'instagram';

export interface ConnectedAccount {
  /** Our account id. */
  id: string;
  /** The connect response body. */
  body: InstagramAccountResponseDto;
  /** The simulated Meta account behind it (holds the plaintext token). */
  sim: SimAccount;
}

/** The POST /v1/instagram body that connects `sim` the way it was created. */
export function connectBody(sim: SimAccount): Record<string, unknown> {
  return sim.connectionType === 'facebook'
    ? {
        pageId: sim.pageId,
        instagramBusinessId: sim.instagramBusinessId,
        pageAccessToken: sim.accessToken,
      }
    : { accessToken: sim.accessToken };
}

/** Creates a simulated Meta account and connects it for `user` through the real route. */
export async function connectAccount(
  t: TestApp,
  user: TestUser,
  options: { connectionType?: ConnectionType; sim?: Partial<SimAccount> } = {},
): Promise<ConnectedAccount> {
  const sim = t.simulator.addAccount({
    connectionType: options.connectionType ?? 'instagram',
    ...options.sim,
  });
  const res = await t.http
    .post('/v1/instagram')
    .set('Authorization', user.auth)
    .send(connectBody(sim))
    .expect(201);
  const body = res.body as InstagramAccountResponseDto;
  return { id: body.id, body, sim };
}

/** Raw documents of the accounts collection (every field, the encrypted token included). */
export function rawAccounts(t: TestApp) {
  return t.connection.collection('instagram_accounts').find({}).toArray();
}

export function countAccounts(t: TestApp): Promise<number> {
  return t.connection.collection('instagram_accounts').countDocuments();
}

/** Audit entries about one account, oldest first. */
export function accountAuditActions(t: TestApp, accountId: string): Promise<string[]> {
  return t.connection
    .collection('audit_logs')
    .find({ 'target.id': accountId })
    .sort({ createdAt: 1, _id: 1 })
    .toArray()
    .then((entries) => entries.map((entry) => entry.action as string));
}
