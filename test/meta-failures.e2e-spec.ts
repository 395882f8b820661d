import request from 'supertest';
import { connectAccount, connectBody, countAccounts } from './utils/account-factories';
import { createUser, type TestUser } from './utils/factories';
import { createInbox, rawDocs, startConversation, type Inbox } from './utils/messaging-factories';
import { createTestApp, type TestApp } from './utils/test-app';

/** Meta's answer to a request it could not serve (Graph API error example). */
const META_SERVER_ERROR = {
  status: 500,
  error: {
    message: 'An unexpected error has occurred. Please retry your request later.',
    type: 'OAuthException',
    code: 2,
  },
};

/** An error Meta may send that we do not classify. */
const META_UNKNOWN_ERROR = {
  status: 400,
  error: { message: 'Something Meta did not expect', type: 'OAuthException', code: 12345 },
};

describe('Failures caused by Meta answer 424, never a 5xx', () => {
  let t: TestApp;
  let owner: TestUser;
  let inbox: Inbox;

  beforeAll(async () => {
    t = await createTestApp({ env: { META_TIMEOUT_MS: '300', META_MAX_RETRIES: '0' } });
    owner = await createUser(t);
    inbox = await createInbox(t);
  });

  afterAll(async () => {
    await t.close();
  });

  afterEach(async () => {
    await control('latency', { ms: 0 });
  });

  /** The simulator's control API, as `npm run meta:simulator` exposes it. */
  async function control(action: 'fail-next' | 'latency', body: Record<string, unknown>) {
    await request(t.simulator.url).post(`/_simulator/${action}`).send(body).expect(200);
  }

  function expectMetaFailure(
    res: request.Response,
    detail: Record<string, unknown>,
    message: RegExp,
  ): void {
    expect(res.status).toBe(424);
    expect(res.body).toEqual({
      error: { code: 424, message: expect.stringMatching(message), details: [detail] },
    });
  }

  const serverErrorDetail = {
    reason: 'transient',
    retryable: true,
    metaCode: 2,
    metaHttpStatus: 500,
    fbtraceId: expect.any(String),
  };
  const unknownErrorDetail = {
    reason: 'unknown',
    retryable: false,
    metaCode: 12345,
    metaHttpStatus: 400,
    fbtraceId: expect.any(String),
  };
  const timeoutDetail = { reason: 'timeout', retryable: true };

  describe('on send', () => {
    let conversationId: string;

    beforeEach(async () => {
      ({ conversationId } = await startConversation(t, inbox));
    });

    const send = (text: string) =>
      t.http
        .post(`/v1/messages/${conversationId}`)
        .set('Authorization', inbox.user.auth)
        .send({ text });

    it('answers a Meta server error with 424, its code and the Retry-After Meta sent', async () => {
      await control('fail-next', {
        ...META_SERVER_ERROR,
        method: 'POST',
        path: '/messages',
        headers: { 'retry-after': '30' },
      });
      const res = await send('meta 5xx');
      expectMetaFailure(res, serverErrorDetail, /unexpected error/);
      expect(res.headers['retry-after']).toBe('30');
      const [stored] = await rawDocs(t, 'messages', { text: 'meta 5xx' });
      expect(stored).toMatchObject({ status: 'failed', error: { code: 2 } });
    });

    it('answers an unknown Meta error with 424, not retryable, without Retry-After', async () => {
      await control('fail-next', { ...META_UNKNOWN_ERROR, method: 'POST', path: '/messages' });
      const res = await send('meta unknown');
      expectMetaFailure(res, unknownErrorDetail, /did not expect/);
      expect(res.headers['retry-after']).toBeUndefined();
      const [stored] = await rawDocs(t, 'messages', { text: 'meta unknown' });
      expect(stored).toMatchObject({ status: 'failed', error: { code: 12345 } });
    });

    it('answers 424 when Meta does not answer in time, and does not send twice', async () => {
      t.simulator.sentMessages.length = 0;
      await control('latency', { ms: 1_000 });
      const res = await send('meta slow');
      expectMetaFailure(res, timeoutDetail, /did not answer in time/);
      const [stored] = await rawDocs(t, 'messages', { text: 'meta slow' });
      expect(stored.status).toBe('failed');
      const attempts = t.simulator.requests.filter(
        (r) =>
          r.method === 'POST' &&
          (r.body as { message?: { text?: string } } | undefined)?.message?.text === 'meta slow',
      );
      expect(attempts).toHaveLength(1);
    });
  });

  describe('on connect', () => {
    async function connect(): Promise<request.Response> {
      const sim = t.simulator.addAccount({ connectionType: 'instagram' });
      return t.http.post('/v1/instagram').set('Authorization', owner.auth).send(connectBody(sim));
    }

    it('answers a Meta server error with 424 and stores no account', async () => {
      const before = await countAccounts(t);
      await control('fail-next', { ...META_SERVER_ERROR, path: '/me' });
      expectMetaFailure(await connect(), serverErrorDetail, /unexpected error/);
      expect(await countAccounts(t)).toBe(before);
    });

    it('answers an unknown Meta error with 424 and stores no account', async () => {
      const before = await countAccounts(t);
      await control('fail-next', { ...META_UNKNOWN_ERROR, path: '/me' });
      expectMetaFailure(await connect(), unknownErrorDetail, /did not expect/);
      expect(await countAccounts(t)).toBe(before);
    });

    it('answers 424 when Meta does not answer in time and stores no account', async () => {
      const before = await countAccounts(t);
      await control('latency', { ms: 1_000 });
      expectMetaFailure(await connect(), timeoutDetail, /did not answer in time/);
      expect(await countAccounts(t)).toBe(before);
    });
  });

  describe('on profile', () => {
    let accountId: string;

    beforeAll(async () => {
      ({ id: accountId } = await connectAccount(t, owner));
    });

    const profile = () =>
      t.http.get(`/v1/instagram/${accountId}/profile`).set('Authorization', owner.auth);

    async function expectNotFlagged(): Promise<void> {
      const account = await t.http
        .get(`/v1/instagram/${accountId}`)
        .set('Authorization', owner.auth)
        .expect(200);
      expect(account.body.reconnectRequired).toBe(false);
    }

    it('answers a Meta server error with 424 and keeps the account usable', async () => {
      await control('fail-next', { ...META_SERVER_ERROR, path: '/media' });
      expectMetaFailure(await profile(), serverErrorDetail, /unexpected error/);
      await expectNotFlagged();
    });

    it('answers an unknown Meta error with 424', async () => {
      await control('fail-next', { ...META_UNKNOWN_ERROR, path: '/media' });
      expectMetaFailure(await profile(), unknownErrorDetail, /did not expect/);
      await expectNotFlagged();
    });

    it('answers 424 when Meta does not answer in time', async () => {
      await control('latency', { ms: 1_000 });
      expectMetaFailure(await profile(), timeoutDetail, /did not answer in time/);
      await control('latency', { ms: 0 });
      await expectNotFlagged();
    });
  });
});
