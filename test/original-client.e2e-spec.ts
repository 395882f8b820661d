import { uniqueEmail } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

/** Headers axios (the original frontend's HTTP client) sends with a JSON body. */
const AXIOS_JSON_HEADERS = {
  Accept: 'application/json, text/plain, */*',
  'Content-Type': 'application/json',
};

describe('Requests exactly as the original frontend sends them', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_THROTTLE_LIMIT: '10000' } });
  });

  afterAll(async () => {
    await t.close();
  });

  async function signUp(): Promise<{ access: string; refresh: string }> {
    const res = await t.http
      .post('/v1/auth/register')
      .set(AXIOS_JSON_HEADERS)
      .send(JSON.stringify({ name: 'Ada', email: uniqueEmail('orig'), password: 'Passw0rd-long' }))
      .expect(201);
    return { access: res.body.tokens.access.token, refresh: res.body.tokens.refresh.token };
  }

  describe('refreshing the session when the access token expires', () => {
    it('finds the new pair under tokens and at the top level, both the same and usable', async () => {
      const session = await signUp();
      const res = await t.http
        .post('/v1/auth/refresh-tokens')
        .set(AXIOS_JSON_HEADERS)
        .send(JSON.stringify({ refreshToken: session.refresh }))
        .expect(200);
      const data = res.body;
      expect(data.tokens.access.token).toEqual(expect.any(String));
      expect(data.tokens.refresh.token).toEqual(expect.any(String));
      expect(data.tokens.access).toEqual(data.access);
      expect(data.tokens.refresh).toEqual(data.refresh);
      expect(data.tokens.refresh.token).not.toBe(session.refresh);

      await t.http
        .get('/v1/users/me')
        .set('Authorization', `Bearer ${data.tokens.access.token}`)
        .expect(200);
      const again = await t.http
        .post('/v1/auth/refresh-tokens')
        .set(AXIOS_JSON_HEADERS)
        .send(JSON.stringify({ refreshToken: data.tokens.refresh.token }))
        .expect(200);
      expect(again.body.tokens.access.token).toEqual(expect.any(String));
    });
  });

  describe('signing out', () => {
    it('answers 204 each time, also once the session is already over', async () => {
      const session = await signUp();
      for (let i = 0; i < 2; i += 1) {
        await t.http
          .post('/v1/auth/logout')
          .set(AXIOS_JSON_HEADERS)
          .send(JSON.stringify({ refreshToken: session.refresh }))
          .expect(204);
      }
      await t.http
        .post('/v1/auth/refresh-tokens')
        .set(AXIOS_JSON_HEADERS)
        .send(JSON.stringify({ refreshToken: session.refresh }))
        .expect(401);
    });
  });
});
