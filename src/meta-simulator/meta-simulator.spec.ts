import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetaSimulator } from './meta-simulator';
import { inboundMessage, signWebhookBody, webhookBatch } from './webhook-events';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook endpoint that records what it receives and answers 200 "EVENT_RECEIVED". */
async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  close: () => Promise<void>;
}> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('EVENT_RECEIVED');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/webhook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('MetaSimulator', () => {
  let sim: MetaSimulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    sim = await MetaSimulator.start({ appSecret: 'sim-secret' });
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await sim.stop();
    await receiver.close();
  });

  beforeEach(() => {
    sim.reset();
    sim.webhookUrl = receiver.url;
    receiver.received.length = 0;
  });

  async function call(
    method: string,
    url: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<{ status: number; headers: Headers; json: ReturnType<typeof JSON.parse> }> {
    const response = await fetch(url, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      json: text ? JSON.parse(text) : undefined,
    };
  }

  describe('accounts and users', () => {
    it('generates numeric ids, a token and profile data for a new account', () => {
      const account = sim.addAccount();
      const page = sim.addAccount({ connectionType: 'facebook' });

      expect(account.instagramBusinessId).toMatch(/^17841\d{12}$/);
      expect(account.connectionType).toBe('instagram');
      expect(account.accessToken).toMatch(/^IGAA/);
      expect(account.pageId).toBeUndefined();
      expect(page.pageId).toMatch(/^\d{15}$/);
      expect(page.accessToken).toMatch(/^EAA/);
      expect(page.instagramBusinessId).not.toBe(account.instagramBusinessId);
      expect(account).toMatchObject({ tokenExpired: false, subscribedFields: [] });
    });

    it('serves an Instagram Login /me with user_id and a different app-scoped id', async () => {
      const account = sim.addAccount({ username: 'shop' });

      const me = await call(
        'GET',
        `${sim.instagramApiUrl}/v21.0/me?fields=user_id,username,followers_count`,
        { token: account.accessToken },
      );

      expect(me.status).toBe(200);
      expect(me.json).toEqual({
        id: expect.any(String),
        user_id: account.instagramBusinessId,
        username: 'shop',
        followers_count: account.followersCount,
      });
      expect(me.json.id).not.toBe(account.instagramBusinessId);
    });

    it('refuses unknown fields like the Graph API', async () => {
      const account = sim.addAccount({ connectionType: 'facebook' });

      const res = await call(
        'GET',
        `${sim.graphApiUrl}/v21.0/${account.instagramBusinessId}?fields=username,secret_field`,
        { token: account.accessToken },
      );

      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 100, type: 'OAuthException' });
    });

    it('answers code 100 subcode 33 for an unknown messaging user', async () => {
      const account = sim.addAccount();

      const res = await call('GET', `${sim.instagramApiUrl}/v21.0/123456?fields=name`, {
        token: account.accessToken,
      });

      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({
        code: 100,
        error_subcode: 33,
        type: 'GraphMethodException',
      });
    });
  });

  describe('tokens', () => {
    it('refuses an unknown token with code 190', async () => {
      const res = await call('GET', `${sim.instagramApiUrl}/v21.0/me`, { token: 'IGAAnope' });

      expect(res.status).toBe(400);
      expect(res.json.error).toEqual({
        message: 'Invalid OAuth access token - Cannot parse access token',
        type: 'OAuthException',
        code: 190,
        fbtrace_id: expect.any(String),
      });
    });

    it('refuses an expired token with 401, code 190, subcode 463', async () => {
      const account = sim.addAccount();
      sim.expireToken(account.accessToken);

      const res = await call('GET', `${sim.instagramApiUrl}/v21.0/me`, {
        token: account.accessToken,
      });

      expect(res.status).toBe(401);
      expect(res.json.error).toMatchObject({
        code: 190,
        error_subcode: 463,
        type: 'OAuthException',
      });
      expect(res.headers.get('www-authenticate')).toContain('invalid_token');
      expect(account.tokenExpired).toBe(true);
    });

    it('accepts the token as an access_token query parameter', async () => {
      const account = sim.addAccount();

      const res = await call(
        'GET',
        `${sim.instagramApiUrl}/v21.0/me?access_token=${account.accessToken}`,
      );

      expect(res.status).toBe(200);
    });

    it('refuses a token on the host of the other login type', async () => {
      const account = sim.addAccount({ connectionType: 'instagram' });

      const res = await call('GET', `${sim.graphApiUrl}/v21.0/me`, { token: account.accessToken });

      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe(190);
    });

    it('refuses a wrong appsecret_proof and accepts the right one', async () => {
      const account = sim.addAccount();
      const proof = createHmac('sha256', 'sim-secret').update(account.accessToken).digest('hex');

      const wrong = await call('GET', `${sim.instagramApiUrl}/v21.0/me?appsecret_proof=abc`, {
        token: account.accessToken,
      });
      const right = await call('GET', `${sim.instagramApiUrl}/v21.0/me?appsecret_proof=${proof}`, {
        token: account.accessToken,
      });

      expect(wrong.status).toBe(400);
      expect(wrong.json.error).toMatchObject({ code: 100 });
      expect(right.status).toBe(200);
    });

    it('refreshes an Instagram token while keeping the old one valid', async () => {
      const account = sim.addAccount();

      const res = await call(
        'GET',
        `${sim.instagramApiUrl}/refresh_access_token?grant_type=ig_refresh_token`,
        { token: account.accessToken },
      );

      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        access_token: expect.stringMatching(/^IGAA/),
        token_type: 'bearer',
        expires_in: 5_184_000,
      });
      const viaNew = await call('GET', `${sim.instagramApiUrl}/v21.0/me`, {
        token: res.json.access_token,
      });
      const viaOld = await call('GET', `${sim.instagramApiUrl}/v21.0/me`, {
        token: account.accessToken,
      });
      expect(viaNew.status).toBe(200);
      expect(viaOld.status).toBe(200);
    });

    it('only refreshes on the Instagram host', async () => {
      const account = sim.addAccount({ connectionType: 'facebook' });

      const res = await call(
        'GET',
        `${sim.graphApiUrl}/refresh_access_token?grant_type=ig_refresh_token`,
        { token: account.accessToken },
      );

      expect(res.status).toBe(400);
    });
  });

  describe('failure rules, latency and rate limits', () => {
    it('fails the next matching request once with a Meta error envelope', async () => {
      const account = sim.addAccount();
      sim.failNext({
        method: 'GET',
        path: '/me',
        status: 500,
        error: { message: 'Please retry your request later.', type: 'OAuthException', code: 2 },
        headers: { 'x-test': 'yes' },
      });

      const failed = await call('GET', `${sim.instagramApiUrl}/v21.0/me`, {
        token: account.accessToken,
      });
      const ok = await call('GET', `${sim.instagramApiUrl}/v21.0/me`, {
        token: account.accessToken,
      });

      expect(failed.status).toBe(500);
      expect(failed.json.error).toEqual({
        message: 'Please retry your request later.',
        type: 'OAuthException',
        code: 2,
        fbtrace_id: expect.any(String),
      });
      expect(failed.headers.get('x-test')).toBe('yes');
      expect(ok.status).toBe(200);
    });

    it('leaves requests that do not match the rule alone', async () => {
      const account = sim.addAccount();
      sim.failNext({ method: 'POST', status: 400, error: { message: 'nope', code: 100 } });

      const res = await call('GET', `${sim.instagramApiUrl}/v21.0/me`, {
        token: account.accessToken,
      });

      expect(res.status).toBe(200);
    });

    it('fails as many times as asked, and forever with Infinity', async () => {
      const account = sim.addAccount();
      const url = `${sim.instagramApiUrl}/v21.0/me`;
      sim.failNext({ path: /\/me$/, times: 2, status: 503, error: { message: 'down', code: 1 } });

      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await call('GET', url, { token: account.accessToken })).status);
      sim.failNext({ times: Infinity, status: 503, error: { message: 'down', code: 1 } });
      for (let i = 0; i < 3; i++)
        statuses.push((await call('GET', url, { token: account.accessToken })).status);

      expect(statuses).toEqual([503, 503, 200, 503, 503, 503]);
    });

    it('throttles over the rate limit with code 4 and usage headers', async () => {
      const account = sim.addAccount();
      sim.setRateLimit(1);

      const first = await call('GET', `${sim.instagramApiUrl}/v21.0/me`, {
        token: account.accessToken,
      });
      const second = await call('GET', `${sim.instagramApiUrl}/v21.0/me`, {
        token: account.accessToken,
      });

      expect(first.status).toBe(200);
      expect(second.status).toBe(429);
      expect(second.json.error).toMatchObject({ code: 4 });
      expect(JSON.parse(second.headers.get('x-app-usage') ?? '{}')).toMatchObject({
        call_count: 100,
      });
      expect(second.headers.get('x-business-use-case-usage')).toContain(
        'estimated_time_to_regain_access',
      );
      expect(second.headers.get('retry-after')).toBe('1');
    });
  });

  describe('recording', () => {
    it('records every Graph request with lower-cased headers, query and parsed body', async () => {
      const account = sim.addAccount();
      const user = sim.addUser();

      await call(
        'POST',
        `${sim.instagramApiUrl}/v21.0/${account.instagramBusinessId}/messages?x=1`,
        {
          token: account.accessToken,
          body: { recipient: { id: user.igsid }, sender_action: 'typing_on' },
        },
      );
      await call('GET', `${sim.instagramApiUrl}/v21.0/me`, { token: 'bad' });

      expect(sim.requests).toHaveLength(2);
      expect(sim.requests[0]).toEqual({
        method: 'POST',
        path: `/instagram/v21.0/${account.instagramBusinessId}/messages`,
        query: { x: '1' },
        headers: expect.objectContaining({
          authorization: `Bearer ${account.accessToken}`,
          'content-type': 'application/json',
        }),
        body: { recipient: { id: user.igsid }, sender_action: 'typing_on' },
        at: expect.any(Date),
      });
      expect(sim.sentMessages).toHaveLength(0);

      sim.clearRequests();
      expect(sim.requests).toHaveLength(0);
    });

    it('records sent messages with unique message ids', async () => {
      const account = sim.addAccount();
      const user = sim.addUser();
      const url = `${sim.instagramApiUrl}/v21.0/${account.instagramBusinessId}/messages`;
      const body = { recipient: { id: user.igsid }, message: { text: 'Hi' } };

      const a = await call('POST', url, { token: account.accessToken, body });
      const b = await call('POST', url, { token: account.accessToken, body });

      expect(a.json).toEqual({
        recipient_id: user.igsid,
        message_id: expect.stringMatching(/^m_/),
      });
      expect(a.json.message_id).not.toBe(b.json.message_id);
      expect(sim.sentMessages.map((m) => m.messageId)).toEqual([
        a.json.message_id,
        b.json.message_id,
      ]);
      expect(sim.sentMessages[0]).toMatchObject({
        accountId: account.instagramBusinessId,
        recipientId: user.igsid,
        body,
      });
    });

    it('refuses a message to an unknown recipient or over 1000 bytes', async () => {
      const account = sim.addAccount();
      const user = sim.addUser();
      const url = `${sim.instagramApiUrl}/v21.0/${account.instagramBusinessId}/messages`;

      const unknown = await call('POST', url, {
        token: account.accessToken,
        body: { recipient: { id: '42' }, message: { text: 'Hi' } },
      });
      const tooLong = await call('POST', url, {
        token: account.accessToken,
        body: { recipient: { id: user.igsid }, message: { text: 'x'.repeat(1001) } },
      });

      expect(unknown.status).toBe(400);
      expect(unknown.json.error).toMatchObject({ code: 100, error_subcode: 2018001 });
      expect(tooLong.status).toBe(400);
      expect(tooLong.json.error).toMatchObject({ code: 100 });
      expect(sim.sentMessages).toHaveLength(0);
    });

    it('updates subscribed fields', async () => {
      const account = sim.addAccount({ connectionType: 'facebook' });
      const url = `${sim.graphApiUrl}/v21.0/${account.pageId}/subscribed_apps`;

      const subscribed = await call('POST', `${url}?subscribed_fields=messages,message_echoes`, {
        token: account.accessToken,
      });
      expect(subscribed.json).toEqual({ success: true });
      expect(account.subscribedFields).toEqual(['messages', 'message_echoes']);

      const bad = await call('POST', `${url}?subscribed_fields=nope`, {
        token: account.accessToken,
      });
      expect(bad.status).toBe(400);
      expect(account.subscribedFields).toEqual(['messages', 'message_echoes']);

      await call('DELETE', url, { token: account.accessToken });
      expect(account.subscribedFields).toEqual([]);
    });

    it('refuses field names of the other login type as Meta does (code 100, the bad index)', async () => {
      const page = sim.addAccount({ connectionType: 'facebook' });
      const instagram = sim.addAccount({ connectionType: 'instagram' });

      const onPage = await call(
        'POST',
        `${sim.graphApiUrl}/v21.0/${page.pageId}/subscribed_apps?subscribed_fields=messages,messaging_seen`,
        { token: page.accessToken },
      );
      const onInstagram = await call(
        'POST',
        `${sim.instagramApiUrl}/v21.0/me/subscribed_apps?subscribed_fields=messages,message_reads`,
        { token: instagram.accessToken },
      );
      const accepted = await call(
        'POST',
        `${sim.instagramApiUrl}/v21.0/me/subscribed_apps?subscribed_fields=messages,message_reactions,messaging_seen`,
        { token: instagram.accessToken },
      );

      expect(onPage.status).toBe(400);
      expect(onPage.json.error).toMatchObject({
        code: 100,
        type: 'OAuthException',
        message: expect.stringMatching(
          /^\(#100\) Param subscribed_fields\[1\] must be one of \{.*message_reads.*\} - got "messaging_seen"$/,
        ),
        fbtrace_id: expect.any(String),
      });
      expect(page.subscribedFields).toEqual([]);
      expect(onInstagram.status).toBe(400);
      expect(onInstagram.json.error).toMatchObject({
        code: 100,
        message: expect.stringContaining('subscribed_fields[1] must be one of {'),
      });
      expect(onInstagram.json.error.message).toMatch(/- got "message_reads"$/);
      expect(accepted.json).toEqual({ success: true });
      expect(instagram.subscribedFields).toEqual([
        'messages',
        'message_reactions',
        'messaging_seen',
      ]);
    });

    it('reset forgets accounts, users, rules and records', async () => {
      const account = sim.addAccount();
      sim.failNext({ status: 500, error: { message: 'x', code: 2 } });
      await call('GET', `${sim.instagramApiUrl}/v21.0/me`, { token: account.accessToken });
      sim.failNext({ status: 500, error: { message: 'x', code: 2 } });

      sim.reset();

      expect(sim.requests).toHaveLength(0);
      const res = await call('GET', `${sim.instagramApiUrl}/v21.0/me`, {
        token: account.accessToken,
      });
      expect(res.json.error).toMatchObject({ code: 190 });
    });
  });

  describe('webhooks', () => {
    it('delivers a payload signed with the app secret over the exact raw body', async () => {
      const account = sim.addAccount();
      const payload = webhookBatch([
        {
          id: account.instagramBusinessId,
          messaging: [
            inboundMessage({ account: account.instagramBusinessId, from: '1', text: 'Hi' }),
          ],
        },
      ]);

      const result = await sim.deliverWebhook(payload);

      expect(result).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
      const [received] = receiver.received;
      expect(received.body).toBe(JSON.stringify(payload));
      expect(received.headers['content-type']).toBe('application/json');
      expect(received.headers['x-hub-signature-256']).toBe(
        signWebhookBody(received.body, 'sim-secret'),
      );
    });

    it('signs with another secret, a forced signature, or none', async () => {
      await sim.deliverWebhook(
        { object: 'instagram', entry: [] },
        { secret: 'other', rawBody: 'raw' },
      );
      await sim.deliverWebhook({}, { signature: 'sha256=forged' });
      await sim.deliverWebhook({}, { signature: null });

      expect(receiver.received[0].body).toBe('raw');
      expect(receiver.received[0].headers['x-hub-signature-256']).toBe(
        signWebhookBody('raw', 'other'),
      );
      expect(receiver.received[1].headers['x-hub-signature-256']).toBe('sha256=forged');
      expect(receiver.received[2].headers['x-hub-signature-256']).toBeUndefined();
    });

    it('refuses to deliver without a webhook URL', async () => {
      sim.webhookUrl = undefined;

      await expect(sim.deliverWebhook({})).rejects.toThrow('No webhook URL');
    });
  });

  describe('control API', () => {
    it('creates accounts and users and reports state', async () => {
      const created = await call('POST', `${sim.url}/_simulator/accounts`, {
        body: { username: 'from_api', connectionType: 'facebook' },
      });
      const user = await call('POST', `${sim.url}/_simulator/users`, { body: { username: 'fan' } });
      const state = await call('GET', `${sim.url}/_simulator/state`);

      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({
        username: 'from_api',
        accessToken: expect.stringMatching(/^EAA/),
      });
      expect(user.json).toMatchObject({ username: 'fan', igsid: expect.any(String) });
      expect(state.json.accounts).toHaveLength(1);
      expect(state.json.users).toHaveLength(1);
    });

    it('delivers a signed inbound message webhook, creating the sender', async () => {
      const account = sim.addAccount();

      const res = await call('POST', `${sim.url}/_simulator/inbound-message`, {
        body: {
          instagramBusinessId: account.instagramBusinessId,
          from: '6200000000000001',
          text: 'Hello',
        },
      });

      expect(res.status).toBe(200);
      expect(res.json.delivered).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
      const [received] = receiver.received;
      expect(received.headers['x-hub-signature-256']).toBe(
        signWebhookBody(received.body, 'sim-secret'),
      );
      expect(JSON.parse(received.body)).toEqual({
        object: 'instagram',
        entry: [
          {
            id: account.instagramBusinessId,
            time: expect.any(Number),
            messaging: [
              {
                sender: { id: '6200000000000001' },
                recipient: { id: account.instagramBusinessId },
                timestamp: expect.any(Number),
                message: { mid: expect.any(String), text: 'Hello' },
              },
            ],
          },
        ],
      });
      const profile = await call(
        'GET',
        `${sim.instagramApiUrl}/v21.0/6200000000000001?fields=username`,
        {
          token: account.accessToken,
        },
      );
      expect(profile.status).toBe(200);
    });

    it('refuses an inbound message for an unknown account', async () => {
      const res = await call('POST', `${sim.url}/_simulator/inbound-message`, {
        body: { instagramBusinessId: '1', text: 'Hello' },
      });

      expect(res.status).toBe(404);
      expect(receiver.received).toHaveLength(0);
    });

    it('resets over HTTP', async () => {
      sim.addAccount();

      await call('POST', `${sim.url}/_simulator/reset`);
      const state = await call('GET', `${sim.url}/_simulator/state`);

      expect(state.json.accounts).toEqual([]);
    });
  });
});
