import { accountAuditActions, connectAccount } from './utils/account-factories';
import { createUser, type TestUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

describe('Instagram account profile', () => {
  let t: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createUser(t);
  });

  afterAll(async () => {
    await t.close();
  });

  function mediaCalls(instagramBusinessId: string): number {
    return t.simulator.requests.filter((r) => r.path.endsWith(`/${instagramBusinessId}/media`))
      .length;
  }

  it('answers with the live profile and recent media from Meta', async () => {
    const { id, sim } = await connectAccount(t, owner, {
      connectionType: 'facebook',
      sim: { followersCount: 321, mediaCount: 3 },
    });
    const res = await t.http
      .get(`/v1/instagram/${id}/profile`)
      .set('Authorization', owner.auth)
      .expect(200);
    expect(res.body).toMatchObject({
      username: sim.username,
      name: sim.name,
      biography: sim.biography,
      website: sim.website,
      profilePictureUrl: sim.profilePictureUrl,
      followersCount: 321,
      mediaCount: 3,
    });
    expect(res.body.media).toHaveLength(3);
    expect(res.body.media[0]).toEqual({
      id: expect.any(String),
      caption: expect.any(String),
      media_type: 'IMAGE',
      media_url: expect.stringMatching(/^http/),
      thumbnail_url: null,
      permalink: expect.stringMatching(/^https:\/\/www\.instagram\.com\//),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/),
    });
  });

  it('passes Meta’s media fields through under Meta’s names, as the original client reads them', async () => {
    const { id, sim } = await connectAccount(t, owner, {
      connectionType: 'facebook',
      sim: { mediaCount: 4 },
    });
    const res = await t.http
      .get(`/v1/instagram/${id}/profile`)
      .set('Authorization', owner.auth)
      .expect(200);
    const fields = 'id,caption,media_type,media_url,thumbnail_url,permalink,timestamp';
    const graph = new URL(`${t.simulator.graphApiUrl}/v21.0/${sim.instagramBusinessId}/media`);
    graph.search = new URLSearchParams({ fields, access_token: sim.accessToken }).toString();
    const fromMeta = (await (await fetch(graph)).json()) as { data: Record<string, unknown>[] };
    const withNulls = fromMeta.data.map((item) => ({
      ...Object.fromEntries(fields.split(',').map((field) => [field, null])),
      ...item,
    }));
    expect(res.body.media).toEqual(withNulls);
    expect(res.body.media.map((m: { media_type: string }) => m.media_type)).toEqual([
      'IMAGE',
      'IMAGE',
      'CAROUSEL_ALBUM',
      'VIDEO',
    ]);
    expect(res.body.media[3].thumbnail_url).toEqual(expect.stringMatching(/^http/));
  });

  it('works for Instagram Login accounts too', async () => {
    const { id, sim } = await connectAccount(t, owner, { connectionType: 'instagram' });
    const res = await t.http
      .get(`/v1/instagram/${id}/profile`)
      .set('Authorization', owner.auth)
      .expect(200);
    expect(res.body.username).toBe(sim.username);
    expect(res.body.media.length).toBeGreaterThan(0);
  });

  it('serves a repeated request from its short-lived cache', async () => {
    const { id, sim } = await connectAccount(t, owner);
    await t.http.get(`/v1/instagram/${id}/profile`).set('Authorization', owner.auth).expect(200);
    await t.http.get(`/v1/instagram/${id}/profile`).set('Authorization', owner.auth).expect(200);
    expect(mediaCalls(sim.instagramBusinessId)).toBe(1);
  });

  it('answers 424 when Meta refuses the token, and flags the account for reconnection', async () => {
    const { id, sim } = await connectAccount(t, owner);
    t.simulator.expireToken(sim.accessToken);
    const res = await t.http
      .get(`/v1/instagram/${id}/profile`)
      .set('Authorization', owner.auth)
      .expect(424);
    expect(res.body.error.details).toEqual([expect.objectContaining({ reason: 'token_invalid' })]);
    const account = await t.http
      .get(`/v1/instagram/${id}`)
      .set('Authorization', owner.auth)
      .expect(200);
    expect(account.body.reconnectRequired).toBe(true);
    expect(await accountAuditActions(t, id)).toContain('instagram_account.reconnect_required');
    t.simulator.clearRequests();
    await t.http.get(`/v1/instagram/${id}/profile`).set('Authorization', owner.auth).expect(424);
    expect(t.simulator.requests).toHaveLength(0);
  });

  it('answers 429 with Retry-After when Meta rate-limits the call', async () => {
    const { id } = await connectAccount(t, owner);
    t.simulator.failNext({
      path: '/media',
      status: 429,
      error: { code: 4, message: '(#4) Application request limit reached' },
      headers: { 'retry-after': '120' },
    });
    const res = await t.http
      .get(`/v1/instagram/${id}/profile`)
      .set('Authorization', owner.auth)
      .expect(429);
    expect(res.headers['retry-after']).toBe('120');
  });

  it('answers 424 (not a 5xx) when Meta keeps failing temporarily', async () => {
    const { id } = await connectAccount(t, owner);
    t.simulator.failNext({
      path: '/media',
      status: 500,
      times: Infinity,
      error: {
        code: 2,
        message: 'An unexpected error has occurred. Please retry your request later.',
      },
    });
    try {
      await t.http.get(`/v1/instagram/${id}/profile`).set('Authorization', owner.auth).expect(424);
    } finally {
      t.simulator.reset();
    }
    const account = await t.http
      .get(`/v1/instagram/${id}`)
      .set('Authorization', owner.auth)
      .expect(200);
    expect(account.body.reconnectRequired).toBe(false);
  });

  it('answers 424 (not a 5xx) when Meta answers with an unexpected error', async () => {
    const { id } = await connectAccount(t, owner);
    t.simulator.failNext({
      path: '/media',
      status: 400,
      error: { code: 12345, message: 'Something Meta did not expect' },
    });
    const res = await t.http
      .get(`/v1/instagram/${id}/profile`)
      .set('Authorization', owner.auth)
      .expect(424);
    expect(res.body.error.code).toBe(424);
  });
});

describe('Instagram account profile when Meta is slow', () => {
  let t: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { META_TIMEOUT_MS: '150', META_MAX_RETRIES: '0' } });
    owner = await createUser(t);
  });

  afterAll(async () => {
    t.simulator.setLatency(0);
    await t.close();
  });

  it('answers 424 when Meta does not answer in time, without flagging the account', async () => {
    const { id } = await connectAccount(t, owner);
    t.simulator.setLatency(1_000);
    const res = await t.http
      .get(`/v1/instagram/${id}/profile`)
      .set('Authorization', owner.auth)
      .expect(424);
    expect(res.body.error.message).toMatch(/did not answer in time/);
    t.simulator.setLatency(0);
    const account = await t.http
      .get(`/v1/instagram/${id}`)
      .set('Authorization', owner.auth)
      .expect(200);
    expect(account.body.reconnectRequired).toBe(false);
  });
});
